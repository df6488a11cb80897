"""Write audit events; services call ``record`` before they flush, views commit."""

from __future__ import annotations

import datetime as dt
import decimal
import enum
from typing import Any

import sqlalchemy as sa

from club.core.models import AuditEvent
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


# Human labels for audit actions; each domain registers its own with ``register_action_labels``.
_ACTION_LABELS: dict[str, object] = {}


def register_action_labels(labels: dict[str, object]) -> None:
    _ACTION_LABELS.update(labels)


def action_label(action: str) -> str:
    """The translated label of an action, or a readable form of its code."""
    label = _ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    return action.replace("_", " ").replace(".", " · ")


def events_for(entity_type: str, entity_id: int, limit: int = 50) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            sa.select(AuditEvent)
            .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
            .order_by(AuditEvent.id.desc())
            .limit(limit)
        )
    )
