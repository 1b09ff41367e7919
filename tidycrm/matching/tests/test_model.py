import json
from functools import cache

import pytest

from tidycrm.matching import DEFAULT_THRESHOLD, CompanyModel, CompanyRecord, PersonModel
from tidycrm.matching import PersonRecord as P
from tidycrm.matching.tests.population import FAMILY, GIVEN, population


@cache
def trained() -> PersonModel:
    return PersonModel.train(population(), seed=3)


MODELS = [pytest.param(PersonModel.default, id="default"), pytest.param(trained, id="trained")]


def level(match, field):  # type: ignore[no-untyped-def]
    return next(e.level for e in match.evidence if e.field == field)


@pytest.mark.parametrize("model", MODELS)
def test_one_person_through_two_channels_is_a_duplicate(model) -> None:  # type: ignore[no-untyped-def]
    card = P("1", "Robert", "Smith", emails=("bob.smith@acme.com",), phones=("+442071234567",),
             company="Acme Ltd", city="London")  # fmt: skip
    form = P("2", "Bob", "SMITH", emails=("Bob.Smith@ACME.com",), phones=("+447700900123",),
             company="ACME Limited", city="london")  # fmt: skip
    match = model().score(card, form)
    assert match.probability >= DEFAULT_THRESHOLD
    assert level(match, "given_name") == "nickname"
    assert level(match, "email") == "exact"
    assert level(match, "company") == "exact"
    assert all(e.detail for e in match.evidence)


@pytest.mark.parametrize("model", MODELS)
def test_family_sharing_home_phone_and_address_are_different_people(model) -> None:  # type: ignore[no-untyped-def]
    home = dict(phones=("+442079460000",), street="12 Baker Street", city="London",
                postal_code="NW1 6XE")  # fmt: skip
    mother = P("1", "Mary", "Jones", emails=("mary.jones@example.org",), **home)  # type: ignore[arg-type]
    son = P("2", "Thomas", "Jones", emails=("tom.jones99@example.net",), **home)  # type: ignore[arg-type]
    match = model().score(mother, son)
    assert level(match, "phone") == "exact"
    assert level(match, "address") == "same street"
    assert level(match, "given_name") == "different"
    assert match.probability < DEFAULT_THRESHOLD


@pytest.mark.parametrize("model", MODELS)
def test_colleagues_with_a_switchboard_and_a_shared_inbox_are_different_people(model) -> None:  # type: ignore[no-untyped-def]
    office = dict(phones=("+49301234560",), emails=("info@globex.de",), company="Globex GmbH",
                  city="Berlin")  # fmt: skip
    a = P("1", "Anna", "Becker", **office)  # type: ignore[arg-type]
    b = P("2", "Jonas", "Weber", **office)  # type: ignore[arg-type]
    match = model().score(a, b)
    assert level(match, "email") == "shared inbox"
    assert match.probability < 0.01


@pytest.mark.parametrize("model", MODELS)
def test_namesakes_in_different_cities_are_different_people(model) -> None:  # type: ignore[no-untyped-def]
    a = P("1", "James", "Smith", emails=("jsmith@gmail.com",), phones=("+14155550101",),
          city="Boston", postal_code="02108")  # fmt: skip
    b = P("2", "James", "Smith", emails=("james.smith@yahoo.com",), phones=("+12065550199",),
          city="Seattle", postal_code="98101")  # fmt: skip
    match = model().score(a, b)
    assert level(match, "given_name") == "exact"
    assert level(match, "address") == "different"
    assert match.probability < DEFAULT_THRESHOLD


@pytest.mark.parametrize("model", MODELS)
def test_swapped_order_folded_letters_and_typos(model) -> None:  # type: ignore[no-untyped-def]
    a = P("1", "Şule", "Yılmaz", phones=("+905321234567",), city="İstanbul")
    b = P("2", "Yilmaz", "Sule", phones=("+905321234567",), city="istanbul")
    match = model().score(a, b)
    assert level(match, "given_name") == "exact"
    assert level(match, "family_name") == "exact"
    assert match.probability >= DEFAULT_THRESHOLD
    mail = ("k.schneider@web.de",)
    typo = model().score(P("1", "Katharina", "Schneider", emails=mail),
                         P("2", "Katharina", "Schnieder", emails=mail))  # fmt: skip
    assert level(typo, "family_name") in {"similar", "sounds alike"}
    assert typo.probability >= DEFAULT_THRESHOLD


