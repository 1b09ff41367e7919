"""Imports over the API: upload, configure, dry run, start, rejects, revert; bad input is 4xx."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tidycrm.contacts.models import Contact
from tidycrm.intake.runner import run_import
from tidycrm.intake.services import run_preview, run_revert

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports"
CSV = b"Email,First Name,Last Name,Company\na@example.com,Ann,Lee,Acme\n,,,Nobody\n"


@pytest.fixture
def api(api_token, imports_dir):
    return Client(headers={"Authorization": f"Bearer {api_token}"})


def upload(api, content=CSV, name="people.csv"):
    return api.post(URL, {"file": SimpleUploadedFile(name, content)})


def test_full_flow(api, django_capture_on_commit_callbacks):
    response = upload(api)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["mapping"] == {"0": "email", "1": "given_name", "2": "family_name", "3": "company"}
    assert body["match"] == ["email"]
    import_id = body["id"]
    response = api.patch(f"{URL}/{import_id}", {"mode": "create"}, content_type="application/json")
    assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=False):
        assert api.post(f"{URL}/{import_id}/dry-run").status_code == 202
    run_preview(import_id)
    preview = api.get(f"{URL}/{import_id}").json()["preview"]
    assert (preview["created"], preview["rejected"]) == (1, 1)
    assert preview["problems"][0]["row"] == 3
    with django_capture_on_commit_callbacks(execute=False):
        assert api.post(f"{URL}/{import_id}/start").status_code == 202
    run_import(import_id)
    body = api.get(f"{URL}/{import_id}").json()
    assert body["stage"] == "done"
    assert body["job"]["result"]["created"] == 1
    assert body["job"]["done"] == 2
    assert Contact.objects.filter(emails__address="a@example.com").exists()
    rejects = api.get(f"{URL}/{import_id}/rejects.csv")
    assert rejects.status_code == 200
    text = b"".join(rejects.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0] == "Email,First Name,Last Name,Company,_errors"
    assert "Nobody" in text
    assert (
        api.patch(
            f"{URL}/{import_id}", {"mode": "update"}, content_type="application/json"
        ).status_code
        == 409
    )
    with django_capture_on_commit_callbacks(execute=False):
        assert api.post(f"{URL}/{import_id}/revert").status_code == 202
    run_revert(import_id)
    assert api.get(f"{URL}/{import_id}").json()["stage"] == "reverted"
    assert not Contact.objects.exists()


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "x.csv", "PNG"),
        (b"a,b\x00c\n", "x.csv", "NUL"),
        (",".join(f"c{i}" for i in range(10_000)).encode(), "wide.csv", "10,000 columns"),
        (b"email\nx\n", "x.xlsx", "not a valid Excel"),
        (b"", "empty.csv", "empty"),
    ],
)
def test_bad_files_are_422_with_a_message(api, content, name, message):
    response = upload(api, content, name)
    assert response.status_code == 422
    assert message in response.json()["errors"]["file"][0]


def test_missing_file_is_4xx(api):
    assert api.post(URL, {}).status_code in (400, 422)


def test_bad_mapping_is_422(api):
    import_id = upload(api).json()["id"]
    response = api.patch(
        f"{URL}/{import_id}",
        {"mapping": {"0": "email", "7": "nonsense"}, "match": ["shoe"]},
        content_type="application/json",
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert "mapping.7" in errors
    assert "match" in errors


def test_other_users_import_is_404(api, make_user, imports_dir):
    import_id = upload(api).json()["id"]
    from tidycrm.accounts.services import issue_api_token

    _, secret = issue_api_token(make_user("sales"), "t")
    other = Client(headers={"Authorization": f"Bearer {secret}"})
    assert other.get(f"{URL}/{import_id}").status_code == 404
    assert other.post(f"{URL}/{import_id}/start").status_code == 404
