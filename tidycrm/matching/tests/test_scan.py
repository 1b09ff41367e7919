from dataclasses import replace

import numpy as np
import pytest

from tidycrm.matching import (
    DEFAULT_THRESHOLD,
    Evidence,
    Match,
    PersonModel,
    PersonRecord,
    cluster,
    person_blocking_keys,
    scan_people,
)
from tidycrm.matching.blocking import candidate_pairs, person_key_columns
from tidycrm.matching.features import people_table
from tidycrm.matching.model import DeferredEvidence
from tidycrm.matching.tests.population import population


def _match(a: str, b: str, probability: float = 0.99) -> Match:
    return Match(a, b, probability, 10.0, (Evidence("name", "exact", 10.0, "same name"),))


def test_scan_finds_the_duplicates_of_a_population() -> None:
    records = population(2000, seed=5)
    model = PersonModel.train(records)
    seen: list[tuple[int, int]] = []
    matches = scan_people(records, model, progress=lambda done, total: seen.append((done, total)))
    truth = {(r.id[:-1], r.id) for r in records if r.id.endswith("b")}
    found = {(m.a, m.b) if m.a < m.b else (m.b, m.a) for m in matches}
    assert len(found & truth) >= 0.9 * len(truth)
    assert len(found - truth) <= 0.05 * len(found)
    assert all(m.probability >= DEFAULT_THRESHOLD and m.evidence for m in matches)
    assert seen[-1][0] == seen[-1][1] > 0


def test_scan_of_hard_non_duplicates_finds_nothing() -> None:
    office = dict(phones=("+49301234560",), emails=("info@globex.de",), company="Globex GmbH")
    home = dict(phones=("+442079460000",), street="12 Baker Street", postal_code="NW1 6XE")
    records = [
        PersonRecord("a", "Anna", "Becker", city="Berlin", **office),  # type: ignore[arg-type]
        PersonRecord("b", "Jonas", "Weber", city="Berlin", **office),  # type: ignore[arg-type]
        PersonRecord("c", "Mary", "Jones", city="London", **home),  # type: ignore[arg-type]
        PersonRecord("d", "Thomas", "Jones", city="London", **home),  # type: ignore[arg-type]
    ]
    assert scan_people(records, PersonModel.default()) == []


def test_blocking_keys_are_short_and_shared_by_duplicates() -> None:
    a = PersonRecord(
        "1", "Robert", "Smith", emails=("Bob.Smith+crm@Gmail.com",), postal_code="10115"
    )
    b = PersonRecord("2", "Bob", "Smith", emails=("bobsmith@googlemail.com",), postal_code="10115")
    keys_a, keys_b = person_blocking_keys(a), person_blocking_keys(b)
    assert "e:bobsmith@gmail.com" in keys_a & keys_b
    assert "n:smith|robert" in keys_a & keys_b  # nickname roots meet
    assert all(len(k) <= 64 for k in keys_a | keys_b)
    assert person_blocking_keys(PersonRecord("3")) == frozenset()


def test_cluster_is_transitive_for_small_groups() -> None:
    groups = cluster([_match("a", "b"), _match("b", "c"), _match("x", "y")])
    assert groups == [["a", "b", "c"], ["x", "y"]]


def test_cluster_does_not_chain_strangers_together() -> None:
    chain = [_match(f"p{n}", f"p{n + 1}") for n in range(8)]
    groups = cluster(chain)
    assert all(len(g) <= 3 for g in groups)
    assert sum(len(g) for g in groups) <= 9


def test_cluster_ignores_pairs_below_the_threshold() -> None:
    assert cluster([_match("a", "b", 0.2)]) == []
    assert cluster([_match("a", "b", 0.2)], threshold=0.1) == [["a", "b"]]


