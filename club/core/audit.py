"""Write audit events; services call ``record`` before they flush, views commit."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from club.core.models import AuditEvent
from club.core.registry import registry
from club.extensions import db


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def diff(obj, fields) -> dict[str, list]:
    """``{field: [old, new]}`` for the given attributes changed on ``obj`` since it was loaded."""
    state = sa.inspect(obj)
    changes = {}
    for name in fields:
        history = state.attrs[name].history
        if history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            if old != new:
                changes[name] = [_plain(old), _plain(new)]
    return changes


def record(action: str, entity, *, by=None, changes: dict | None = None, entity_type: str | None = None,
           entity_id: int | None = None) -> AuditEvent:
    """Add an audit event to the session (flushing the entity first so it has an id)."""
    if entity is not None and getattr(entity, "id", None) is None:
        db.session.flush()
    event = AuditEvent(
        actor_id=getattr(by, "id", None),
        action=action,
        entity_type=entity_type or (entity.__tablename__ if entity is not None else "system"),
        entity_id=entity_id if entity_id is not None else getattr(entity, "id", None),
        changes={k: [_plain(v) for v in pair] for k, pair in (changes or {}).items()},
    )
    db.session.add(event)
    return event


# ---------------------------------------------------------------------------------------------------------------
# Reading the trail: one presenter for every timeline (organisation, deal, application, mission, user, dashboard).
#
# Each domain registers, in its hooks.register (club.core.registry), the labels of its actions, of the fields its events
# carry (per action prefix, since "kind" or "status" mean different things in different domains) and how to show
# their values, and how to name and link the objects its events are about. ``present`` turns events into entries a
# reader can read; ``templates/_macros/audit.html`` renders them.

ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")
LONG_TEXT = 160


@dataclass(frozen=True)
class Field:
    """How a changed field reads: its label and how its values are shown (``show``: a formatter or a dict of
    labels, e.g. an enum's). ``hidden`` fields are recorded but not shown (internal ids)."""

    label: object
    show: Callable[[Any], str] | Mapping | None = None
    hidden: bool = False


@dataclass
class Change:
    label: str
    old: str | None  # None: the field had no value before (a creation) or did not change
    new: str

    @property
    def text(self) -> str:
        """"Province: Berkane → Nador", in the reader's language (French puts a space before the colon)."""
        if self.old is None:
            return _("%(field)s: %(value)s", field=self.label, value=self.new)
        return _("%(field)s: %(old)s → %(new)s", field=self.label, old=self.old, new=self.new)


@dataclass
class Entry:
    at: dt.datetime
    actor: str | None
    label: str
    changes: list[Change]
    subject: str | None = None
    url: str | None = None


def known_actions() -> set[str]:
    return set(registry().action_label_map)


def missing_labels() -> set[tuple[str, str]]:
    """The (kind, code) pairs shown since start-up without a registered label (a test asserts there are none)."""
    return set(registry().missing)


def _humane(code: str) -> str:
    return code.replace("_", " ").replace(".", " ").strip().capitalize()


def action_label(action: str, changes: Mapping | None = None) -> str:
    """The translated label of an action, or a readable form of its code."""
    label = registry().action_label_map.get(action)
    if label is None:
        registry().missing.add(("action", action))
        return _humane(action)
    if callable(label):
        return str(label(changes or {}))
    return str(label)


def field_spec(action: str, name: str) -> Field | None:
    """The most specific registration of ``name`` for ``action`` (the longest matching prefix)."""
    best, length = None, -1
    for prefix, fields in registry().field_label_map.items():
        if name in fields and action.startswith(prefix) and len(prefix) > length:
            best, length = fields[name], len(prefix)
    return best if best is None or isinstance(best, Field) else Field(best)


# Formatters a domain can use for its fields' values (all return text, escaped by the template).

def yes_no(value) -> str:
    return str(_("yes") if value else _("no"))


def money(value) -> str:
    from club.formats import money as money_filter

    return money_filter(value)


def number(value) -> str:
    from flask_babel import format_decimal

    try:
        return format_decimal(decimal.Decimal(str(value)))
    except (decimal.InvalidOperation, ValueError):
        return str(value)


def percent(value) -> str:
    return str(_("%(value)s %%", value=number(value)))


def date(value) -> str:
    from club.formats import date_filter

    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return date_filter(value, "medium")


def moment(value) -> str:
    """A stored UTC datetime, shown in Africa/Casablanca for the reader's locale."""
    from club.formats import datetime_filter

    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return datetime_filter(value, "short")


def choice(labels: Mapping) -> Callable[[Any], str]:
    """Values of an enum, by their labels (an unknown code is kept readable, and reported by ``missing_labels``)."""

    def show(value) -> str:
        key = value.value if isinstance(value, enum.Enum) else value
        for candidate, label in labels.items():
            if (candidate.value if isinstance(candidate, enum.Enum) else candidate) == key:
                return str(label)
        registry().missing.add(("value", str(key)))
        return _humane(str(key))

    return show


def _model_of(table: str):
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__tablename__", None) == table:
            return mapper.class_
    raise LookupError(table)


def name_of(model, attribute: str = "name") -> Callable[[Any], str]:
    """A foreign key shown as the name of its row (from the session's identity map when already loaded);
    ``model`` is a model class or its table name (for a domain that may not import the other's models)."""

    def show(value) -> str:
        try:
            row = db.session.get(_model_of(model) if isinstance(model, str) else model, int(value))
        except (TypeError, ValueError):
            return str(value)
        return str(getattr(row, attribute)) if row is not None else str(_("#%(id)s (deleted)", id=value))

    return show


def _show(value, spec: Field | None) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, list | tuple | set):
        return ", ".join(_show(v, spec) for v in value)
    show = spec.show if spec is not None else None
    if isinstance(show, Mapping):
        show = choice(show)
    if show is not None:
        return show(value)
    if isinstance(value, bool):
        return yes_no(value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_show(v, None)}" for k, v in value.items())
    if isinstance(value, str):
        if ISO_DATETIME.match(value):
            return moment(value)
        if ISO_DATE.match(value):
            return date(value)
        if len(value) > LONG_TEXT:
            return value[:LONG_TEXT].rstrip() + "…"
        return value
    if isinstance(value, dt.datetime):
        return moment(value)
    if isinstance(value, dt.date):
        return date(value)
    if isinstance(value, int | float | decimal.Decimal):
        return number(value)
    return str(value)


