"""Companies over /api/v1/: round trips, filters, history, visibility, conflicts, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidycrm.accounts.services import issue_api_token
from tidycrm.companies.services import save_company
from tidycrm.customfields.services import define_field

pytestmark = pytest.mark.django_db

URL = "/api/v1/companies"


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def api(api_token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token}"})


def send(client: Client, method: str, url: str, data: Any) -> Any:
    return getattr(client, method)(url, json.dumps(data), content_type="application/json")


def make(client: Client, **data: Any) -> dict[str, Any]:
    response = send(client, "post", URL, data)
    assert response.status_code == 201, response.json()
    return dict(response.json())


def test_create_read_update_delete_round_trip(api, admin):
    define_field(actor=admin, record_type="company", key="tier", label="Tier", field_type="text")
    body = make(
        api,
        name="  Acme   GmbH ",
        domains=["https://www.Acme.example/about", "acme.test"],
        phones=[{"number": "+49 30 1234567", "label": "main"}],
        addresses=[{"city": "Berlin", "country": "de"}],
        size="50-249",
        employee_count=120,
        tags=["Key account"],
        custom_fields={"tier": "A"},
    )
    assert body["name"] == "Acme GmbH"
    assert body["domains"] == [
        {"domain": "acme.example", "is_primary": True},
        {"domain": "acme.test", "is_primary": False},
    ]
    assert (body["phones"][0]["raw"], body["phones"][0]["e164"]) == (
        "+49 30 1234567",
        "+49301234567",
    )
    assert body["addresses"][0]["country"] == "DE"
    assert (body["size"], body["employee_count"], body["tags"]) == ("50-249", 120, ["Key account"])
    assert (body["custom_fields"], body["version"], body["warnings"]) == ({"tier": "A"}, 1, [])
    url = f"{URL}/{body['id']}"
    assert api.get(url).json() == {k: v for k, v in body.items() if k != "warnings"}

    child = make(api, name="Acme Labs", parent_id=body["id"])
    assert child["parent_id"] == body["id"]

    changed = send(api, "patch", url, {"industry": "Tools", "version": 1})
    assert changed.status_code == 200
    assert (changed.json()["industry"], changed.json()["version"]) == ("Tools", 2)
    assert changed.json()["domains"] == body["domains"]
    stale = send(api, "patch", url, {"industry": "Toys", "version": 1})
    assert stale.status_code == 409
    assert "version" in stale.json()["errors"]
    cycle = send(api, "patch", url, {"parent_id": child["id"]})
    assert cycle.status_code == 422
    assert "parent_id" in cycle.json()["errors"]

    history = api.get(f"{url}/history").json()
    assert [h["action"] for h in history["items"]] == ["update", "create"]
    assert history["items"][0]["changes"]["industry"] == {"before": "", "after": "Tools"}

    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_list_filters_search_and_paging(api, admin):
    define_field(
        actor=admin,
        record_type="company",
        key="region",
        label="Region",
        field_type="choice",
        choices=["emea", "apac"],
    )
    parent = make(api, name="Holding")
    make(
        api,
        name="İstanbul Ticaret",
        industry="Trade",
        size="10-49",
        parent_id=parent["id"],
        custom_fields={"region": "emea"},
    )
    make(api, name="Osaka Trading", industry="trade", custom_fields={"region": "apac"})

    def names(**params: Any) -> list[str]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [c["name"] for c in response.json()["items"]]

    assert names() == ["Holding", "İstanbul Ticaret", "Osaka Trading"]
    assert names(q="istanbul") == ["İstanbul Ticaret"]
    assert names(q="ISTANBUL tic") == ["İstanbul Ticaret"]
    assert names(industry="TRADE") == ["İstanbul Ticaret", "Osaka Trading"]
    assert names(size="10-49") == ["İstanbul Ticaret"]
    assert names(parent=parent["id"]) == ["İstanbul Ticaret"]
    assert names(cf="region:apac") == ["Osaka Trading"]
    assert names(sort="-created") == ["Osaka Trading", "İstanbul Ticaret", "Holding"]

    first = api.get(URL, {"limit": 2}).json()
    rest = api.get(URL, {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["name"] for c in rest["items"]] == ["Osaka Trading"]
    back = api.get(URL, {"limit": 2, "cursor": rest["previous_cursor"]}).json()
    assert [c["name"] for c in back["items"]] == ["Holding", "İstanbul Ticaret"]


def test_visibility_conflicts_and_permissions(make_user, admin):
    alice, bob = make_user("sales"), make_user("sales")
    hidden = save_company({"name": "Alice Corp", "external_id": "ext-1"}, actor=alice, channel="ui")
    as_bob = client_for(bob)
    url = f"{URL}/{hidden.record.pk}"
    assert as_bob.get(url).status_code == 404
    assert send(as_bob, "patch", url, {"name": "Mine now"}).status_code == 404
    assert as_bob.delete(url).status_code == 404
    assert as_bob.get(URL).json()["items"] == []

    parent_hidden = send(as_bob, "post", URL, {"name": "Bob Corp", "parent_id": hidden.record.pk})
    assert parent_hidden.status_code == 422
    assert "parent_id" in parent_hidden.json()["errors"]

    duplicate = send(as_bob, "post", URL, {"name": "Bob Corp", "external_id": "ext-1"})
    assert duplicate.status_code == 409
    assert "external_id" in duplicate.json()["errors"]

    reader = client_for(make_user("read_only"))
    assert send(reader, "post", URL, {"name": "Nope"}).status_code == 403
    assert reader.get(url).status_code == 200


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "X", "domains": ["not a domain"]}, "domains.0"),
        ({"name": "X", "size": "huge"}, "size"),
        ({"name": "X", "employee_count": -5}, "employee_count"),
        ({"name": "X", "phones": [{"number": "1" * 70}]}, "phones.0.number"),
        ({"name": "X", "website": "w" * 256}, "website"),
        ({"name": "X", "contacts": []}, "contacts"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, payload, field):
    response = send(api, "post", URL, payload)
    assert response.status_code == 422, response.json()
    assert field in response.json()["errors"], response.json()


def test_nul_is_400(api):
    assert send(api, "post", URL, {"name": "A\u0000B"}).status_code == 400
    assert api.get(URL, {"industry": "\x00"}).status_code == 400