def test_a_huge_block_gives_neighbours_not_all_pairs() -> None:
    from tidycrm.matching.blocking import candidate_pairs, person_key_columns
    from tidycrm.matching.features import people_table

    office = [
        PersonRecord(f"o{n}", f"Given{n}", f"Family{n}", phones=("+49301234560",))
        for n in range(300)
    ]
    pair = [PersonRecord(f"h{n}", "Anna", "Becker", phones=(f"+4930999000{n}",)) for n in range(2)]
    table = people_table(office + pair)
    pairs = candidate_pairs(table, person_key_columns(table), window=10)
    assert len(pairs) <= 300 * 10  # not the 44,850 pairs of the whole switchboard
    assert (pairs[:, 0] < pairs[:, 1]).all()
    found = {(table.ids[a], table.ids[b]) for a, b in pairs.tolist()}
    assert ("h0", "h1") in found  # a small block gives its pair


def test_whole_table_blocking_meets_every_value_and_every_nickname_root() -> None:
    """A number listed second on one record and first on another, and "Chelle" against
    "Michelle", are candidates in a scan as they are at the door (`person_blocking_keys`)."""
    from tidycrm.matching.blocking import candidate_pairs, person_key_columns
    from tidycrm.matching.features import people_table

    people = [
        PersonRecord("a", "", "Soranzo", phones=("+393129954370", "+393123267962")),
        PersonRecord("b", "Giuseppina", "Soranzo", phones=("+393123267962",)),
        PersonRecord("c", "Michelle", "Walsh", emails=("mw@work.example",)),
        PersonRecord("d", "Chelle", "Walsh", emails=("chelle@home.example",)),
        PersonRecord("e", "Ivo", "Kranz", emails=("ivo@x.example", "kranz@y.example")),
        PersonRecord("f", "Iwo", "Kranc", emails=("kranz@y.example",)),
    ]
    assert person_blocking_keys(people[2]) & person_blocking_keys(people[3])
    table = people_table(people)
    found = {
        (table.ids[a], table.ids[b])
        for a, b in candidate_pairs(table, person_key_columns(table)).tolist()
    }
    assert {("a", "b"), ("c", "d"), ("e", "f")} <= found


def test_a_scan_meets_slips_at_one_employer_and_unsplit_east_asian_names() -> None:
    """A slip in the family name's sound at the same company, and "石井知実" in one field
    against its parts: candidates of a scan (these keys are the scan's own, not stored)."""
    from tidycrm.matching.blocking import candidate_pairs, person_key_columns
    from tidycrm.matching.features import people_table

    people = [
        PersonRecord("a", "Isaac", "Barrso", company="da Paz - EI 1073 S.A."),
        PersonRecord("b", "Isaac", "Barros", company="da Paz - EI 1073 SA"),
        PersonRecord("c", "Ozegr", "Soylu", company="Sakarya A.Ş."),
        PersonRecord("d", "Ozger", "Soylu", company="Sakarya AŞ"),
        PersonRecord("e", full_name="石井知実", country="JP"),
        PersonRecord("f", "知実", "石井", country="JP"),
    ]
    table = people_table(people)
    found = {
        (table.ids[a], table.ids[b])
        for a, b in candidate_pairs(table, person_key_columns(table)).tolist()
    }
    assert {("a", "b"), ("c", "d"), ("e", "f")} <= found


def test_a_scan_writes_the_same_evidence_when_it_is_first_read() -> None:
    records = population(600, seed=11)
    model = PersonModel.train(records)
    table = people_table(records, model.identifiers)
    pairs = candidate_pairs(table, person_key_columns(table))
    scored = model.score_pairs(table, pairs[:, 0], pairs[:, 1], own_frequencies=True)
    keep = np.flatnonzero(scored.probability >= DEFAULT_THRESHOLD)
    i, j = pairs[keep, 0], pairs[keep, 1]
    later = model.explain_later(table, scored, keep, i, j, own=True)
    assert later and all(isinstance(m._evidence, DeferredEvidence) for m in later)
    now = model.explain(table, scored, keep, i, j, own=True)
    # equality compares the evidence, which the deferred Matches write now
    assert later == now
    assert [hash(m) for m in later] == [hash(m) for m in now]
    assert repr(later[0]) == repr(now[0]) and "evidence=" in repr(later[0])
    scanned = scan_people(records, model)
    assert sorted(scanned, key=lambda m: (m.a, m.b)) == sorted(now, key=lambda m: (m.a, m.b))


