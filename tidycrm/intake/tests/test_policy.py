"""An administrator edits the entry policy in the app (page and API); the door follows it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tidycrm.audit.models import ChangeRecord
from tidycrm.records.models import EntryPolicy

pytestmark = pytest.mark.django_db

BAD_EMAIL = "external_id,first_name,email\nB1,Bo,bo@@example.com\n"


def _cell(items: list[dict[str, Any]], key: str) -> dict[str, Any]:
    record_type, check, channel = key.split(".")
    return next(
        i
        for i in items
        if (i["record_type"], i["check"], i["channel"]) == (record_type, check, channel)
    )


def test_page_changes_what_an_import_does_with_a_bad_email(admin: Any, run_file: Any) -> None:
    client = Client()
    client.force_login(admin)
    page = client.get("/imports/entry-policy/")
    assert page.status_code == 200
    assert b'name="contact.email.import"' in page.content
    assert b"flag (default)" in page.content
    imp = run_file("flagged.csv", BAD_EMAIL, admin)
    assert imp.job.result == {**imp.job.result, "created": 1, "rejected": 0}  # kept, flagged
    saved = client.post("/imports/entry-policy/", {"contact.email.import": "reject"})
    assert saved.status_code == 302
    assert EntryPolicy.objects.get(field="email", channel="import").action == "reject"
    imp = run_file("rejected.csv", BAD_EMAIL.replace("B1", "B2"), admin)
    assert imp.job.result["rejected"] == 1
    assert "emails.0.address" in imp.rejects.get().errors
    change = ChangeRecord.objects.filter(action="update", channel="ui").latest("id")
    assert change.changes == {"action": {"before": "flag", "after": "reject"}}
    assert change.actor_id == admin.pk
    client.post("/imports/entry-policy/", {"contact.email.import": "flag"})
    assert not EntryPolicy.objects.exists()  # back to the default: nothing stored


def test_page_refuses_unknown_actions_and_non_admins(admin: Any, make_user: Any) -> None:
    client = Client()
    client.force_login(admin)
    bad = client.post("/imports/entry-policy/", {"contact.email.ui": "ignore"})
    assert bad.status_code == 422
    assert b"is not one of: reject, flag, fix" in bad.content
    assert not EntryPolicy.objects.exists()
    client.force_login(make_user("sales"))
    assert client.get("/imports/entry-policy/").status_code == 403
    assert client.post("/imports/entry-policy/", {"contact.email.ui": "fix"}).status_code == 403
    assert not EntryPolicy.objects.exists()


def test_api_reads_and_changes_the_policy(api_token: str, make_user: Any) -> None:
    api = Client(headers={"Authorization": f"Bearer {api_token}"})
    items = api.get("/api/v1/imports/entry-policy").json()["items"]
    assert _cell(items, "contact.email.ui") == {
        "record_type": "contact",
        "check": "email",
        "description": "E-mail addresses that are not valid",
        "channel": "ui",
        "action": "reject",
        "default": "reject",
    }
    changed = api.put(
        "/api/v1/imports/entry-policy",
        {"choices": {"company.website.api": "flag", "contact.phone.form": "reject"}},
        content_type="application/json",
    )
    assert changed.status_code == 200
    items = changed.json()["items"]
    assert _cell(items, "company.website.api")["action"] == "flag"
    assert _cell(items, "contact.phone.form")["action"] == "reject"
    assert ChangeRecord.objects.filter(channel="api", action="update").count() == 2
    unknown = api.put(
        "/api/v1/imports/entry-policy",
        {"choices": {"contact.shoe_size.ui": "fix"}},
        content_type="application/json",
    )
    assert unknown.status_code == 422
    assert "contact.shoe_size.ui" in unknown.json()["errors"]
    wrong = api.put(
        "/api/v1/imports/entry-policy",
        {"choices": {"contact.email.ui": "ignore"}},
        content_type="application/json",
    )
    assert wrong.status_code == 422


def test_api_policy_needs_the_settings_permission(make_user: Any) -> None:
    from tidycrm.accounts.services import issue_api_token

    _, secret = issue_api_token(make_user("manager"), "t")
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    assert api.get("/api/v1/imports/entry-policy").status_code == 403
    put = api.put(
        "/api/v1/imports/entry-policy",
        {"choices": {"contact.email.ui": "fix"}},
        content_type="application/json",
    )
    assert put.status_code == 403
