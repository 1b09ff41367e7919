"""Deals, pipelines, stages and loss reasons over /api/v1/."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidycrm.accounts.services import issue_api_token
from tidycrm.contacts.services import save_contact
from tidycrm.deals.models import Deal

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def send(client: Client, method: str, url: str, data: Any = None) -> Any:
    call = getattr(client, method)
    return call(url, json.dumps(data or {}), content_type="application/json")


def test_create_read_move_and_list(rep, stages, reason):
    api = client_for(rep)
    person = save_contact({"name": "Grace Hopper"}, actor=rep, channel="ui").record
    created = send(
        api,
        "post",
        "/api/v1/deals",
        {
            "name": "Compilers",
            "amount": "5000.00",
            "currency": "eur",
            "expected_close_date": "2027-03-31",
            "contacts": [{"contact_id": person.pk, "role": "champion"}],
            "source": "referral",
        },
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["currency"] == "EUR" and body["amount"] == "5000.00"
    assert body["contacts"] == [
        {"contact_id": person.pk, "name": "Grace Hopper", "role": "champion"}
    ]
    deal_id = body["id"]
    lost = send(api, "post", f"/api/v1/deals/{deal_id}/move", {"stage_id": stages["Lost"].pk})
    assert lost.status_code == 422 and "loss_reason_id" in lost.json()["errors"]
    moved = send(
        api,
        "post",
        f"/api/v1/deals/{deal_id}/move",
        {"stage_id": stages["Lost"].pk, "loss_reason_id": reason.pk, "version": 1},
    )
    assert moved.status_code == 200 and moved.json()["status"] == "lost"
    assert [h["to_stage_id"] for h in moved.json()["stage_history"]] == [
        stages["Qualification"].pk,
        stages["Lost"].pk,
    ]
    stale = send(api, "patch", f"/api/v1/deals/{deal_id}", {"name": "X", "version": 1})
    assert stale.status_code == 409 and "version" in stale.json()["errors"]
    listed = api.get("/api/v1/deals", {"status": "lost", "contact": person.pk})
    assert [d["id"] for d in listed.json()["items"]] == [deal_id]


def test_list_pages_with_keyset_cursors_and_filters(rep, stages):
    api = client_for(rep)
    for n in range(5):
        send(api, "post", "/api/v1/deals", {"name": f"Deal {n}", "amount": n * 10})
    first = api.get("/api/v1/deals", {"limit": 2}).json()
    second = api.get("/api/v1/deals", {"limit": 2, "cursor": first["next_cursor"]}).json()
    third = api.get("/api/v1/deals", {"limit": 2, "cursor": second["next_cursor"]}).json()
    names = [d["name"] for page in (first, second, third) for d in page["items"]]
    assert names == [f"Deal {n}" for n in (4, 3, 2, 1, 0)]
    assert third["next_cursor"] is None
    rich = api.get("/api/v1/deals", {"amount_min": "25"}).json()
    assert sorted(d["name"] for d in rich["items"]) == ["Deal 3", "Deal 4"]
    bad = api.get("/api/v1/deals", {"cursor": "forged"})
    assert bad.status_code == 400


def test_others_deals_are_404_and_foreign_ids_field_errors(rep, make_user):
    other = make_user("sales")
    theirs = send(client_for(other), "post", "/api/v1/deals", {"name": "Theirs"}).json()
    api = client_for(rep)
    assert api.get(f"/api/v1/deals/{theirs['id']}").status_code == 404
    assert send(api, "patch", f"/api/v1/deals/{theirs['id']}", {"name": "x"}).status_code == 404
    extra = send(api, "post", "/api/v1/deals", {"name": "x", "extra": 1})
    assert extra.status_code == 422 and "extra" in extra.json()["errors"]
    bad = send(api, "post", "/api/v1/deals", {"name": "x", "stage_id": 2**62, "company_id": 7})
    assert bad.status_code == 422
    assert {"stage_id", "company_id"} <= set(bad.json()["errors"])


def test_pipelines_stages_and_reasons_need_settings_permission(rep, admin):
    assert send(client_for(rep), "post", "/api/v1/pipelines", {"name": "P"}).status_code == 403
    api = client_for(admin)
    made = send(api, "post", "/api/v1/pipelines", {"name": "Partners", "currency": "GBP"})
    assert made.status_code == 201, made.json()
    pid = made.json()["id"]
    dup = send(api, "post", "/api/v1/pipelines", {"name": "Partners"})
    assert dup.status_code == 409 and "name" in dup.json()["errors"]
    stage = send(
        api, "post", f"/api/v1/pipelines/{pid}/stages", {"name": "Intro", "probability": 20}
    )
    assert stage.status_code == 201 and stage.json()["kind"] == "open"
    too_sure = send(api, "patch", f"/api/v1/stages/{stage.json()['id']}", {"probability": 101})
    assert too_sure.status_code == 422
    deal = send(api, "post", "/api/v1/deals", {"name": "P deal", "pipeline_id": pid}).json()
    assert deal["stage_id"] == stage.json()["id"] and deal["currency"] == "GBP"
    in_use = api.delete(f"/api/v1/pipelines/{pid}")
    assert in_use.status_code == 409 and Deal.objects.filter(pipeline_id=pid).exists()
    reason = send(api, "post", "/api/v1/loss-reasons", {"name": "Went quiet"})
    assert reason.status_code == 201
    assert api.delete(f"/api/v1/loss-reasons/{reason.json()['id']}").status_code == 204
    names = [p["name"] for p in api.get("/api/v1/pipelines").json()]
    assert names == ["Sales", "Partners"]