def present_changes(action: str, changes: Mapping | None) -> list[Change]:
    shown = []
    for name, pair in (changes or {}).items():
        spec = field_spec(action, name)
        if spec is None:
            registry().missing.add(("field", f"{action} {name}"))
        elif spec.hidden:
            continue
        old, new = (list(pair) + [None, None])[:2] if isinstance(pair, list | tuple) else (None, pair)
        label = str(spec.label) if spec is not None else _humane(name)
        if old is None or old == new:
            shown.append(Change(label, None, _show(new, spec)))
        else:
            shown.append(Change(label, _show(old, spec), _show(new, spec)))
    return shown


def present(events, *, subjects: bool = False, user=None) -> list[Entry]:
    """Audit events as entries a reader can read; with ``subjects``, each names (and links to) its object when
    ``user`` (by default the signed-in user) may see it."""
    events = list(events)
    entries = [Entry(at=e.at, actor=e.actor.name if e.actor else None, label=action_label(e.action, e.changes),
                     changes=present_changes(e.action, e.changes)) for e in events]
    if subjects and events:
        if user is None:
            from flask_login import current_user

            user = current_user
        resolvers = registry().subjects
        wanted: dict[str, set[int]] = {}
        for e in events:
            if e.entity_id is not None and e.entity_type in resolvers:
                wanted.setdefault(e.entity_type, set()).add(e.entity_id)
        found = {kind: resolvers[kind](sorted(ids), user) for kind, ids in wanted.items()}
        for e, entry in zip(events, entries, strict=True):
            entry.subject, entry.url = found.get(e.entity_type, {}).get(e.entity_id, (None, None))
    return entries


def events_for(entity_type: str, entity_id: int, limit: int = 50) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )


def events_for_any(pairs: Mapping[str, list[int]], limit: int = 50) -> list[AuditEvent]:
    """The latest events of several objects at once (a mission and its registrations...), newest first."""
    conditions = [sa.and_(AuditEvent.entity_type == kind, AuditEvent.entity_id.in_(ids))
                  for kind, ids in pairs.items() if ids]
    if not conditions:
        return []
    return list(db.session.scalars(sa.select(AuditEvent).where(sa.or_(*conditions))
                                   .order_by(AuditEvent.id.desc()).limit(limit)))
