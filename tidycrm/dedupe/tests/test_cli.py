"""End to end from a fresh database: import a file, scan, export the pairs, merge by score."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tidycrm.cli import app
from tidycrm.contacts.models import Contact
from tidycrm.core.jobs import advance, create_job, start_job
from tidycrm.core.models import JobStatus
from tidycrm.dedupe.choices import SCAN_JOB
from tidycrm.dedupe.models import DuplicateGroup, Merge
from tidycrm.dedupe.services.scan import run_scan

runner = CliRunner()
pytestmark = pytest.mark.django_db

ROWS = [
    # external_id, first, last, email, phone, city, company
    ("a1", "Robert", "Miller", "bob.miller@acme.example", "+1 212 555 0101", "New York", "Acme"),
    ("a2", "Bob", "Miller", "bob.miller@acme.example", "(212) 555-0101", "New York", "ACME Inc."),
    ("b1", "Şule", "Yılmaz", "sule@example.com", "+90 212 555 0000", "Istanbul", ""),
    ("b2", "Sule", "Yilmaz", "sule@example.com", "", "Istanbul", ""),
    ("c1", "Hannah", "Schmidt", "hannah@firm.example", "+49 30 5550100", "Berlin", "Firm"),
    ("d1", "Kenji", "Watanabe", "kenji@shop.example", "+81 3 5550 0000", "Tokyo", "Shop"),
    ("e1", "Maria", "Garcia", "maria.garcia@mail.example", "+34 91 555 0000", "Madrid", ""),
]


def _csv(path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["external_id", "first_name", "last_name", "email", "phone", "city", "company"]
        )
        writer.writerows(ROWS)
    return path


def _pairs(path: Path) -> set[frozenset[str]]:
    with path.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert all(0 < float(r["score"]) <= 1 for r in rows)
    return {frozenset((r["external_id_a"], r["external_id_b"])) for r in rows}


def test_import_scan_export_merge(tmp_path: Path) -> None:
    imported = runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    assert imported.exit_code == 0, imported.output
    assert Contact.objects.count() == len(ROWS)

    scanned = runner.invoke(app, ["duplicates", "scan"])
    assert scanned.exit_code == 0, scanned.output
    assert "2 groups" in scanned.output

    out = tmp_path / "pairs.csv"
    exported = runner.invoke(app, ["duplicates", "export", str(out)])
    assert exported.exit_code == 0, exported.output
    assert _pairs(out) == {frozenset(("a1", "a2")), frozenset(("b1", "b2"))}

    merged = runner.invoke(app, ["duplicates", "merge", "--min-score", "0.5"])
    assert merged.exit_code == 0, merged.output
    assert "2 groups merged" in merged.output
    assert Contact.objects.count() == len(ROWS) - 2
    assert Merge.objects.count() == 2

    # A later import of the same file finds the survivors instead of re-creating anyone.
    again = runner.invoke(app, ["import", str(tmp_path / "contacts.csv")])
    assert again.exit_code == 0, again.output
    assert Contact.objects.count() == len(ROWS) - 2, again.output


def test_a_crashed_scan_resumes_from_its_checkpoint(tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    job = create_job(SCAN_JOB, params={"kind": "contact", "filters": {}})
    start_job(job.pk)
    advance(job.pk, done=3, checkpoint={"phase": "trained"})  # the worker died here
    resumed = runner.invoke(app, ["duplicates", "scan"])
    assert resumed.exit_code == 0, resumed.output
    assert f"Resuming scan #{job.pk}" in resumed.output
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert DuplicateGroup.objects.filter(scan=job).count() == 2
    assert run_scan(job.pk).status == JobStatus.SUCCEEDED  # finished: running again is a no-op
    assert DuplicateGroup.objects.count() == 2


def test_a_scan_that_fills_the_queue_refreshes_its_statistics(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The queue's tables are analyzed after a scan that wrote many rows (here: 3 or more)."""
    from tidycrm.core import planner

    analyzed: list[tuple[str, ...]] = []
    monkeypatch.setattr(planner, "AFTER_ROWS", 3)
    monkeypatch.setattr(planner, "refresh_statistics", lambda tables=(): analyzed.append(tables))
    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    analyzed.clear()  # the import's own refresh
    scanned = runner.invoke(app, ["duplicates", "scan"])
    assert scanned.exit_code == 0, scanned.output
    assert analyzed == [("dedupe_duplicategroup", "dedupe_duplicatemember", "dedupe_duplicatepair")]


