"""Duplicates over /api/v1/: the queue, a group, merge, unmerge, not duplicates, policy, scans."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidycrm.accounts.services import issue_api_token
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.dedupe.models import NotDuplicate
from tidycrm.dedupe.services.queue import Proposed, add_groups
from tidycrm.matching import Evidence, Match

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    body = json.dumps(data) if data is not None else ""
    return getattr(client, method)(url, body, content_type="application/json")


def pair_group(admin, *, title: str = "") -> tuple[Contact, Contact]:
    a = save_contact({"name": "Ana Lima", "job_title": title}, actor=admin, channel="api").record
    b = save_contact({"name": "Ana Lima", "job_title": "CTO"}, actor=admin, channel="api").record
    evidence = (Evidence("name", "exact", 8.5, "same name"),)
    add_groups(
        "contact", [Proposed([a.pk, b.pk], [Match(str(a.pk), str(b.pk), 0.97, 9.0, evidence)])]
    )
    return a, b


def test_queue_group_merge_and_unmerge(admin):
    api = client_for(admin)
    a, b = pair_group(admin)
    page = api.get("/api/v1/duplicates/groups?kind=contact").json()
    [group] = page["items"]
    assert group["members"] == [a.pk, b.pk] and group["confidence"] == 0.97

    detail = api.get(f"/api/v1/duplicates/groups/{group['id']}").json()
    title = next(f for f in detail["fields"] if f["field"] == "job_title")
    assert title["differs"] and title["values"] == {str(a.pk): "", str(b.pk): "CTO"}
    assert detail["pairs"][0]["evidence"][0]["detail"] == "same name"

    merged = send(
        api,
        "post",
        f"/api/v1/duplicates/groups/{group['id']}/merge",
        {"survivor_id": a.pk, "choices": {"job_title": b.pk}, "versions": detail["versions"]},
    )
    assert merged.status_code == 201, merged.json()
    merge = merged.json()
    assert merge["survivor_id"] == a.pk and merge["merged_ids"] == [b.pk]
    assert Contact.objects.get(pk=a.pk).job_title == "CTO"

    again = send(api, "post", f"/api/v1/duplicates/groups/{group['id']}/merge", {})
    assert again.status_code == 409

    listed = api.get(f"/api/v1/duplicates/merges?kind=contact&record_id={a.pk}").json()
    assert [m["id"] for m in listed] == [merge["id"]]

    undone = send(api, "post", f"/api/v1/duplicates/merges/{merge['id']}/unmerge")
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Contact.objects.filter(pk=b.pk).exists()
    twice = send(api, "post", f"/api/v1/duplicates/merges/{merge['id']}/unmerge")
    assert twice.status_code == 409
    assert "already undone" in twice.json()["detail"]


def test_merge_by_ids_checks_versions_and_visibility(admin, make_user):
    api = client_for(admin)
    a, b = pair_group(admin)
    stale = send(
        api,
        "post",
        "/api/v1/duplicates/merges",
        {"ids": [a.pk, b.pk], "versions": {str(a.pk): a.version + 5}},
    )
    assert stale.status_code == 409
    assert "versions" in stale.json()["errors"]

    rep = make_user("sales")
    hidden = send(client_for(rep), "post", "/api/v1/duplicates/merges", {"ids": [a.pk, b.pk]})
    assert hidden.status_code == 403
    assert client_for(rep).get("/api/v1/duplicates/groups").json()["items"] == []

    one = send(api, "post", "/api/v1/duplicates/merges", {"ids": [a.pk]})
    assert one.status_code == 422
    missing = send(api, "post", "/api/v1/duplicates/merges", {"ids": [a.pk, 99999]})
    assert missing.status_code == 404
    bad = send(api, "post", "/api/v1/duplicates/merges", {"ids": [a.pk, b.pk], "choices": {"x": 1}})
    assert bad.status_code == 422 and "choices" in bad.json()["errors"]


def test_not_duplicates_is_remembered(admin):
    api = client_for(admin)
    a, b = pair_group(admin)
    [group] = api.get("/api/v1/duplicates/groups").json()["items"]
    response = send(api, "post", f"/api/v1/duplicates/groups/{group['id']}/not-duplicates")
    assert response.status_code == 204
    assert NotDuplicate.objects.filter(a=a.pk, b=b.pk).exists()
    assert api.get("/api/v1/duplicates/groups").json()["items"] == []


def test_policy_read_and_change(admin, make_user):
    api = client_for(admin)
    policy = api.get("/api/v1/duplicates/policy").json()
    assert policy["actions"]["contact"]["ui"] == "warn"
    changed = send(
        api,
        "patch",
        "/api/v1/duplicates/policy",
        {"actions": {"contact": {"form": "block"}}, "survivorship": "recent"},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["actions"]["contact"]["form"] == "block"
    wrong = send(
        api, "patch", "/api/v1/duplicates/policy", {"actions": {"contact": {"fax": "warn"}}}
    )
    assert wrong.status_code == 422 and "actions" in wrong.json()["errors"]
    refused = send(client_for(make_user("sales")), "patch", "/api/v1/duplicates/policy", {})
    assert refused.status_code == 403


def test_scan_is_a_job(admin):
    api = client_for(admin)
    started = send(api, "post", "/api/v1/duplicates/scans", {"kind": "contact"})
    assert started.status_code == 202
    job = started.json()
    assert job["status"] == "queued"
    assert api.get(f"/api/v1/duplicates/scans/{job['id']}").json()["id"] == job["id"]
    bad = send(api, "post", "/api/v1/duplicates/scans", {"filters": {"created_after": "soon"}})
    assert bad.status_code == 422
