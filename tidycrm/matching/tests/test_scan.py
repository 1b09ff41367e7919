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
