"""Exports through the UI, the API and the CLI: filters, visibility, formats, round trip."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
import vobject
from django.test import Client

from tidycrm.audit.choices import Action
from tidycrm.audit.models import ChangeRecord
from tidycrm.companies.models import Company
from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.customfields.models import CustomFieldDefinition
from tidycrm.intake.exports import export_contacts, import_rows, import_vcards
from tidycrm.intake.formats.spreadsheet import unescape_cell

pytestmark = pytest.mark.django_db


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def people(admin: Any) -> dict[str, Contact]:
    CustomFieldDefinition.objects.create(
        record_type="contact", key="shoe_size", label="Shoe size", field_type="integer"
    )
    CustomFieldDefinition.objects.create(
        record_type="contact",
        key="channels",
        label="Channels",
        field_type="multi_choice",
        choices=["mail", "phone", "sms"],
    )
    acme = save_company({"name": "ACME, Inc."}, actor=admin, channel="system").record
    ada = save_contact(
        {
            "honorific": "Dr.",
            "given_name": "Ada",
            "family_name": "Lovelace",
            "emails": [
                {"address": "ada@example.com"},
                {"address": "ada@home.example", "label": "home"},
                {"address": "ada@third.example", "label": "other"},
            ],
            "phones": [
                {"number": "+44 20 7946 0958", "label": "mobile"},
                {"number": "+49 30 1234567 ext. 12"},
            ],
            "addresses": [
                {
                    "street": "12 Baker St",
                    "city": "London",
                    "postal_code": "NW1 6XE",
                    "country": "GB",
                    "label": "home",
                },
                {"street": "Hauptstr. 1", "city": "Berlin", "country": "DE"},
            ],
            "companies": [{"company_id": acme.pk, "job_title": "Analyst"}],
            "job_title": "Analyst",
            "department": "Engines",
            "city": "London",
            "country": "GB",
            "lifecycle_stage": "customer",
            "lead_source": "referral",
            "tags": ["vip", "newsletter"],
            "birthday": "1985-12-10",
            "notes": '=HYPERLINK("http://evil")\nsecond line, with comma',
            "social_profiles": ["https://www.linkedin.com/in/ada"],
            "custom_fields": {"shoe_size": 38, "channels": ["mail", "sms"]},
            "external_id": "-CRM-1",
        },
        actor=admin,
        channel="system",
    ).record
    mail_only = save_contact(
        {"emails": ["only@example.com"], "country": "DE"}, actor=admin, channel="system"
    ).record
    return {"ada": ada, "mail_only": mail_only, "acme": acme}  # type: ignore[dict-item]


def test_csv_has_the_standard_columns_and_neutralised_formulas(
    admin: Any, people: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="contacts.csv"' in response["Content-Disposition"]
    rows = {r["id"]: r for r in csv_rows(body(response))}
    ada = rows[str(people["ada"].pk)]
    assert ada["first_name"] == "Ada" and ada["last_name"] == "Lovelace"
    assert ada["email"] == "ada@example.com" and ada["email_label"] == ""
    assert ada["email_3"] == "ada@third.example" and ada["email_3_label"] == "other"
    assert ada["phone"] == "'+442079460958" and ada["phone_label"] == "mobile"
    assert ada["phone_2"] == "'+49301234567 ext. 12"
    assert ada["notes"].startswith("'=HYPERLINK")
    assert ada["external_id"] == "'-CRM-1"
    assert ada["company"] == "ACME, Inc."
    assert ada["tags"] == "newsletter, vip"
    assert ada["cf:shoe_size"] == "38" and ada["cf:channels"] == "mail; sms"
    assert ada["address_2_street"] == "Hauptstr. 1"
    assert ada["birthday"] == "1985-12-10"
    assert rows[str(people["mail_only"].pk)]["email"] == "only@example.com"


def test_filters_of_the_list_apply(admin: Any, people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.csv?country=DE&sort=-name&cursor=&col=email")
    assert [r["id"] for r in csv_rows(body(response))] == [str(people["mail_only"].pk)]
    response = client.get("/export/contacts.csv?tag=VIP&cf=shoe_size:38")
    assert [r["id"] for r in csv_rows(body(response))] == [str(people["ada"].pk)]
    bad = client.get("/export/contacts.csv?lifecycle_stage=nonsense")
    assert bad.status_code == 400
    assert "lifecycle_stage" in bad.content.decode()
    unknown = client.get("/export/contacts.csv?colour=red")
    assert unknown.status_code == 400 and "colour" in unknown.content.decode()


def test_only_what_the_user_can_see(make_user: Any, admin: Any, people: dict[str, Any]) -> None:
    seller = make_user("sales")
    mine = save_contact({"name": "Own Person"}, actor=seller, channel="ui").record
    client = Client()
    client.force_login(seller)
    rows = csv_rows(body(client.get("/export/contacts.csv")))
    assert [r["id"] for r in rows] == [str(mine.pk)]
    vcf = body(client.get("/export/contacts.vcf")).decode()
    assert vcf.count("BEGIN:VCARD") == 1 and "Own Person" in vcf
    reader = make_user("read_only")
    client.force_login(reader)
    assert len(csv_rows(body(client.get("/export/contacts.csv")))) == 3


def test_anonymous_users_are_sent_to_log_in() -> None:
    response = Client().get("/export/contacts.csv")
    assert response.status_code == 302 and "login" in response["Location"]


def test_xlsx_is_text_only_and_escaped(admin: Any, people: dict[str, Any]) -> None:
    from python_calamine import CalamineWorkbook

    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.xlsx?country=GB")
    assert response.status_code == 200
    data = body(response)
    assert data[:2] == b"PK"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    header, *rows = sheet
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["phone"] == "'+442079460958"
    assert row["notes"].startswith("'=HYPERLINK")
    assert row["postal_code"] == "NW1 6XE"


def test_vcard_export_is_valid_for_an_independent_parser(
    admin: Any, people: dict[str, Any]
) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.vcf")
    assert response["Content-Type"].startswith("text/vcard")
    cards = list(vobject.readComponents(body(response).decode()))
    assert len(cards) == 2
    ada = next(c for c in cards if c.uid.value.endswith(f":{people['ada'].pk}"))
    assert ada.n.value.family == "Lovelace"
    assert ada.tel.value == "tel:+442079460958"
    assert ada.org.value == ["ACME, Inc.", "Engines"]
    assert ada.categories.value == ["newsletter", "vip"]
    assert ada.url.value == "https://linkedin.com/in/ada"


def test_companies_export(admin: Any, people: dict[str, Any]) -> None:
    save_company(
        {"name": "Globex", "domains": ["globex.example"], "industry": "Energy"},
        actor=admin,
        channel="system",
    )
    client = Client()
    client.force_login(admin)
    rows = csv_rows(body(client.get("/export/companies.csv?industry=energy")))
    assert [(r["name"], r["domains"]) for r in rows] == [("Globex", "globex.example")]
    assert client.get("/export/companies.xlsx").status_code == 200
    assert client.get("/export/companies.vcf").status_code == 404


def test_export_then_import_changes_nothing(admin: Any, people: dict[str, Any]) -> None:
    """Every exported row goes back through the door as an update: no field, child, tag or
    custom value changes, so no update with changes is recorded."""
    export = export_contacts(admin, "csv", {})
    rows = csv_rows(b"".join(export.chunks or ()))
    before = ChangeRecord.objects.count()
    versions = dict(Contact.objects.values_list("pk", "version"))
    result = import_rows(rows, actor=admin, source="contacts.csv")
    assert result.errors == {}
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    changed = ChangeRecord.objects.filter(action=Action.UPDATE).exclude(changes={})
    assert not changed.exists()
    assert ChangeRecord.objects.filter(action=Action.CREATE).count() + 0 <= before
    assert dict(Contact.objects.values_list("pk", "version")) == versions
    # The cells themselves come back exactly.
    assert unescape_cell(rows[0]["phone"]) in {"+442079460958", ""}


def test_vcard_export_then_import_changes_nothing(admin: Any, people: dict[str, Any]) -> None:
    vcf = b"".join(export_contacts(admin, "vcf", {}).chunks or ())
    versions = dict(Contact.objects.values_list("pk", "version"))
    result = import_vcards([vcf], actor=admin)
    assert result.errors == {}
    changes = list(
        ChangeRecord.objects.filter(action=Action.UPDATE).values_list("changes", flat=True)
    )
    assert changes == []
    assert result.unchanged == 2 and result.created == 0
    assert dict(Contact.objects.values_list("pk", "version")) == versions


def test_vcard_import_creates_contacts_through_the_door(admin: Any) -> None:
    text = (
        "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hopper;Grace;;;\r\nFN:Grace Hopper\r\n"
        "EMAIL;TYPE=INTERNET:GRACE@Example.COM\r\nTEL;TYPE=CELL:+1 202 555 0143\r\n"
        "ORG:Navy\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:\r\nEND:VCARD\r\n"
    )
    result = import_vcards([text.encode()], actor=admin, source="phone.vcf")
    assert result.created == 1 and result.rejected == 1
    assert "name" in result.errors[1]
    grace = Contact.objects.get(family_name="Hopper")
    assert grace.emails.get().address == "GRACE@example.com"
    assert grace.phones.get().e164 == "+12025550143"
    assert grace.affiliations.get().company.name == "Navy"
    record = ChangeRecord.objects.get(
        object_id=grace.pk, action=Action.CREATE, content_type__model="contact"
    )
    assert record.channel == "import" and record.source == {"file": "phone.vcf", "row": 1}


def test_vcard_import_creates_the_companies_it_names_once_and_set_based(admin: Any) -> None:
    """Companies named by a vCard file are found or created per batch, set-based, as the file
    import does (they were created one at a time): each name, however spelt, is one company."""
    save_company({"name": "Globex"}, actor=admin, channel="system")
    cards = [
        ("Hopper", "Navy"),
        ("Lovelace", " NAVY "),
        ("Turing", "Bletchley Park"),
        ("Noether", "globex"),
    ]
    text = "".join(
        f"BEGIN:VCARD\r\nVERSION:3.0\r\nN:{family};Ann;;;\r\nFN:Ann {family}\r\n"
        f"ORG:{org}\r\nEND:VCARD\r\n"
        for family, org in cards
    )
    result = import_vcards([text.encode()], actor=admin, source="team.vcf")
    assert (result.created, result.rejected) == (4, 0)
    names = dict(Contact.objects.values_list("family_name", "affiliations__company__name"))
    assert names == {
        "Hopper": "Navy",
        "Lovelace": "Navy",
        "Turing": "Bletchley Park",
        "Noether": "Globex",
    }
    assert Company.objects.count() == 3
    # Created by the import's company resolution, each with the first row naming it as source.
    created = ChangeRecord.objects.filter(action=Action.CREATE, content_type__model="company")
    sources = dict(created.filter(channel="import").values_list("object_repr", "source"))
    assert sources == {
        "Navy": {"file": "team.vcf", "row": 1},
        "Bletchley Park": {"file": "team.vcf", "row": 3},
    }


def test_api_exports_with_the_list_filters(api_token: str, people: dict[str, Any]) -> None:
    client = Client(headers={"Authorization": f"Bearer {api_token}"})
    response = client.get("/api/v1/exports/contacts.csv", {"country": "DE"})
    assert response.status_code == 200
    assert [r["id"] for r in csv_rows(body(response))] == [str(people["mail_only"].pk)]
    vcf = client.get("/api/v1/exports/contacts.vcf", {"tag": "vip"})
    assert body(vcf).decode().count("BEGIN:VCARD") == 1
    assert client.get("/api/v1/exports/companies.xlsx").status_code == 200
    bad = client.get("/api/v1/exports/contacts.csv", {"cf": "nope:1"})
    assert bad.status_code == 422 and "cf" in bad.json()["errors"]
    assert Client().get("/api/v1/exports/contacts.csv").status_code == 401


def test_cli_export(admin: Any, people: dict[str, Any], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from tidycrm.cli import app

    target = tmp_path / "out.xlsx"
    result = CliRunner().invoke(app, ["export", "contacts", str(target), "--filter", "country=GB"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:2] == b"PK"
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(
        app, ["export", "contacts", str(target), "--filter", "tag=vip", "--user", "admin"]
    )
    assert result.exit_code == 0, result.output
    assert len(csv_rows(target.read_bytes())) == 1
    result = CliRunner().invoke(app, ["export", "contacts", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and "format" in result.output


def test_rows_stream_in_keyset_chunks_with_fixed_queries_per_chunk(
    admin: Any, monkeypatch: Any, django_assert_max_num_queries: Any
) -> None:
    """Memory and queries grow with chunks, not rows: each chunk is one keyset query plus one
    per related collection, whatever the number of contacts in it."""
    from tidycrm.contacts.services import save_contacts_bulk
    from tidycrm.intake import exports

    rows = [
        {"name": f"Person {n}", "emails": [f"p{n}@example.com"], "phones": ["+4930123456"]}
        for n in range(120)
    ]
    assert not save_contacts_bulk(rows, actor=admin, channel="import").errors
    monkeypatch.setattr(exports, "CHUNK", 50)
    monkeypatch.setattr(exports.in_chunks, "__defaults__", (50,))
    export = export_contacts(admin, "csv", {})
    # 3 chunks of rows + the empty end: 4 keyset queries; 5 related loads for each full chunk.
    with django_assert_max_num_queries(4 + 3 * 6):
        data = b"".join(export.chunks or ())
    assert len(csv_rows(data)) == 120


def test_list_pages_offer_export_of_the_current_filters(admin: Any, people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(admin)
    page = client.get("/?country=DE&sort=-name").content.decode()
    assert 'href="/export/contacts.csv?country=DE&amp;sort=-name"' in page
    assert 'href="/export/contacts.vcf?country=DE&amp;sort=-name"' in page
    partial = client.get("/?tag=vip", headers={"HX-Request": "true"}).content.decode()
    assert 'href="/export/contacts.xlsx?tag=vip"' in partial
    companies = client.get("/companies/?q=acme").content.decode()
    assert 'href="/export/companies.csv?q=acme"' in companies


def test_xlsx_beyond_excel_rows_is_a_clear_error(
    admin: Any, people: dict[str, Any], monkeypatch: Any
) -> None:
    from tidycrm.intake.formats import spreadsheet

    monkeypatch.setattr(spreadsheet, "XLSX_MAX_ROWS", 2)
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.xlsx")
    assert response.status_code == 400
    assert "export CSV instead" in response.content.decode()
