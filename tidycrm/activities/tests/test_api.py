"""The activities API: log, list with filters and keyset pages, change, complete, delete, the
timeline, notifications and calendar links, with the house error format."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tidycrm.accounts.services import issue_api_token
from tidycrm.activities.models import Activity
from tidycrm.activities.services.notify import notify

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    body = json.dumps(data) if data is not None else ""
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.fixture
def api(rep):
    return client_for(rep)


def test_log_read_and_list_a_call(api, contact, company):
    created = send(
        api,
        "post",
        "/api/v1/activities",
        {
            "kind": "call",
            "subject": "Intro",
            "direction": "outbound",
            "duration_seconds": 60,
            "contact_ids": [contact.pk],
            "company_ids": [company.pk],
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["contact_ids"], body["company_ids"]) == (
        "call",
        [contact.pk],
        [company.pk],
    )
    read = api.get(f"/api/v1/activities/{body['id']}").json()
    assert read == body
    listed = api.get("/api/v1/activities", {"contact_id": contact.pk}).json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]
    assert api.get("/api/v1/activities", {"company_id": 999}).json()["items"] == []


def test_field_errors_use_the_house_format(api):
    response = send(
        api, "post", "/api/v1/activities", {"kind": "call", "due_at": "2026-01-01T00:00:00Z"}
    )
    assert response.status_code == 422
    assert "is not used by a call" in response.json()["errors"]["due_at"][0]
    unknown = send(api, "post", "/api/v1/activities", {"kind": "call", "colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.json()["errors"]
    bad_kind = send(api, "post", "/api/v1/activities", {"kind": "fax"})
    assert bad_kind.status_code == 422 and "kind" in bad_kind.json()["errors"]


def test_keyset_pages_cover_everything_once(api, rep):
    now = timezone.now()
    for n in range(7):
        send(
            api,
            "post",
            "/api/v1/activities",
            {
                "kind": "note",
                "body": f"n{n}",
                "occurred_at": (now - timedelta(hours=n % 3)).isoformat(),
            },
        )
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/v1/activities", params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(Activity.objects.values_list("pk", flat=True))
    assert len(seen) == len(set(seen)) == 7


def test_patch_conflict_and_complete(api):
    task = send(
        api, "post", "/api/v1/activities", {"kind": "task", "subject": "Quote", "priority": "high"}
    ).json()
    url = f"/api/v1/activities/{task['id']}"
    changed = send(api, "patch", url, {"subject": "Quote v2", "version": 1})
    assert changed.status_code == 200 and changed.json()["version"] == 2
    stale = send(api, "patch", url, {"subject": "Quote v3", "version": 1})
    assert stale.status_code == 409 and "version" in stale.json()["errors"]
    done = send(api, "post", url + "/complete", {"done": True})
    assert done.status_code == 200 and done.json()["completed_at"]
    open_tasks = api.get("/api/v1/activities", {"open_tasks": "true"}).json()["items"]
    assert open_tasks == []


def test_other_users_cannot_see_or_delete(api, other_rep):
    call = send(api, "post", "/api/v1/activities", {"kind": "call"}).json()
    other = client_for(other_rep)
    assert other.get(f"/api/v1/activities/{call['id']}").status_code == 404
    assert other.delete(f"/api/v1/activities/{call['id']}").status_code == 404
    assert api.delete(f"/api/v1/activities/{call['id']}").status_code == 403  # sales may not delete


def test_timeline_endpoint_merges_activities_and_changes(api, contact):
    send(
        api,
        "post",
        "/api/v1/activities",
        {"kind": "note", "body": "hello", "contact_ids": [contact.pk]},
    )
    page = api.get(f"/api/v1/timeline/contact/{contact.pk}").json()
    assert [e["kind"] for e in page["items"]] == ["note", "field_change"]
    notes = api.get(f"/api/v1/timeline/contact/{contact.pk}", {"kind": "note"}).json()
    assert [e["title"] for e in notes["items"]] == ["hello"]
    assert api.get(f"/api/v1/timeline/contact/{contact.pk + 1000}").status_code == 404
    bad = api.get(f"/api/v1/timeline/contact/{contact.pk}", {"cursor": "x"})
    assert bad.status_code == 400 and "cursor" in bad.json()["detail"]


def test_notifications_list_and_read(api, rep):
    notify(rep, kind="stale", key="a", title="A")
    second = notify(rep, kind="stale", key="b", title="B")
    page = api.get("/api/v1/notifications").json()
    assert (page["unread"], [n["title"] for n in page["items"]]) == (2, ["B", "A"])
    marked = send(api, "post", "/api/v1/notifications/read", {"ids": [second.pk]}).json()
    assert marked == {"marked": 1}
    assert [
        n["title"] for n in api.get("/api/v1/notifications", {"unread": "true"}).json()["items"]
    ] == ["A"]


def test_calendar_link_and_revoke(api):
    created = api.post("/api/v1/calendar/link")
    assert created.status_code == 201
    path = created.json()["url"].split("testserver", 1)[1]
    assert Client().get(path).status_code == 200
    assert api.delete("/api/v1/calendar/link").status_code == 204
    assert Client().get(path).status_code == 404


def test_alert_settings_read_and_change(admin, rep):
    from tidycrm.deals.models import Stage

    api_admin = client_for(admin)
    assert client_for(rep).get("/api/v1/alert-settings").status_code == 403
    proposal = Stage.objects.get(name="Proposal")
    changed = send(
        api_admin,
        "put",
        "/api/v1/alert-settings",
        {
            "lead_sla_minutes": 20,
            "due_soon_hours": 6,
            "lifecycle": [{"stage": "lead", "days": 10}],
            "pipeline_stages": [{"stage_id": proposal.pk, "days": 21}],
        },
    )
    assert changed.status_code == 200, changed.content
    assert changed.json() == {
        "lead_sla_minutes": 20,
        "due_soon_hours": 6,
        "lifecycle": [{"stage": "lead", "days": 10}],
        "pipeline_stages": [{"stage_id": proposal.pk, "days": 21}],
    }
    won = Stage.objects.get(name="Won")
    bad = send(
        api_admin,
        "put",
        "/api/v1/alert-settings",
        {
            "lead_sla_minutes": 20,
            "due_soon_hours": 6,
            "pipeline_stages": [{"stage_id": won.pk, "days": 3}],
        },
    )
    assert bad.status_code == 422 and f"stage.{won.pk}" in bad.json()["errors"]
