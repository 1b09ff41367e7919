"""Import end to end on the real database: create, update, upsert, rejects, revert, history."""

from __future__ import annotations

import csv
import io

import pytest

from tidycrm.audit.models import ChangeRecord as Change
from tidycrm.companies.models import Company
from tidycrm.contacts.models import Contact
from tidycrm.core.models import JobStatus
from tidycrm.intake import services
from tidycrm.intake.choices import Stage

pytestmark = pytest.mark.django_db

STANDARD = (
    "external_id,first_name,last_name,email,phone,company,job_title,street,city,country\n"
    "A1,Ada,Lovelace,ada@example.com,+44 20 7946 0018,Analytical Ltd,Countess,"
    "1 Engine Row,London,UK\n"
    "A2,Kurt,Gödel,kurt@example.com,030 1234567,Logik GmbH,,Hauptstraße 1,Berlin,Deutschland\n"
    "A3,,,,,,Boss,,,\n"
)


def test_standard_header_needs_no_options(admin, run_file):
    imp = run_file("people.csv", STANDARD, admin)
    assert imp.stage == Stage.DONE
    assert imp.job.status == JobStatus.SUCCEEDED
    assert imp.job.result["created"] == 2
    assert imp.job.result["rejected"] == 1
    ada = Contact.objects.get(external_id="A1")
    assert ada.given_name == "Ada"
    assert ada.emails.get().address == "ada@example.com"
    assert ada.phones.get().e164 == "+442079460018"
    assert ada.affiliations.get().company.name.startswith("Analytical")
    assert ada.addresses.get().city == "London"
    kurt = Contact.objects.get(external_id="A2")
    assert kurt.country == "DE"
    reject = imp.rejects.get()
    assert reject.row_number == 4
    assert "name" in reject.errors


def test_source_in_history(admin, run_file):
    imp = run_file("people.csv", STANDARD, admin)
    ada = Contact.objects.get(external_id="A1")
    change = Change.objects.filter(object_id=ada.pk, action="create").first()
    assert change is not None
    assert change.source == {"file": "people.csv", "row": 2, "import_job": imp.pk}


def test_upsert_updates_and_revert_restores(admin, run_file):
    run_file("people.csv", STANDARD, admin)
    ada = Contact.objects.get(external_id="A1")
    before_title = ada.job_title
    second = (
        "external_id,first_name,job_title,email,tags\n"
        "A1,Ada,Mathematician,ada.l@example.com,vip\n"
        "A9,New,Person,new@example.com,\n"
    )
    imp = run_file("update.csv", second, admin, mode="upsert")
    assert imp.job.result["updated"] == 1
    assert imp.job.result["created"] == 1
    ada.refresh_from_db()
    assert ada.job_title == "Mathematician"
    assert {e.address for e in ada.emails.all()} == {"ada@example.com", "ada.l@example.com"}
    services.start_revert(imp, actor=admin, inline=True)
    imp.refresh_from_db()
    assert imp.stage == Stage.REVERTED
    ada.refresh_from_db()
    assert ada.job_title == before_title
    assert {e.address for e in ada.emails.all()} == {"ada@example.com"}
    assert not Contact.objects.filter(external_id="A9").exists()
    assert Change.objects.filter(object_id=ada.pk, channel="import").count() >= 3


def test_revert_of_creates_removes_contacts_and_new_companies(admin, run_file):
    imp = run_file("people.csv", STANDARD, admin)
    assert Company.objects.count() == 2
    services.start_revert(imp, actor=admin, inline=True)
    assert Contact.objects.count() == 0
    assert Company.objects.count() == 0


def test_create_only_rejects_existing(admin, run_file):
    run_file("people.csv", STANDARD, admin)
    imp = run_file("people.csv", STANDARD, admin, mode="create")
    assert imp.job.result["created"] == 0
    assert imp.job.result["rejected"] == 3
    assert "exists already" in str(imp.rejects.first().errors)


def test_update_only_rejects_unknown(admin, run_file):
    imp = run_file("u.csv", "external_id,first_name\nZZ,Nobody\n", admin, mode="update")
    assert imp.job.result["rejected"] == 1
    assert Contact.objects.count() == 0
    assert imp.rejects.get().errors == {"external_id": ["no contact has this external_id."]}


def test_match_on_email(admin, run_file):
    run_file("people.csv", STANDARD, admin)
    imp = run_file(
        "m.csv", "Email,Job Title\nADA@example.com,Poet\n", admin, mode="update", match=["email"]
    )
    assert imp.job.result["updated"] == 1
    assert Contact.objects.get(external_id="A1").job_title == "Poet"


def test_match_on_chosen_fields(admin, run_file):
    run_file("people.csv", STANDARD, admin)
    imp = run_file(
        "m.csv",
        "First Name,Last Name,Department\nada,LOVELACE,Research\n",
        admin,
        mode="update",
        match=["given_name", "family_name"],
    )
    assert imp.job.result["updated"] == 1, list(imp.rejects.values_list("errors", flat=True))
    assert Contact.objects.get(external_id="A1").department == "Research"


def test_same_key_twice_in_file_creates_then_updates(admin, run_file):
    data = "external_id,first_name,job_title\nD1,Dora,\nD1,Dora,Pilot\n"
    imp = run_file("d.csv", data, admin)
    assert imp.job.result["created"] == 1
    assert imp.job.result["updated"] == 1
    assert Contact.objects.get(external_id="D1").job_title == "Pilot"


