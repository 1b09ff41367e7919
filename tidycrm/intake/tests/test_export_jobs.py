"""Long lists are exported by a background job: progress, a download when done, cleanup."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tidycrm.contacts.services import save_contact
from tidycrm.core.jobs import request_cancel
from tidycrm.core.models import Job, JobStatus
from tidycrm.intake import export_jobs


@pytest.fixture
def contacts(admin: Any, settings: Any, tmp_path: Any) -> list[Any]:
    settings.DATA_DIR = tmp_path
    settings.TIDYCRM_EXPORT_INLINE_ROWS = 2
    return [
        save_contact(
            {"given_name": name, "family_name": "Export", "emails": [f"{name}@example.com"]},
            actor=admin,
            channel="api",
        ).record
        for name in ("ada", "grace", "kurt")
    ]


def _rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _file(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.django_db(transaction=True)
def test_a_long_list_becomes_a_job_the_worker_runs(admin: Any, contacts: list[Any]) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.csv?q=export")
    assert response.status_code == 302
    job = Job.objects.get(kind="export")
    assert response["Location"] == f"/export/jobs/{job.pk}/"
    page = client.get(response["Location"])
    assert b"Queued" in page.content and b"every 1s" in page.content
    call_command("db_worker", "--batch", "--no-startup-delay")
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    partial = client.get(f"/export/jobs/{job.pk}/", headers={"HX-Request": "true"})
    assert b"Download contacts.csv" in partial.content and b"every 1s" not in partial.content
    download = client.get(f"/export/jobs/{job.pk}/file")
    assert download["Content-Disposition"].startswith('attachment; filename="contacts.csv"')
    rows = _rows(_file(download))
    assert sorted(r["email"] for r in rows) == [
        f"{n}@example.com" for n in ("ada", "grace", "kurt")
    ]


@pytest.mark.django_db
def test_a_short_list_is_still_streamed_in_the_request(admin: Any, contacts: list[Any]) -> None:
    client = Client()
    client.force_login(admin)
    response = client.get("/export/contacts.csv?q=ada")
    assert response.status_code == 200
    assert [r["email"] for r in _rows(_file(response))] == ["ada@example.com"]
    assert not Job.objects.filter(kind="export").exists()


@pytest.mark.django_db
def test_only_the_owner_or_an_admin_sees_an_export(
    admin: Any, make_user: Any, contacts: list[Any]
) -> None:
    seller, other = make_user("sales"), make_user("sales")
    job = export_jobs.start_export(seller, "contacts", "csv", {}, inline=True)
    assert job.status == JobStatus.SUCCEEDED
    assert job.total == 0  # a sales user sees only the contacts they own
    client = Client()
    client.force_login(other)
    assert client.get(f"/export/jobs/{job.pk}/").status_code == 404
    assert client.get(f"/export/jobs/{job.pk}/file").status_code == 404
    client.force_login(admin)
    assert client.get(f"/export/jobs/{job.pk}/file").status_code == 200


@pytest.mark.django_db
def test_api_export_job_flow_and_errors(api_token: str, admin: Any, contacts: list[Any]) -> None:
    api = Client(headers={"Authorization": f"Bearer {api_token}"})
    created = api.post(
        "/api/v1/exports/jobs",
        {"kind": "contacts", "format": "xlsx", "filters": {"q": "export"}},
        content_type="application/json",
    )
    assert created.status_code == 202
    body = created.json()
    assert body["job"]["status"] == "queued" and body["download_url"] is None
    export_jobs.run_export(body["id"])
    got = api.get(f"/api/v1/exports/jobs/{body['id']}").json()
    assert got["job"]["status"] == "succeeded" and got["job"]["result"]["rows"] == 3
    data = _file(api.get(got["download_url"]))
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        assert "xl/workbook.xml" in book.namelist()
    bad = api.post(
        "/api/v1/exports/jobs",
        {"kind": "companies", "format": "vcf"},
        content_type="application/json",
    )
    assert bad.status_code == 422
    assert "format" in bad.json()["errors"]
    unknown = api.post(
        "/api/v1/exports/jobs",
        {"kind": "contacts", "format": "csv", "filters": {"colour": "red"}},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert api.get("/api/v1/exports/jobs/999999").status_code == 404


@pytest.mark.django_db
def test_unfinished_export_cannot_be_downloaded(api_token: str, contacts: list[Any]) -> None:
    api = Client(headers={"Authorization": f"Bearer {api_token}"})
    created = api.post(
        "/api/v1/exports/jobs", {"kind": "contacts", "format": "csv"}, "application/json"
    ).json()
    response = api.get(f"/api/v1/exports/jobs/{created['id']}/file")
    assert response.status_code == 409
    assert "not finished" in response.json()["detail"]


@pytest.mark.django_db
def test_cancelled_export_leaves_no_file(admin: Any, contacts: list[Any]) -> None:
    job = export_jobs.start_export(admin, "contacts", "vcf", {})
    request_cancel(job.pk)
    job = export_jobs.run_export(job.pk)
    assert job.status == JobStatus.CANCELLED
    assert not list(export_jobs.export_dir().iterdir())


@pytest.mark.django_db
def test_old_export_files_are_deleted(admin: Any, contacts: list[Any]) -> None:
    job = export_jobs.start_export(admin, "companies", "csv", {}, inline=True)
    path = export_jobs.export_dir() / job.result["file"]
    assert path.is_file()
    assert export_jobs.purge_exports() == 0
    Job.objects.filter(pk=job.pk).update(finished_at=timezone.now() - timedelta(days=8))
    out = io.StringIO()
    call_command("purge_import_files", stdout=out)
    assert "1 exports older than 7 days" in out.getvalue()
    assert not path.exists()
    client = Client()
    client.force_login(admin)
    gone = client.get(f"/export/jobs/{job.pk}/file")
    assert gone.status_code == 409
    assert b"was deleted after 7 days" in gone.content
