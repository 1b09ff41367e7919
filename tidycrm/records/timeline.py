"""A record's timeline: one chronological feed merged from sources that register themselves.

The timeline knows no source. An app that has something to show on a contact, company or deal
page (activities, stage changes, field changes, later tickets, e-mails, web visits, form
submissions) registers a `TimelineSource`; `timeline_page` asks every source that serves the
record type for its newest entries before a cursor and merges them newest first.

Paging is by keyset over (when, source, sort_id), all descending: each source returns entries
strictly before the cursor in that order (`Cursor.before_q` builds the filter for a queryset),
so page 100 costs what page 1 costs as long as each source reads an index in that order.

Visibility: the caller has already checked that `user` may see the record itself (e.g. with
`get_contact(user, pk)`); a source filters out anything finer-grained the user may not see.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from django.db.models import Q
from django.utils.dateparse import parse_datetime

from tidycrm.accounts.models import User
from tidycrm.core.pagination import BadCursor, decode_cursor, encode_cursor

CURSOR_FIELDS = ("when", "source", "sort_id")
MAX_LIMIT = 200


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of a timeline. `body` is plain text, or HTML already sanitised by its source
    (then `body_is_html` is True); templates escape everything else."""

    when: datetime
    source: str  # the registering source's name
    sort_id: int  # unique within the source, breaks ties between entries at the same moment
    kind: str  # "call", "meeting", "stage_change", "field_change", ... (a source's own kinds)
    title: str
    body: str = ""
    body_is_html: bool = False
    url: str = ""
    actor: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[datetime, str, int]:
        return (self.when, self.source, self.sort_id)


@dataclass(frozen=True, slots=True)
class Cursor:
    """The position just after the last entry of the previous page (newest first)."""

    when: datetime
    source: str
    sort_id: int

    def before_q(self, source: str, when_field: str, id_field: str) -> Q:
        """A filter keeping the rows of `source` that come after this cursor, newest first.

        The leading `when <= cursor.when` bound lets the database start its index scan there.
        """
        if source < self.source:
            return Q(**{f"{when_field}__lte": self.when})
        if source > self.source:
            return Q(**{f"{when_field}__lt": self.when})
        return Q(**{f"{when_field}__lte": self.when}) & (
            Q(**{f"{when_field}__lt": self.when}) | Q(**{f"{id_field}__lt": self.sort_id})
        )

    def admits(self, entry: Entry) -> bool:
        return entry.key < (self.when, self.source, self.sort_id)


@dataclass(frozen=True, slots=True)
class Query:
    """What a viewer asked for: the kinds to show (None: all) and an optional period."""

    kinds: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None

    def wants(self, kinds: Iterable[str]) -> set[str]:
        """The kinds of a source this query keeps."""
        return set(kinds) if self.kinds is None else set(kinds) & self.kinds

    def period_q(self, when_field: str) -> Q:
        q = Q()
        if self.since is not None:
            q &= Q(**{f"{when_field}__gte": self.since})
        if self.until is not None:
            q &= Q(**{f"{when_field}__lt": self.until})
        return q


class TimelineSource(Protocol):
    @property
    def name(self) -> str:
        """Unique; also the tie-break order between sources at the same moment."""

    @property
    def record_types(self) -> frozenset[str]:
        """The record types it has entries for: "contact", "company", "deal", ..."""

    @property
    def kinds(self) -> Sequence[tuple[str, str]]:
        """(kind, label) pairs of its entries, for the filter controls."""

    def entries(
        self,
        record_type: str,
        record_id: int,
        user: User,
        query: Query,
        before: Cursor | None,
        limit: int,
    ) -> list[Entry]:
        """Up to `limit` entries of the record strictly before `before`, newest first, of the
        kinds `query.wants(self.kinds)` and inside `query`'s period."""
        ...


_sources: dict[str, TimelineSource] = {}


def register(source: TimelineSource) -> None:
    """Add a source (from an AppConfig.ready); registering the same name again replaces it."""
    _sources[source.name] = source


def unregister(name: str) -> None:
    _sources.pop(name, None)


def sources_for(record_type: str) -> list[TimelineSource]:
    return sorted(
        (s for s in _sources.values() if record_type in s.record_types), key=lambda s: s.name
    )


def kinds_for(record_type: str) -> list[tuple[str, str]]:
    """Every kind a record type's timeline can show, for its filter controls."""
    seen: dict[str, str] = {}
    for source in sources_for(record_type):
        for kind, label in source.kinds:
            seen.setdefault(kind, label)
    return list(seen.items())


@dataclass(frozen=True)
class TimelinePage:
    entries: list[Entry]
    next_cursor: str | None


def timeline_page(
    record_type: str,
    record_id: int,
    user: User,
    *,
    query: Query | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> TimelinePage:
    """One page of a record's timeline, newest first. Follow `next_cursor` for older entries."""
    query = query or Query()
    limit = max(1, min(limit, MAX_LIMIT))
    before = decode_position(cursor) if cursor else None
    streams = []
    for source in sources_for(record_type):
        if not query.wants(kind for kind, _ in source.kinds):
            continue
        found = source.entries(record_type, record_id, user, query, before, limit + 1)
        streams.append([e for e in found if before is None or before.admits(e)])
    merged = list(heapq.merge(*streams, key=lambda e: e.key, reverse=True))
    page = merged[:limit]
    next_cursor = None
    if len(merged) > limit:
        last = page[-1]
        next_cursor = encode_cursor([last.when, last.source, last.sort_id], fields=CURSOR_FIELDS)
    return TimelinePage(entries=page, next_cursor=next_cursor)


def decode_position(cursor: str) -> Cursor:
    values, _ = decode_cursor(cursor, CURSOR_FIELDS)
    if len(values) != len(CURSOR_FIELDS):
        raise BadCursor("cursor: does not match the timeline's order.")
    when = parse_datetime(str(values[0]))
    if when is None or not isinstance(values[1], str) or not isinstance(values[2], int):
        raise BadCursor("cursor: not a cursor this server issued.")
    return Cursor(when=when, source=values[1], sort_id=values[2])