def test_trained_model_learns_that_agreement_is_evidence() -> None:
    model = trained()
    for name in ("given_name", "family_name", "email", "phone"):
        weights = model.level_weights(name)
        assert weights[1] > 0 > weights[-1], name
    assert 0 < model.prior < 1
    assert model.trained_pairs > 0


def test_model_round_trips_through_json() -> None:
    model = trained()
    copy = PersonModel.from_dict(json.loads(json.dumps(model.to_dict())))
    a = P("1", "Mary", "Jones", emails=("mary@example.org",), city="Leeds")
    b = P("2", "Marry", "Jones", emails=("mary@example.org",), city="Leeds")
    assert copy.score(a, b) == model.score(a, b)
    with pytest.raises(ValueError, match="not a person model"):
        PersonModel.from_dict(CompanyModel.default().to_dict())


def test_a_stored_comparison_with_other_levels_falls_back_to_the_defaults() -> None:
    stored = trained().to_dict()
    stored["m"]["email"] = stored["m"]["email"][:-1]  # as an older version stored it
    restored = PersonModel.from_dict(stored)
    assert restored.m["email"] == PersonModel.default().m["email"]
    assert restored.m["phone"] == trained().m["phone"]
    a = P("1", "Mary", "Jones", emails=("mary@example.org",))
    assert restored.score(a, a).probability > DEFAULT_THRESHOLD


def test_birth_date_and_identifiers() -> None:
    people = [
        P(f"x{n}", GIVEN[n % 70], FAMILY[n % 61],
          birth_date=f"19{50 + n % 40}-0{1 + n % 9}-1{n % 10}", extra={"ssn": f"{1000000 + n}"})
        for n in range(1500)
    ]  # fmt: skip
    again = [P(f"y{n}", p.given_name, p.family_name + "e", birth_date=p.birth_date, extra=p.extra)
             for n, p in enumerate(people[::5])]  # fmt: skip
    model = PersonModel.train(people + again)
    assert "ssn" in model.identifiers
    first = P("1", "Ann", "Lee", birth_date="1970-01-15", extra={"ssn": "5551234"})
    same = model.score(
        first, P("2", "Anne", "Lee", birth_date="1970-01-15", extra={"ssn": "5551234"})
    )
    assert level(same, "birth_date") == "exact"
    assert level(same, "x:ssn") == "exact"
    assert same.probability > DEFAULT_THRESHOLD
    other = model.score(first, P("2", "Ann", "Lee", birth_date="1981-07-02", extra={"ssn": "999"}))
    assert other.probability < DEFAULT_THRESHOLD
    # one of year, month and day wrong (a whole part, not one digit) is a level of its own
    year_off = model.score(first, P("3", "Ann", "Lee", birth_date="1982-01-15"))
    assert level(year_off, "birth_date") == "two of year, month, day"
    assert level(other, "birth_date") == "different"


def test_companies() -> None:
    model = CompanyModel.default()
    a = CompanyRecord("1", "ACME, Inc.", domains=("acme.com",), city="Boston")
    b = CompanyRecord("2", "Acme Incorporated", domains=("acme.com",), city="Boston")
    c = CompanyRecord("3", "Globex Corporation", domains=("globex.com",), city="Boston")
    assert model.score(a, b).probability >= DEFAULT_THRESHOLD
    assert model.score(a, c).probability < 0.01
    trained_model = CompanyModel.train([a, b, c] * 3)
    assert CompanyModel.from_dict(trained_model.to_dict()).score(a, b) == trained_model.score(a, b)


