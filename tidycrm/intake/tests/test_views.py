"""Import pages: upload, mapping with samples, dry run report, start, live progress, revert."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tidycrm.contacts.models import Contact
from tidycrm.intake.models import Import
from tidycrm.intake.runner import run_import
from tidycrm.intake.services import run_preview, run_revert

pytestmark = pytest.mark.django_db
CSV = b"Vorname,Nachname,E-Mail,Firma\nJ\xc3\xbcrgen,M\xc3\xbcller,j@example.com,Acme GmbH\n,,,\n"


@pytest.fixture
def browser(client, admin, imports_dir):
    client.force_login(admin)
    return client


def test_upload_map_dry_run_start_revert(browser, django_capture_on_commit_callbacks):
    response = browser.post("/imports/", {"file": SimpleUploadedFile("de.csv", CSV)})
    imp = Import.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/imports/{imp.pk}/"
    page = browser.get(f"/imports/{imp.pk}/").content.decode()
    assert 'value="given_name" selected' in page
    assert "Jürgen" in page  # sample value beside its column
    form = {"col_0": "given_name", "col_1": "family_name", "col_2": "email", "col_3": "company"}
    form |= {"mode": "upsert", "match": "email", "skip_invalid": "on", "dry_run": "1"}
    with django_capture_on_commit_callbacks(execute=False):
        browser.post(f"/imports/{imp.pk}/configure/", form)
    run_preview(imp.pk)
    page = browser.get(f"/imports/{imp.pk}/").content.decode()
    assert "<strong>1</strong> to create" in page
    form.pop("dry_run")
    form["start"] = "1"
    with django_capture_on_commit_callbacks(execute=False):
        browser.post(f"/imports/{imp.pk}/configure/", form)
    imp.refresh_from_db()
    assert imp.stage == "importing"
    partial = browser.get(f"/imports/{imp.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial
    assert "<html" not in partial
    run_import(imp.pk)
    page = browser.get(f"/imports/{imp.pk}/").content.decode()
    assert "Revert this import" in page
    assert Contact.objects.get().family_name == "Müller"
    with django_capture_on_commit_callbacks(execute=False):
        browser.post(f"/imports/{imp.pk}/revert/")
    run_revert(imp.pk)
    assert not Contact.objects.exists()


def test_bad_upload_shows_message(browser):
    response = browser.post(
        "/imports/", {"file": SimpleUploadedFile("x.csv", b"\x89PNG\r\n\x1a\n")}, follow=True
    )
    assert "PNG image" in response.content.decode()
    assert not Import.objects.exists()


def test_someone_elses_import_is_404(client, make_user, browser):
    browser.post("/imports/", {"file": SimpleUploadedFile("de.csv", CSV)})
    imp = Import.objects.get()
    client.force_login(make_user("sales"))
    assert client.get(f"/imports/{imp.pk}/").status_code == 404
    assert client.get(f"/imports/{imp.pk}/rejects.csv").status_code == 404