def test_dry_run_writes_nothing(admin, imports_dir, write_file):
    path = write_file("people.csv", STANDARD)
    with path.open("rb") as stream:
        imp = services.create_import(stream, "people.csv", actor=admin)
    services.start_preview(imp, actor=admin, inline=True)
    assert imp.preview["created"] == 2
    assert imp.preview["rejected"] == 1
    assert imp.preview["problems"][0]["row"] == 4
    assert imp.preview["problems"][0]["field"] == "name"
    assert Contact.objects.count() == 0
    assert Company.objects.count() == 0


def test_rejects_report_reimports(admin, run_file, write_file):
    imp = run_file("people.csv", STANDARD, admin)
    report = b"".join(services.rejects_csv(imp)).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(report)))
    assert rows[0][-1] == "_errors"
    assert rows[0][:-1] == imp.header
    assert rows[1][0] == "A3"
    assert "name" in rows[1][-1]
    rows[1][3] = "bad.mail@example.com"
    fixed = io.StringIO()
    csv.writer(fixed).writerows(rows)
    again = run_file("fixed.csv", fixed.getvalue(), admin)
    assert again.job.result["created"] == 1
    assert Contact.objects.get(external_id="A3").emails.get().address == "bad.mail@example.com"


def test_all_or_nothing_imports_nothing(admin, run_file):
    imp = run_file("people.csv", STANDARD, admin, skip_invalid=False)
    assert imp.stage == Stage.FAILED
    assert "1 rows have problems" in imp.job.error
    assert Contact.objects.count() == 0


def test_formula_cells_rejected_escaped_ones_kept(admin, run_file):
    data = 'external_id,first_name,job_title\nF1,Eve,"=HYPERLINK(""http://x"")"\nF2,Fay,\'=1+2\n'
    imp = run_file("f.csv", data, admin)
    assert imp.job.result["created"] == 1
    assert "formula" in str(imp.rejects.get().errors["job_title"])
    assert Contact.objects.get(external_id="F2").job_title == "=1+2"


def test_custom_fields_tags_and_defaults(admin, run_file):
    from tidycrm.customfields.models import CustomFieldDefinition

    CustomFieldDefinition.objects.create(
        record_type="contact", key="shoe_size", label="Shoe size", field_type="text"
    )
    data = 'E-Mail,Vorname,Nachname,Shoe size,Tags\nk@example.com,Kai,Berg,44,"a, b"\n'
    imp = run_file("de.csv", data, admin)
    contact = Contact.objects.get()
    assert imp.job.result["created"] == 1
    assert contact.given_name == "Kai"
    assert contact.custom_fields == {"shoe_size": "44"}
    from tidycrm.tags.selectors import tag_names_for

    assert sorted(tag_names_for([contact])[contact.pk]) == ["a", "b"]


def test_cancel_before_a_chunk_writes_nothing(admin, imports_dir, write_file):
    from tidycrm.core.jobs import request_cancel
    from tidycrm.intake.runner import run_import

    path = write_file("people.csv", STANDARD)
    with path.open("rb") as stream:
        imp = services.create_import(stream, "people.csv", actor=admin)
    services.start_import(imp, actor=admin, inline=True)
    request_cancel(imp.job_id)
    job = run_import(imp.pk)
    imp.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert imp.stage == Stage.CANCELLED
    assert Contact.objects.count() == 0


def test_broken_file_mid_way_all_or_nothing_removes_written_rows(admin, run_file, settings):
    """A quote that never closes, found after earlier chunks were written: with all-or-nothing
    the written rows are removed again and the message says why."""
    import csv as csv_module

    settings.TIDYCRM_IMPORT_CHUNK_ROWS = 2
    good = "".join(f"G{i},Good{i},Row,g{i}@example.com\n" for i in range(6))
    data = (
        "external_id,first_name,last_name,email\n"
        + good
        + 'G9,"Broken,Row,x\n'
        + "y,y,y,y\n" * 5000
    )
    old = csv_module.field_size_limit(10_000)
    try:
        imp = run_file("broken.csv", data, admin, skip_invalid=False)
    finally:
        csv_module.field_size_limit(old)
    assert imp.stage == Stage.FAILED
    assert "quote" in imp.job.error
    assert "removed again" in imp.job.error
    assert Contact.objects.count() == 0


def test_broken_file_mid_way_keeps_valid_rows_when_skipping(admin, run_file, settings):
    import csv as csv_module

    settings.TIDYCRM_IMPORT_CHUNK_ROWS = 2
    good = "".join(f"G{i},Good{i},Row,g{i}@example.com\n" for i in range(6))
    data = (
        "external_id,first_name,last_name,email\n"
        + good
        + 'G9,"Broken,Row,x\n'
        + "y,y,y,y\n" * 5000
    )
    old = csv_module.field_size_limit(10_000)
    try:
        imp = run_file("broken.csv", data, admin)
    finally:
        csv_module.field_size_limit(old)
    assert imp.stage == Stage.FAILED
    assert "quote" in imp.job.error
    assert Contact.objects.count() == 6


def test_a_row_repeated_as_is_is_unchanged_and_a_changed_one_updates(admin, run_file):
    content = (
        "external_id,first_name,last_name,job_title\n"
        "R1,Rita,Moreno,Actor\n"
        "R1,Rita,Moreno,Actor\n"
        "R2,Sam,Cole,Chef\n"
        "R2,Sam,Cole,Head chef\n"
    )
    imp = run_file("repeats.csv", content, admin)
    assert imp.job.result["created"] == 2
    assert imp.job.result["unchanged"] == 1
    assert imp.job.result["updated"] == 1
    assert Contact.objects.get(external_id="R2").job_title == "Head chef"
    assert Contact.objects.filter(external_id="R1").count() == 1
