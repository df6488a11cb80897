"""The global search: one box in every signed-in page's header, one group of results per domain.

Each domain registers a ``SearchProvider`` (``club.core.registry``) whose ``search(term, user, limit)`` returns
``(total, [Hit])`` (``total`` a ``MoreThan`` when counting stopped at a cap): only what ``user`` may see, matched on the folded term (case and accents folded, see
``club.core.text.fold``), in a constant number of queries (a count and one page of hits), and optionally a
``more(term)`` URL: the domain's own list filtered by the term.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from club.core.registry import registry
from club.core.text import fold

MIN_LENGTH = 2
MAX_LENGTH = 100
PER_GROUP = 5


@dataclass(frozen=True)
class Hit:
    title: str
    url: str
    detail: str | None = None  # a second line: the kind, the organisation, the state…


class MoreThan(int):
    """A provider's count that stopped at its cap: there are more than this many results (the page says so)."""


@dataclass
class Group:
    name: str
    label: str
    total: int
    hits: list[Hit] = field(default_factory=list)
    more_url: str | None = None

    @property
    def capped(self) -> bool:
        return isinstance(self.total, MoreThan)


def clean(term: str | None) -> str:
    """The term as typed, trimmed and bounded (the providers fold it as their columns need)."""
    return " ".join((term or "").split())[:MAX_LENGTH]


def searchable(term: str) -> bool:
    return len(fold(term)) >= MIN_LENGTH


def search(term: str, user, per_group: int = PER_GROUP) -> list[Group]:
    """The groups with at least one result for ``user``, in the providers' order."""
    if not searchable(term):
        return []
    groups = []
    for provider in registry().search_providers:
        total, hits = provider.search(term, user, per_group)
        if total:
            groups.append(Group(provider.name, str(provider.label), total, list(hits),
                                provider.more(term) if provider.more and (isinstance(total, MoreThan) or total > len(hits))
                                else None))
    return groups
