"""Property tests: the hygiene functions are total and idempotent."""

from __future__ import annotations

import re
from dataclasses import astuple

from hypothesis import given
from hypothesis import strategies as st

from tidycrm.hygiene.addresses import standardise_postal_code, standardise_street
from tidycrm.hygiene.companies import (
    company_name_key,
    domain_from_email,
    domain_from_website,
    split_legal_form,
)
from tidycrm.hygiene.countries import standardise_country
from tidycrm.hygiene.emails import match_key, standardise_email
from tidycrm.hygiene.names import case_name, case_parts, split_name
from tidycrm.hygiene.phones import standardise_phone
from tidycrm.hygiene.text import clean, fold, tokens
from tidycrm.hygiene.urls import standardise_url

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


NAME_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", categories=["L", "M", "Zs", "Pd", "Po"]), max_size=40
)


@given(NAME_TEXT, st.sampled_from(["", "TR", "DE", "US"]))
def test_name_casing_is_total_and_idempotent(text, country):
    once = case_name(text, country=country)
    assert case_name(once, country=country) == once
    parts = split_name(text, country=country)
    again = case_parts(parts, country=country)
    assert case_parts(again, country=country) == again


@given(st.text())
def test_name_split_is_total(text):
    parts = split_name(text)
    assert all(isinstance(p, str) for p in astuple(parts))


@given(st.text(max_size=60), st.sampled_from(["US", "GB", "DE", "TR", "KR", "FR", "CA", ""]))
def test_address_parts_are_total_and_idempotent(text, country):
    street = standardise_street(text, country)
    assert standardise_street(street, country) == street
    code, problem = standardise_postal_code(text, country)
    if problem is None:
        assert standardise_postal_code(code, country) == (code, None)


@given(st.text(max_size=80))
def test_company_key_and_domains_are_total_and_idempotent(text):
    key = company_name_key(text)
    assert company_name_key(key) == key or split_legal_form(key)[1]
    domain = domain_from_website(text)
    assert domain == "" or domain_from_website(domain) == domain
    domain_from_email(text)


@given(st.text(max_size=120))
def test_url_is_total_and_idempotent(text):
    url = standardise_url(text)
    if url.value is not None:
        assert url.value.startswith("https://")
        assert standardise_url(url.value).value == url.value


@given(st.emails())
def test_email_match_key_is_idempotent_and_keeps_the_address(address):
    email = standardise_email(address)
    assert email.value is not None
    key = email.extras["match_key"]
    assert match_key(key) == key
    assert email.value.split("@")[0] == address.split("@")[0]  # the stored local part is kept


@given(st.text(alphabet="0123456789 +-()x", max_size=25), st.sampled_from(["US", "DE", "TR"]))
def test_phone_round_trips_through_its_displays(text, region):
    result = standardise_phone(text, region)
    if result.value is not None:
        for shown in ("national", "international"):
            again = standardise_phone(result.extras[shown], result.extras["region"] or region)
            assert again.value == result.value


EMAIL_LIKE = st.one_of(
    st.emails(),
    st.text(alphabet="abcXYZ09.-_+@'!#ü", max_size=40),
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(alphabet="abZ9.-_+", max_size=70),
        st.sampled_from(["gmail.com", "Example.ORG", "xn--mnchen-3ya.de", "a..b", "-x.com", "b"]),
    ),
)


@given(EMAIL_LIKE)
def test_email_fast_path_agrees_with_the_library(text):
    """The remembered domain check gives what email-validator gives for the whole address."""
    from email_validator import EmailNotValidError

    from tidycrm.hygiene import emails

    def outcome(check):
        try:
            return check(text, False)
        except EmailNotValidError as exc:
            return str(exc)

    assert outcome(emails._validated) == outcome(emails._validated_in_full)


@given(
    st.text(alphabet="0123456789 +-()", min_size=1, max_size=20),
    st.sampled_from(["US", "DE", "TR", "KR", "GB", "IN", ""]),
)
def test_phone_without_display_agrees_with_validity(text, region):
    """The one type look-up decides validity exactly as phonenumbers.is_valid_number does."""
    import phonenumbers

    result = standardise_phone(text, region, display=False)

    def valid(typed, where):
        try:
            return phonenumbers.is_valid_number(phonenumbers.parse(typed, where))
        except phonenumbers.NumberParseException:
            return False

    typed = clean(text)
    expected = valid(typed, region or None) or (
        typed.startswith("00") and valid("+" + typed[2:], None)  # "0049 ..." read as "+49 ..."
    )
    assert (result.value is not None) == expected
    if result.value is not None:
        assert "national" not in result.extras
        assert standardise_phone(text, region).value == result.value
