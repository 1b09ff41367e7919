"""`tidycrm import FILE` in-process: dry run, import with the rejects file, revert."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tidycrm.cli import app
from tidycrm.contacts.models import Contact
from tidycrm.intake.models import Import

pytestmark = pytest.mark.django_db
CSV = (
    "external_id,first_name,last_name,email,company\n"
    "C1,Ann,Lee,ann@example.com,Acme\n"
    "C2,,,,Nobody\n"
)


def test_import_dry_run_then_import_then_revert(imports_dir, write_file):
    path = write_file("people.csv", CSV)
    runner = CliRunner()
    result = runner.invoke(app, ["import", str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "1 to create, 0 to update, 1 to reject" in result.output
    assert "row 3: name" in result.output
    assert not Contact.objects.exists()
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in result.output
    report = path.with_name("people.rejects.csv").read_text(encoding="utf-8-sig")
    assert report.splitlines()[0].endswith(",_errors")
    assert Contact.objects.get().external_id == "C1"
    imp = Import.objects.latest("created_at")
    result = runner.invoke(app, ["import-revert", str(imp.pk)])
    assert result.exit_code == 0, result.output
    assert not Contact.objects.exists()


def test_bad_file_exits_with_the_message(imports_dir, write_file):
    path = write_file("x.csv", b"%PDF-1.4\n")
    result = CliRunner().invoke(app, ["import", str(path)])
    assert result.exit_code == 1
    assert "PDF document" in result.output


def test_map_and_defaults_options(imports_dir, write_file):
    path = write_file("odd.csv", "Kontakt-Mail,Wer\nz@example.com,Zed Zulu\n")
    result = CliRunner().invoke(
        app,
        ["import", str(path), "--map", "Kontakt-Mail=email", "--map", "Wer=name",
         "--default", "country=DE", "--match", "email"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    contact = Contact.objects.get()
    assert (contact.given_name, contact.family_name, contact.country) == ("Zed", "Zulu", "DE")
