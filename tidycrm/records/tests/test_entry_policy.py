"""The entry policy at the door: reject, flag or fix per field and channel; flags stored on the
record, shown in the API and on the detail page; the preview writes nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tidycrm.companies.models import Company
from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact, save_contacts_bulk
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.records.models import EntryPolicy
from tidycrm.records.policy import default_action

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


@pytest.fixture
def api(api_token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token}"})


def test_defaults_reject_bad_email_interactively_and_flag_it_on_import():
    assert default_action("contact", "email", "ui") == "reject"
    assert default_action("contact", "email", "api") == "reject"
    assert default_action("contact", "email", "import") == "flag"
    assert default_action("contact", "phone", "ui") == "flag"
    assert default_action("contact", "name", "import") == "fix"


def test_unparseable_phone_is_kept_raw_and_flagged(admin):
    result = save_contact(
        {"given_name": "Ann", "phones": ["call me maybe", "+49 171 1234567"]},
        actor=admin,
        channel="ui",
    )
    phones = {p.raw: p for p in result.record.phones.all()}
    assert phones["call me maybe"].e164 == ""
    assert phones["+49 171 1234567"].e164 == "+491711234567"
    assert phones["+49 171 1234567"].number_type == "mobile"
    assert list(result.record.data_flags) == ["phones.0.number"]
    assert any(w.startswith("phones.0.number:") for w in result.warnings)


def test_invalid_email_rejected_on_api_flagged_on_import(admin):
    with pytest.raises(ValidationFailed) as caught:
        save_contact({"given_name": "Bo", "emails": ["bo@"]}, actor=admin, channel="api")
    assert "emails.0.address" in caught.value.field_errors
    result = save_contacts_bulk(
        [{"given_name": "Bo", "emails": ["bo@"]}], actor=admin, channel="import"
    )
    contact = result.created[0]
    contact.refresh_from_db()
    assert contact.emails.get().address == "bo@"
    assert contact.emails.get().match_key == ""
    assert "emails.0.address" in contact.data_flags


def test_name_casing_is_fixed_with_a_warning_and_raw_kept(admin):
    result = save_contact({"name": "DR. JAMES MACDONALD JR."}, actor=admin, channel="api")
    contact = result.record
    assert (contact.honorific, contact.given_name, contact.family_name, contact.suffix) == (
        "Dr.",
        "James",
        "MacDonald",
        "Jr.",
    )
    assert contact.display_name == "Dr. James MacDonald Jr."
    assert contact.raw_input["name"] == "DR. JAMES MACDONALD JR."
    assert any("'MACDONALD' is written 'MacDonald'" in w for w in result.warnings)


def test_korean_full_name_is_split_and_untouched(admin):
    contact = save_contact({"name": "김민준"}, actor=admin, channel="api").record
    assert (contact.family_name, contact.given_name, contact.display_name) == (
        "김",
        "민준",
        "김민준",
    )


def test_admin_override_flag_keeps_the_casing_as_entered(admin):
    EntryPolicy.objects.create(record_type="contact", field="name", channel="api", action="flag")
    result = save_contact({"given_name": "ANN", "family_name": "LEE"}, actor=admin, channel="api")
    assert result.record.given_name == "ANN"
    assert result.record.data_flags["given_name"] == ["could be written 'Ann'."]


def test_admin_override_reject_refuses_a_flagged_phone(admin):
    EntryPolicy.objects.create(record_type="contact", field="phone", channel="ui", action="reject")
    with pytest.raises(ValidationFailed) as caught:
        save_contact({"given_name": "C", "phones": ["12"]}, actor=admin, channel="ui")
    assert "phones.0.number" in caught.value.field_errors
    assert not Contact.objects.exists()


def test_flags_of_untouched_fields_stay_and_touched_ones_are_redone(admin):
    contact = save_contact(
        {"given_name": "D", "phones": ["12"], "emails": ["info@acme.com"]},
        actor=admin,
        channel="api",
    ).record
    assert set(contact.data_flags) == {"phones.0.number", "emails.0.address"}
    contact = save_contact(
        {"phones": ["+1 415 555 2671"]}, actor=admin, channel="api", contact=contact
    ).record
    assert set(contact.data_flags) == {"emails.0.address"}
    assert "role address" in contact.data_flags["emails.0.address"][0]


def test_gmail_spellings_are_duplicates(admin):
    save_contact({"given_name": "E", "emails": ["eve.smith@gmail.com"]}, actor=admin, channel="api")
    result = save_contact(
        {"given_name": "E2", "emails": ["EveSmith+crm@googlemail.com"]}, actor=admin, channel="api"
    )
    assert any("Possible duplicate" in w for w in result.warnings)
    assert result.record.emails.get().address == "EveSmith+crm@googlemail.com"


def test_addresses_standardised_and_bad_postal_code_flagged(admin):
    result = save_contact(
        {
            "given_name": "F",
            "addresses": [
                {
                    "street": "Hauptstrasse 5",
                    "postal_code": "1011",
                    "city": "berlin",
                    "country": "Deutschland",
                }
            ],
        },
        actor=admin,
        channel="api",
    )
    address = result.record.addresses.get()
    assert (address.street, address.city, address.country) == ("Hauptstr. 5", "Berlin", "DE")
    assert "addresses.0.postal_code" in result.record.data_flags
    assert address.raw["street"] == "Hauptstrasse 5"


def test_country_by_local_name_and_unknown_country(admin):
    contact = save_contact({"given_name": "G", "country": "대한민국"}, actor=admin, channel="api")
    assert contact.record.country == "KR"
    with pytest.raises(ValidationFailed) as caught:
        save_contact({"given_name": "G", "country": "Atlantis"}, actor=admin, channel="api")
    assert "country" in caught.value.field_errors
    kept = save_contact({"given_name": "G", "country": "Atlantis"}, actor=admin, channel="import")
    assert kept.record.country == "" and kept.record.raw_input["country"] == "Atlantis"
    assert "country" in kept.record.data_flags


def test_social_profiles_canonical(admin):
    contact = save_contact(
        {"given_name": "H", "social_profiles": ["http://www.twitter.com/HUser?utm_source=x"]},
        actor=admin,
        channel="api",
    ).record
    assert contact.social_profiles == [{"network": "x", "url": "https://x.com/huser"}]


def test_company_name_key_website_and_domain(admin):
    company = save_company(
        {"name": "ACME, Inc.", "website": "http://www.Shop.Acme.co.uk/?utm_source=x"},
        actor=admin,
        channel="api",
    ).record
    assert company.name_key == "acme"
    assert company.website == "https://shop.acme.co.uk"
    assert list(company.domains.values_list("domain", flat=True)) == ["acme.co.uk"]
    other = save_company({"name": "Acme Incorporated"}, actor=admin, channel="api")
    assert Company.objects.filter(name_key=other.record.name_key).count() == 2
    [warning] = other.warnings
    assert warning.startswith(f"Possible duplicate of company {company.pk} (")
    assert "company name exact: 'acme'" in warning


def test_api_output_carries_flags(api, admin):
    response = api.post(
        "/api/v1/contacts",
        {"given_name": "I", "phones": [{"number": "12"}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert "phones.0.number" in body["data_flags"]
    assert body["phones"][0]["raw"] == "12" and body["phones"][0]["e164"] == ""
    assert any(w.startswith("phones.0.number") for w in body["warnings"])
    again = api.get(f"/api/v1/contacts/{body['id']}").json()
    assert again["data_flags"] == body["data_flags"]


def test_preview_api_standardises_and_writes_nothing(api):
    response = api.post(
        "/api/v1/contacts/standardise",
        {
            "name": "mary o'neil",
            "emails": [{"address": "Mary.ONeil+x@GoogleMail.com"}, {"address": "bad@"}],
            "phones": [{"number": "030 1234567"}],
            "country": "Germany",
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["fields"]["given_name"] == "Mary"
    assert body["fields"]["family_name"] == "O'Neil"
    assert body["fields"]["country"] == "DE"
    assert body["emails"][0]["match_key"] == "maryoneil@gmail.com"
    assert body["phones"][0]["e164"] == "+49301234567"  # region from the record's country
    assert "emails.1.address" in body["errors"]
    assert body["warnings"]
    assert not Contact.objects.exists()
    schema = api.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/contacts/standardise"]["post"]
    assert {"200", "422"} <= set(operation["responses"])


def test_detail_page_shows_flags_and_form_preview(admin_client, admin):
    contact = save_contact(
        {"given_name": "J", "phones": ["not a number"]}, actor=admin, channel="ui"
    ).record
    body = admin_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Data to check" in body and "phones.0.number" in body
    form = admin_client.get(reverse("contacts:create")).content.decode()
    assert reverse("contacts:preview") in form and 'id="door-preview"' in form
    preview = admin_client.post(
        reverse("contacts:preview"),
        {
            "given_name": "JOHN",
            "family_name": "MCDONALD",
            "emails": "info@acme.com",
            "phones": "0171 1234567",
            "country": "DE",
            "lifecycle_stage": "lead",
            "addresses-TOTAL_FORMS": "1",
            "addresses-INITIAL_FORMS": "0",
        },
    )
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "John McDonald" in text and "+491711234567" in text and "role address" in text
    assert not Contact.objects.filter(given_name="John").exists()