@pytest.mark.parametrize("size", [0, 1, 2, 40])
def test_training_on_a_tiny_database_keeps_a_usable_json_model(size):
    people = [
        P(id=str(k), given_name=GIVEN[k % len(GIVEN)], family_name=FAMILY[(k * 7) % len(FAMILY)])
        for k in range(size)
    ]
    model = PersonModel.train(people)
    stored = json.dumps(model.to_dict(), allow_nan=False)  # databases refuse NaN in JSON
    again = PersonModel.from_dict(json.loads(stored))
    twin = P(id="x", given_name="Ada", family_name="Lovelace", emails=("ada@example.com",))
    assert (
        again.score(
            twin, P(id="y", given_name="Ada", family_name="Lovelace", emails=("ada@example.com",))
        ).probability
        > DEFAULT_THRESHOLD
    )


@pytest.mark.parametrize("model", MODELS)
def test_a_slip_in_a_short_or_nicknamed_given_name_is_close(model) -> None:  # type: ignore[no-untyped-def]
    """One letter off in a four-letter name, a nickname with a slip ("Hode" for Hodge, a
    nickname of Roger) and a nickname the table lists one way only (Chris for Kristin): with
    the person's own inbox and number, one person."""
    home = dict(emails=("rdavis14@example.com",), phones=("+12015858573",), city="Ericside")
    for given, other, expected in (
        ("Erik", "Erok", "close"),
        ("Roger", "Hode", "close"),
        ("Kristin", "Chris", "nickname"),
    ):
        a = P("1", given, "Davis", **home)  # type: ignore[arg-type]
        b = P("2", other, "Davis", **home)  # type: ignore[arg-type]
        match = model().score(a, b)
        assert level(match, "given_name") == expected, (given, other)
        assert match.probability >= DEFAULT_THRESHOLD, (given, other)
    # from five letters one slip is "similar"
    match = model().score(P("1", "Renate", "Davis", **home), P("2", "Renata", "Davis", **home))  # type: ignore[arg-type]
    assert level(match, "given_name") == "similar"
    # one letter off in a family name ("Meyer", "Mezer"; "Beck", "Brck") sounds alike
    for family, other in (("Meyer", "Mezer"), ("Beck", "Brck")):
        match = model().score(P("1", "Karin", family), P("2", "Karin", other))
        assert level(match, "family_name") == "sounds alike", (family, other)
    # short names one letter apart stay different names
    assert level(model().score(P("1", "Jon", "Davis"), P("2", "Jan", "Davis")), "given_name") == (
        "different"
    )


@pytest.mark.parametrize("model", MODELS)
def test_colleagues_with_one_given_name_are_different_people(model) -> None:  # type: ignore[no-untyped-def]
    """Two Annas at one company, one switchboard and one office: colleagues; one Anna whose
    own inbox agrees under another family name: a married name."""
    office = dict(phones=("+49301234560",), company="Globex GmbH", street="Hauptstr. 5",
                  city="Berlin", postal_code="10115")  # fmt: skip
    a = P("1", "Anna", "Becker", emails=("anna.becker@globex.de",), **office)  # type: ignore[arg-type]
    b = P("2", "Anna", "Weber", emails=("anna.weber@globex.de",), **office)  # type: ignore[arg-type]
    assert model().score(a, b).probability < DEFAULT_THRESHOLD
    married = P("3", "Anna", "Schulz", emails=("anna.becker@globex.de",), **office)  # type: ignore[arg-type]
    assert model().score(a, married).probability >= DEFAULT_THRESHOLD


@pytest.mark.parametrize("model", MODELS)
def test_an_east_asian_name_in_one_field_is_its_parts(model) -> None:  # type: ignore[no-untyped-def]
    badge = P("1", full_name="石井知実", company="株式会社林建設", country="JP")
    card = P("2", "知実", "石井", company="林建設 K.K.", country="JP",
             emails=("ishii@hayashi.example",))  # fmt: skip
    match = model().score(badge, card)
    assert level(match, "given_name") == "exact"
    assert level(match, "family_name") == "exact"
