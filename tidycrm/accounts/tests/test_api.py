"""The caller's account over /api/v1/: who am I, API tokens, users for owner pickers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from tidycrm.accounts.models import ApiToken
from tidycrm.accounts.services import issue_api_token

pytestmark = pytest.mark.django_db


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_me_describes_role_visibility_and_permissions(make_user, team):
    user = make_user("sales", team=team, first_name="Sam", last_name="Seller")
    body = client_for(user).get("/api/v1/me").json()
    assert body == {
        "id": user.pk,
        "username": user.username,
        "name": "Sam Seller",
        "email": "",
        "role": "sales",
        "team_id": team.pk,
        "visibility": "own",
        "permissions": ["view", "edit"],
    }


def test_token_life_cycle_secret_shown_once(admin):
    api = client_for(admin)
    created = api.post(
        "/api/v1/tokens", json.dumps({"name": "CI"}), content_type="application/json"
    )
    assert created.status_code == 201
    body = created.json()
    assert body["secret"].startswith("tcrm_") and body["name"] == "CI"
    assert body["secret"].startswith(body["prefix"])

    listed = api.get("/api/v1/tokens").json()
    assert {t["name"] for t in listed} == {"tests", "CI"}
    assert all("secret" not in t for t in listed)

    new_client = Client(headers={"Authorization": f"Bearer {body['secret']}"})
    assert new_client.get("/api/v1/me").json()["id"] == admin.pk
    assert api.delete(f"/api/v1/tokens/{body['id']}").status_code == 204
    assert new_client.get("/api/v1/me").status_code == 401
    revoked = next(t for t in api.get("/api/v1/tokens").json() if t["id"] == body["id"])
    assert revoked["revoked_at"] is not None


def test_cannot_see_or_revoke_someone_elses_token(make_user):
    alice, bob = make_user("sales"), make_user("sales")
    token, _ = issue_api_token(alice, "alice's")
    as_bob = client_for(bob)
    assert as_bob.delete(f"/api/v1/tokens/{token.pk}").status_code == 404
    assert [t["name"] for t in as_bob.get("/api/v1/tokens").json()] == ["tests"]
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def test_token_input_is_checked(admin):
    api = client_for(admin)
    unknown = post(api, "/api/v1/tokens", {"nmae": "x"})
    assert unknown.status_code == 422
    assert unknown.json()["errors"] == {"nmae": ["is not a field of this record."]}
    long = api.post(
        "/api/v1/tokens", json.dumps({"name": "x" * 121}), content_type="application/json"
    )
    assert "name" in long.json()["errors"]


def test_users_lists_active_users_for_owner_pickers(admin, make_user):
    gone = make_user("sales", first_name="Gone")
    gone.is_active = False
    gone.save()
    names = [u["name"] for u in client_for(admin).get("/api/v1/users").json()]
    assert "admin" in names and "Gone" not in names


def test_openapi_and_docs_are_public(client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "TidyCRM API"
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/me").status_code == 401
