import json
import math
from functools import cache

from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from tidycrm.matching import PersonModel, PersonRecord, person_blocking_keys
from tidycrm.matching.tests.population import population

text = st.text(max_size=30)
records = st.builds(
    PersonRecord,
    id=st.sampled_from(["a", "b"]),
    given_name=text,
    family_name=text,
    full_name=text,
    emails=st.lists(text, max_size=3).map(tuple),
    phones=st.lists(st.text("0123456789+ -()", max_size=20), max_size=3).map(tuple),
    company=text,
    street=text,
    city=text,
    postal_code=text,
    country=st.sampled_from(["", "DE", "TR", "KR", "US"]),
    birth_date=st.sampled_from(["", "1980-01-02", "1980-02-01", "1979-12-31"]),
)


@cache
def model() -> PersonModel:
    return PersonModel.train(population(1500, seed=9))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records, records)
def test_score_is_total_symmetric_and_a_probability(a: PersonRecord, b: PersonRecord) -> None:
    note(repr((a, b)))
    forward, backward = model().score(a, b), model().score(b, a)
    assert 0.0 <= forward.probability <= 1.0
    assert math.isfinite(forward.weight)
    assert math.isclose(forward.weight, backward.weight, abs_tol=1e-6)
    assert [e.level for e in forward.evidence] == [e.level for e in backward.evidence]
    assert all(e.detail for e in forward.evidence)


@settings(max_examples=100, deadline=None)
@given(records)
def test_blocking_keys_are_total_and_short(record: PersonRecord) -> None:
    assert all(0 < len(key) <= 64 for key in person_blocking_keys(record))


@settings(max_examples=20, deadline=None)
@given(st.floats(1e-6, 0.5), st.lists(st.floats(1e-6, 1.0), min_size=7, max_size=7))
def test_model_round_trip(prior: float, m_given: list[float]) -> None:
    base = PersonModel.default().to_dict()
    base["prior"] = prior
    base["m"]["given_name"] = m_given
    restored = PersonModel.from_dict(json.loads(json.dumps(base)))
    assert restored.to_dict() == base