def test_statistics_of_named_tables_are_gathered(tmp_path: Path) -> None:
    """A real ANALYZE of the queue's group table alone: the planner then counts its rows."""
    from django.db import connection

    from tidycrm.core import planner

    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    runner.invoke(app, ["duplicates", "scan"])
    planner.refresh_statistics(("dedupe_duplicategroup",))
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'dedupe_duplicategroup'")
            counted = int(cursor.fetchone()[0].split()[0])
        else:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'dedupe_duplicategroup'")
            counted = int(cursor.fetchone()[0])
    assert counted == DuplicateGroup.objects.count() == 2


def test_a_filtered_scan_only_groups_the_filtered_records(tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    scanned = runner.invoke(app, ["duplicates", "scan", "--filter", "q=Miller"])
    assert scanned.exit_code == 0, scanned.output
    [group] = DuplicateGroup.objects.all()
    names = set(
        Contact.objects.filter(pk__in=group.members.values("record_id")).values_list(
            "external_id", flat=True
        )
    )
    assert names == {"a1", "a2"}


def test_bad_input_is_a_clear_error() -> None:
    result = runner.invoke(app, ["duplicates", "merge", "--min-score", "3"])
    assert result.exit_code == 1
    assert "--min-score must be above 0" in result.output
    result = runner.invoke(app, ["duplicates", "scan", "--kind", "planet"])
    assert result.exit_code == 1
    assert "kind" in result.output


def test_an_import_matching_on_email_updates_the_survivor(tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    runner.invoke(app, ["duplicates", "scan"])
    runner.invoke(app, ["duplicates", "merge", "--min-score", "0.5"])
    survivor = Contact.objects.get(emails__key="sule@example.com")
    update = tmp_path / "update.csv"
    update.write_text("email,job_title\nsule@example.com,Architect\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(update), "--match", "email"])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    survivor.refresh_from_db()
    assert survivor.job_title == "Architect"
    assert Contact.objects.count() == len(ROWS) - 2


def test_an_import_row_with_a_merged_external_id_updates_the_survivor(tmp_path: Path) -> None:
    runner.invoke(app, ["import", str(_csv(tmp_path / "contacts.csv"))])
    runner.invoke(app, ["duplicates", "scan"])
    runner.invoke(app, ["duplicates", "merge", "--min-score", "0.5"])
    gone = {"a1", "a2"} - set(Contact.objects.values_list("external_id", flat=True))
    [merged_away] = gone
    survivor = Contact.objects.get(aliases__value=merged_away)
    again = tmp_path / "again.csv"
    again.write_text(f"external_id,first_name\n{merged_away},Rob\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(again)])
    assert result.exit_code == 0, result.output
    assert Contact.objects.count() == len(ROWS) - 2
    updated = Contact.objects.get(pk=survivor.pk)
    assert updated.given_name == "Rob"
    assert (
        updated.external_id == survivor.external_id
    )  # keeps its own id; the old one stays an alias
    assert not (tmp_path / "again.rejects.csv").exists()


def test_company_keys_scan_and_merge_from_the_command_line() -> None:
    from tidycrm.companies.models import Company, CompanyMatchKey
    from tidycrm.companies.services import save_company

    for name in ("Initech LLC", "INITECH, L.L.C.", "Globex"):
        save_company(
            {"name": name, "domains": ["initech.example"] if "nitech" in name.lower() else []},
            actor=None,
            channel="api",
        )
    CompanyMatchKey.objects.all().delete()
    rebuilt = runner.invoke(app, ["duplicates", "rebuild-keys", "--kind", "company"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert CompanyMatchKey.objects.filter(key="d:initech.example").count() == 2
    scanned = runner.invoke(app, ["duplicates", "scan", "--kind", "company"])
    assert scanned.exit_code == 0, scanned.output
    assert DuplicateGroup.objects.filter(kind="company").count() == 1
    merged = runner.invoke(app, ["duplicates", "merge", "--kind", "company", "--min-score", "0.5"])
    assert merged.exit_code == 0, merged.output
    assert sorted(Company.objects.values_list("name_key", flat=True)) == ["globex", "initech"]
    bad = runner.invoke(app, ["duplicates", "rebuild-keys", "--kind", "planet"])
    assert bad.exit_code == 1 and "--kind must be contact or company" in bad.output