def test_a_table_numbers_each_vocabulary_in_order_of_first_appearance() -> None:
    # given names first, then family names, then whole names share one vocabulary; a
    # multi-valued column numbers its first slot of every record before the second
    records = [
        PersonRecord("1", "Anna", "Berg", emails=("a@x.org", "b@y.org"), company="Acme Ltd"),
        PersonRecord("2", "Berg", "Cole", emails=("c@z.org",), company="ACME Limited"),
        PersonRecord("3", "", "Anna", emails=("b@y.org", "d@w.org", "e@v.org", "f@u.org")),
    ]
    table = people_table(records)
    names = table.vocab["name"].texts
    assert names[:3] == ["anna", "berg", "cole"]
    assert table.columns["given"].tolist() == [0, 1, -1]
    assert table.columns["family"].tolist() == [1, 2, 0]
    assert table.vocab["email"].texts == ["a@x.org", "c@z.org", "b@y.org", "d@w.org", "e@v.org"]
    assert table.columns["email"].tolist() == [[0, 2, -1], [1, -1, -1], [2, 3, 4]]
    # two spellings of one company are one code; no company is -1
    assert table.columns["company"].tolist() == [0, 0, -1]
    # complete: the text -> code dicts are dropped
    assert table.vocab["name"].sealed and not table.vocab["name"].index
    with pytest.raises(RuntimeError):
        table.vocab["name"].code("new")


def test_a_scan_meets_a_slip_in_the_family_name_and_one_in_the_birth_month() -> None:
    """Ralf Poho born 1983-08-16 and Ralf Pohl born 1983-06-16 share no stored key: the
    given name with the birth year and day (a scan's own key) brings them together."""
    people = [
        PersonRecord("a", "Ralf", "Poho", birth_date="1983-08-16"),
        PersonRecord("b", "Ralf", "Pohl", birth_date="1983-06-16"),
        PersonRecord("c", "Ralf", "Pohl", birth_date="1984-06-17"),
    ]
    assert not person_blocking_keys(people[0]) & person_blocking_keys(people[1])
    table = people_table(people)
    found = {
        (table.ids[a], table.ids[b])
        for a, b in candidate_pairs(table, person_key_columns(table)).tolist()
    }
    assert ("a", "b") in found
    assert ("a", "c") not in found


def _extras(k: int, record_id: str) -> dict[str, str]:
    """A member number on two records in three (an identifier), a seat on a few (too few to
    be one), a badge only blank."""
    if k % 3:
        return {"member": f"M{record_id.rstrip('b')}"}
    return {"badge": " ", "seat": "9"} if k % 50 == 0 else {}


@pytest.mark.parametrize("max_records", [5000, 1200])
def test_training_for_a_scan_gives_the_model_and_table_of_training_and_scanning_apart(
    max_records: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table built once for training and scanning changes nothing: with every record
    trained on, and with a sample of them (whose vocabularies number values otherwise)."""
    monkeypatch.setattr("tidycrm.matching.model.TF_STORED", 5)  # ties at the cut
    records = [replace(r, extra=_extras(k, r.id)) for k, r in enumerate(population(1500, seed=8))]
    apart = PersonModel.train(records, max_records=max_records)
    assert apart.identifiers == ("member",)
    model, table = PersonModel.train_for_scan(iter(records), max_records=max_records)
    assert model.to_dict() == apart.to_dict()
    built = people_table(records, apart.identifiers)
    assert table.ids == built.ids
    assert table.columns.keys() == built.columns.keys()
    for name, codes in built.columns.items():
        assert np.array_equal(table.columns[name], codes), name
    assert scan_people(table, model) == scan_people(records, apart)
