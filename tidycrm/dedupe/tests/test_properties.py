"""Properties of the pure pieces: group identity, differing fields, chosen values."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tidycrm.dedupe.kinds import Kind
from tidycrm.dedupe.services.merge import member_key
from tidycrm.dedupe.survivorship import chosen_values, differing


class Thing(SimpleNamespace):
    custom_fields: dict[str, Any] = {}


KIND = Kind(
    name="thing",
    model=Thing,  # type: ignore[arg-type]
    groups={"name": ("first", "last"), "city": ("city",)},
    derived=frozenset(),
)
values = st.sampled_from(["", "Ana", "Bo", "Lima"])


def record(pk: int, first: str, last: str, city: str, custom: dict[str, Any]) -> Any:
    return Thing(pk=pk, first=first, last=last, city=city, custom_fields=custom)


records = st.lists(
    st.tuples(values, values, values, st.dictionaries(st.sampled_from(["tier", "vat"]), values)),
    min_size=2,
    max_size=5,
).map(lambda rows: [record(n + 1, *row) for n, row in enumerate(rows)])


@given(st.lists(st.integers(1, 10**12), min_size=1, max_size=30), st.randoms())
def test_a_group_is_the_same_whatever_the_order_or_repeats(ids: list[int], rng: Any) -> None:
    shuffled = ids + ids[: len(ids) // 2]
    rng.shuffle(shuffled)
    assert member_key(shuffled) == member_key(ids)
    assert len(member_key(ids)) == 40


@given(records)
def test_differing_names_exactly_the_groups_with_two_values(rows: list[Any]) -> None:
    found = differing(KIND, rows)
    assert ("name" in found) == (len({(r.first, r.last) for r in rows}) > 1)
    assert ("city" in found) == (len({r.city for r in rows}) > 1)
    for key in ("tier", "vat"):
        seen = {repr(r.custom_fields.get(key)) for r in rows}
        assert (f"custom:{key}" in found) == (len(seen) > 1)


@given(records, st.data())
def test_chosen_values_come_from_the_chosen_records(rows: list[Any], data: Any) -> None:
    by_id = {r.pk: r for r in rows}
    pick = st.sampled_from(sorted(by_id))
    choices = {"name": data.draw(pick), "city": data.draw(pick)}
    keys = sorted({k for r in rows for k in r.custom_fields})
    choices |= {f"custom:{k}": data.draw(pick) for k in keys}
    chosen = chosen_values(KIND, by_id, choices)
    assert (chosen["first"], chosen["last"]) == (
        by_id[choices["name"]].first,
        by_id[choices["name"]].last,
    )
    assert chosen["city"] == by_id[choices["city"]].city
    for key in keys:
        value = by_id[choices[f"custom:{key}"]].custom_fields.get(key)
        assert chosen["custom_fields"].get(key) == (value or None)
