"""The timeline registry: merged pages, followed cursor by cursor, give every entry of every
source exactly once, newest first, whatever the ties and page sizes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tidycrm.records import timeline
from tidycrm.records.timeline import Cursor, Entry, Query, timeline_page

BASE = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass
class ListSource:
    """An in-memory source that honours the protocol's contract."""

    name: str
    items: list[Entry] = field(default_factory=list)
    record_types: frozenset[str] = frozenset({"contact"})
    kinds: Sequence[tuple[str, str]] = (("a", "A"), ("b", "B"))

    def entries(self, record_type, record_id, user, query, before, limit):
        wanted = query.wants(k for k, _ in self.kinds)
        found = [e for e in self.items if e.kind in wanted and (before is None or before.admits(e))]
        return sorted(found, key=lambda e: e.key, reverse=True)[:limit]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(timeline, "_sources", {})
    return timeline


source_items = st.lists(st.tuples(st.integers(0, 5), st.sampled_from(["a", "b"])), max_size=25)


def build(name: str, raw: list[tuple[int, str]]) -> ListSource:
    items = [
        Entry(
            when=BASE + timedelta(minutes=m), source=name, sort_id=i + 1, kind=k, title=f"{name}{i}"
        )
        for i, (m, k) in enumerate(raw)
    ]
    return ListSource(name=name, items=items)


@settings(max_examples=60, deadline=None)
@given(
    first=source_items,
    second=source_items,
    limit=st.integers(1, 7),
    only=st.sampled_from([None, "a"]),
)
def test_paging_yields_every_entry_once_in_order(first, second, limit, only):
    saved = dict(timeline._sources)
    timeline._sources.clear()
    try:
        sources = [build("alpha", first), build("beta", second)]
        for s in sources:
            timeline.register(s)
        query = Query(kinds=frozenset({only}) if only else None)
        seen: list[Entry] = []
        cursor = None
        for _ in range(100):
            page = timeline_page("contact", 1, None, query=query, cursor=cursor, limit=limit)  # type: ignore[arg-type]
            seen += page.entries
            cursor = page.next_cursor
            if cursor is None:
                break
        expected = sorted(
            (e for s in sources for e in s.items if only is None or e.kind == only),
            key=lambda e: e.key,
            reverse=True,
        )
        assert seen == expected
    finally:
        timeline._sources.clear()
        timeline._sources.update(saved)


def test_sources_of_other_record_types_and_unwanted_kinds_are_not_asked(registry):
    asked: list[str] = []

    class Spy(ListSource):
        def entries(self, *args):
            asked.append(self.name)
            return []

    registry.register(Spy(name="deals-only", record_types=frozenset({"deal"})))
    registry.register(Spy(name="only-b", kinds=(("b", "B"),)))
    registry.register(Spy(name="both"))
    timeline_page("contact", 1, None, query=Query(kinds=frozenset({"a"})))  # type: ignore[arg-type]
    assert asked == ["both"]
    assert registry.kinds_for("contact") == [("a", "A"), ("b", "B")]


def test_a_forged_cursor_is_a_bad_cursor(registry):
    from tidycrm.core.pagination import BadCursor, encode_cursor

    with pytest.raises(BadCursor):
        timeline_page("contact", 1, None, cursor="nonsense")  # type: ignore[arg-type]
    wrong = encode_cursor(["not a date", "x", 1], fields=timeline.CURSOR_FIELDS)
    with pytest.raises(BadCursor):
        timeline_page("contact", 1, None, cursor=wrong)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("source", "same_moment_allowed", "tie_broken_by_id"),
    [("a", True, False), ("z", False, False), ("m", True, True)],
)
def test_before_q_by_source_order(source, same_moment_allowed, tie_broken_by_id):
    """Ties at the cursor's moment order by source name, then id within a source."""
    q = str(Cursor(when=BASE, source="m", sort_id=5).before_q(source, "when", "id"))
    assert ("when__lte" in q) == same_moment_allowed
    assert ("id__lt" in q) == tie_broken_by_id
