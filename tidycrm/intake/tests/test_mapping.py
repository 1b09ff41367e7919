"""Header names in six languages and six CRMs' export formats map to the right fields."""

from __future__ import annotations

import pytest

from tidycrm.intake.mapping import build_input, cell_value, check_mapping, suggest_mapping


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Vorname", "Nachname", "E-Mail", "Telefon", "Firma", "PLZ", "Ort", "Land"],
         ["given_name", "family_name", "email", "phone", "company", "postal_code", "city",
          "country"]),
        (["Ad", "Soyad", "E-posta", "Cep Telefonu", "Şirket", "Şehir", "Ülke"],
         ["given_name", "family_name", "email", "mobile", "company", "city", "country"]),
        (["Prénom", "Nom", "Courriel", "Téléphone", "Société", "Code postal", "Ville", "Pays"],
         ["given_name", "family_name", "email", "phone", "company", "postal_code", "city",
          "country"]),
        (["Nombre", "Apellidos", "Correo electrónico", "Teléfono", "Empresa", "Ciudad", "País"],
         ["given_name", "family_name", "email", "phone", "company", "city", "country"]),
        (["이름", "성", "이메일", "전화", "회사", "주소"],
         ["given_name", "family_name", "email", "phone", "company", "street"]),
        # HubSpot
        (["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Company Name",
          "Lifecycle Stage", "Country/Region"],
         ["external_id", "given_name", "family_name", "email", "phone", "company",
          "lifecycle_stage", "country"]),
        # Salesforce
        (["Contact ID", "First Name", "Last Name", "Title", "Account Name", "Mailing Street",
          "Mailing City", "Mailing State/Province", "Mailing Zip/Postal Code", "Mobile Phone",
          "Lead Source"],
         ["external_id", "given_name", "family_name", "job_title", "company", "street", "city",
          "region", "postal_code", "mobile", "lead_source"]),
        # Google Contacts
        (["Name", "Given Name", "Family Name", "E-mail 1 - Value", "E-mail 2 - Value",
          "Phone 1 - Value", "Organization 1 - Name", "Organization 1 - Title",
          "Address 1 - Street", "Address 1 - City", "Address 1 - Postal Code"],
         ["name", "given_name", "family_name", "email", "email_2", "phone", "company",
          "job_title", "street", "city", "postal_code"]),
        # Outlook
        (["First Name", "Last Name", "E-mail Address", "E-mail 2 Address", "Business Phone",
          "Home Phone", "Mobile Phone", "Company", "Job Title", "Business Street",
          "Business City", "Business Postal Code", "Business Country/Region"],
         ["given_name", "family_name", "email", "email_2", "work_phone", "home_phone", "mobile",
          "company", "job_title", "street", "city", "postal_code", "country"]),
        # Pipedrive
        (["Person - Name", "Person - Email - Work", "Person - Phone - Mobile",
          "Person - Organization"],
         ["name", "email", "mobile", "company"]),
        # Zoho
        (["Record Id", "First Name", "Last Name", "Email", "Mobile", "Account Name"],
         ["external_id", "given_name", "family_name", "email", "mobile", "company"]),
        # our own names
        (["external_id", "first_name", "last_name", "email", "phone", "company", "job_title",
          "street", "city", "country", "cf:shoe_size", "_errors"],
         ["external_id", "given_name", "family_name", "email", "phone", "company", "job_title",
          "street", "city", "country", "cf:shoe_size", None]),
    ],
)  # fmt: skip
def test_suggestions(header, expected):
    mapping = suggest_mapping(header)
    assert [mapping.get(i) for i in range(len(header))] == expected


def test_custom_field_labels_suggested():
    assert suggest_mapping(["Shoe size"], {"shoe size": "shoe_size"}) == {0: "cf:shoe_size"}


def test_build_input_flattens_into_the_door_shape():
    mapping = {
        0: "email",
        1: "mobile",
        2: "street",
        3: "city",
        4: "tags",
        5: "cf:size",
        6: "company",
    }
    row = ["a@example.com", "0170 1234567", "Hauptstr. 1", "Berlin", "vip; new", "44", "Acme"]
    built = build_input(row, mapping, {"country": "DE"})
    assert built.data["emails"] == [{"address": "a@example.com", "label": "work"}]
    assert built.data["phones"] == [{"number": "0170 1234567", "label": "mobile"}]
    assert built.data["addresses"][0]["street"] == "Hauptstr. 1"
    assert built.data["addresses"][0]["country"] == "DE"
    assert built.data["country"] == "DE"
    assert built.data["tags"] == ["vip", "new"]
    assert built.data["custom_fields"] == {"size": "44"}
    assert built.company == "Acme"


@pytest.mark.parametrize(
    ("raw", "value", "problem"),
    [
        ("=1+2", "", "formula"),
        ("\uff1dSUM(A1)", "", "formula"),
        ("@SUM(A1:A3)", "", "formula"),
        ("+49 30 1234", "+49 30 1234", ""),
        ("-", "-", ""),
        ("'=1+2", "=1+2", ""),
        ("Plain", "Plain", ""),
    ],
)
def test_formula_cells(raw, value, problem):
    got, issue = cell_value(raw)
    assert got == value
    assert (problem in issue) if problem else issue == ""


def test_check_mapping_names_the_problem():
    errors = check_mapping({0: "email", 1: "email", 5: "x", 2: "nonsense"}, 3)
    assert errors["mapping.1"] == ["'email' is already mapped from column 0."]
    assert "does not exist" in errors["mapping.5"][0]
    assert "not a field" in errors["mapping.2"][0]
