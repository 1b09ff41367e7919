"""Property tests: the hygiene functions are total and idempotent."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from tidycrm.hygiene.countries import standardise_country
from tidycrm.hygiene.emails import standardise_email
from tidycrm.hygiene.phones import standardise_phone
from tidycrm.hygiene.text import clean, fold, tokens

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


@given(st.text())
def test_text_functions_are_total_and_idempotent(text):
    assert clean(clean(text)) == clean(text)
    assert fold(fold(text)) == fold(text)
    assert all(tokens(t) == [t] for t in tokens(text) if t.isalnum())


@given(st.text(), st.sampled_from(["US", "DE", "TR", "KR", "TH", "GB", ""]))
def test_phone_is_total_and_e164(text, region):
    result = standardise_phone(text, region)
    if result.value is not None:
        assert E164.match(result.value)
        assert standardise_phone(result.value).value == result.value


@given(st.text())
def test_email_and_country_are_total(text):
    email = standardise_email(text)
    if email.value is not None:
        assert standardise_email(email.value).value == email.value
    country = standardise_country(text)
    assert country.value is None or len(country.value) == 2


def test_fold_handles_turkish_and_german():
    assert fold("İstanbul") == fold("ISTANBUL") == fold("istanbul")
    assert fold("IŞIK") == fold("ışık") == "isik"
    assert fold("Straße") == "strasse"
    assert fold("김민준") == "김민준"
