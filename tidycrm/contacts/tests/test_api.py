"""Contacts over /api/v1/: round trips, filters, paging, history, auth, visibility, bad input."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tidycrm.accounts.services import issue_api_token, revoke_api_token
from tidycrm.companies.services import save_company
from tidycrm.contacts.services import save_contact
from tidycrm.customfields.services import define_field

pytestmark = pytest.mark.django_db

URL = "/api/v1/contacts"


def client_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def api(api_token: str) -> Client:
    return Client(headers={"Authorization": f"Bearer {api_token}"})


def post(client: Client, url: str, data: Any) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def patch(client: Client, url: str, data: Any) -> Any:
    return client.patch(url, json.dumps(data), content_type="application/json")


def make(client: Client, **data: Any) -> dict[str, Any]:
    response = post(client, URL, data)
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_and_read_back_nested_data_raw_beside_clean(api, admin):
    company = save_company({"name": "Acme GmbH"}, actor=admin, channel="ui").record
    define_field(actor=admin, record_type="contact", key="nps", label="NPS", field_type="integer")
    response = post(
        api,
        URL,
        {
            "name": "Dr. Ayşe IŞIK",
            "emails": [
                {"address": "  Ayse.Isik@Example.COM ", "label": "work"},
                {"address": "a@home.test", "label": "home"},
            ],
            "phones": [{"number": "+49 30 1234567 ext. 12"}],
            "addresses": [{"street": "Hauptstr. 1", "city": "Berlin", "country": "Germany"}],
            "companies": [{"company_id": company.pk, "job_title": "CTO"}],
            "custom_fields": {"nps": "9"},
            "tags": ["VIP", "vip", "Partner"],
            "country": "Türkiye",
            "lifecycle_stage": "customer",
            "total_spend": "1250.5",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["display_name"] == "Dr. Ayşe IŞIK"
    assert (body["honorific"], body["given_name"], body["family_name"]) == ("Dr.", "Ayşe", "IŞIK")
    assert body["emails"][0] == {
        "label": "work",
        "raw": "Ayse.Isik@Example.COM",
        "address": "Ayse.Isik@example.com",
        "is_primary": True,
    }
    assert body["emails"][1]["is_primary"] is False
    phone = body["phones"][0]
    assert (phone["raw"], phone["e164"], phone["extension"]) == (
        "+49 30 1234567 ext. 12",
        "+49301234567",
        "12",
    )
    assert body["addresses"][0]["country"] == "DE"
    assert body["addresses"][0]["raw"]["country"] == "Germany"
    assert body["companies"] == [
        {
            "company_id": company.pk,
            "company_name": "Acme GmbH",
            "job_title": "CTO",
            "is_current": True,
            "is_primary": True,
        }
    ]
    assert body["custom_fields"] == {"nps": 9}
    assert sorted(body["tags"]) == ["Partner", "VIP"]
    assert (body["country"], body["raw_input"]["country"]) == ("TR", "Türkiye")
    assert body["total_spend"] == "1250.50"
    assert (body["version"], body["owner_id"], body["warnings"]) == (1, admin.pk, [])

    fetched = api.get(f"{URL}/{body['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == {k: v for k, v in body.items() if k != "warnings"}


def test_patch_changes_only_sent_fields_and_checks_version(api):
    created = make(api, name="Ada Lovelace", emails=[{"address": "ada@example.com"}], tags=["math"])
    url = f"{URL}/{created['id']}"

    response = patch(api, url, {"job_title": "Analyst", "version": 1})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["job_title"], body["version"]) == ("Analyst", 2)
    assert body["emails"][0]["address"] == "ada@example.com"
    assert body["tags"] == ["math"]
    assert body["updated_at"] > created["updated_at"]

    stale = patch(api, url, {"job_title": "Engineer", "version": 1})
    assert stale.status_code == 409
    assert "version" in stale.json()["errors"]
    assert api.get(url).json()["job_title"] == "Analyst"

    cleared = patch(api, url, {"emails": [], "tags": None, "job_title": None, "lead_status": ""})
    assert cleared.status_code == 200
    body = cleared.json()
    assert (body["emails"], body["tags"], body["job_title"], body["lead_status"]) == (
        [],
        [],
        "",
        "",
    )


def test_duplicate_external_id_is_409_and_possible_duplicate_is_a_warning(api):
    first = make(
        api, name="Ana Lima", external_id="crm-1", emails=[{"address": "same@example.com"}]
    )
    again = post(api, URL, {"name": "Two", "external_id": "crm-1"})
    assert again.status_code == 409
    assert again.json()["errors"] == {"external_id": ["is already used by another contact."]}

    twin = make(api, name="Ana Lima", emails=[{"address": "SAME@example.com"}])
    [warning] = twin["warnings"]
    assert warning.startswith(f"Possible duplicate of contact {first['id']} (")


def test_delete_then_gone(api):
    created = make(api, name="Short Lived")
    url = f"{URL}/{created['id']}"
    assert api.delete(url).status_code == 204
    for response in (api.get(url), api.delete(url), api.get(f"{url}/history")):
        assert response.status_code == 404
        assert "detail" in response.json()


def test_history_is_keyset_paged_newest_first(api, admin):
    created = make(api, name="Grace Hopper")
    url = f"{URL}/{created['id']}"
    patch(api, url, {"job_title": "Admiral"})
    patch(api, url, {"job_title": "Rear Admiral"})

    first = api.get(f"{url}/history", {"limit": 2}).json()
    assert [c["action"] for c in first["items"]] == ["update", "update"]
    assert first["items"][0]["changes"]["job_title"] == {
        "before": "Admiral",
        "after": "Rear Admiral",
    }
    assert first["items"][0]["channel"] == "api"
    assert first["items"][0]["actor_id"] == admin.pk
    second = api.get(f"{url}/history", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [c["action"] for c in second["items"]] == ["create"]
    assert second["next_cursor"] is None
    back = api.get(f"{url}/history", {"limit": 2, "cursor": second["previous_cursor"]}).json()
    assert [c["id"] for c in back["items"]] == [c["id"] for c in first["items"]]


def test_list_filters(api, admin, make_user):
    company = save_company({"name": "Initech"}, actor=admin, channel="ui").record
    define_field(
        actor=admin,
        record_type="contact",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
    )
    other = make_user("sales")
    gold = make(
        api,
        name="Gold Customer",
        lifecycle_stage="customer",
        tags=["VIP"],
        country="DE",
        companies=[{"company_id": company.pk}],
        custom_fields={"tier": "gold"},
        lead_source="referral",
    )
    make(api, name="Plain Lead", custom_fields={"tier": "silver"}, owner_id=other.pk)

    def names(**params: Any) -> list[str]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return [c["display_name"] for c in response.json()["items"]]

    assert names() == ["Gold Customer", "Plain Lead"]
    assert names(sort="-name") == ["Plain Lead", "Gold Customer"]
    assert names(lifecycle_stage="customer") == ["Gold Customer"]
    assert names(lead_source="referral") == ["Gold Customer"]
    assert names(tag="vip") == ["Gold Customer"]
    assert names(country="de") == ["Gold Customer"]
    assert names(company=company.pk) == ["Gold Customer"]
    assert names(cf="tier:silver") == ["Plain Lead"]
    assert names(owner=other.pk) == ["Plain Lead"]
    assert names(created_after=gold["created_at"]) == ["Gold Customer", "Plain Lead"]
    assert names(created_before=gold["created_at"]) == []
    assert names(updated_after="2999-01-01T00:00:00Z") == []

    bad = api.get(URL, {"cf": "nosuchfield:1"})
    assert bad.status_code == 422
    assert "cf" in bad.json()["errors"]


def test_search_folds_case_accents_and_turkish_letters(api):
    make(api, given_name="Ayşe", family_name="IŞIK")
    make(api, given_name="Jürgen", family_name="Müller", emails=[{"address": "jm@example.com"}])
    make(api, name="Someone Else")

    def found(q: str) -> list[str]:
        return [c["family_name"] for c in api.get(URL, {"q": q}).json()["items"]]

    assert found("ışık") == ["IŞIK"]
    assert found("isik") == ["IŞIK"]
    assert found("MULLER") == ["Müller"]
    assert found("jürg mül") == ["Müller"]
    assert found("jm@example.com") == ["Müller"]
    assert found("nobody") == []


def test_keyset_paging_both_directions(api):
    for n in range(7):
        make(api, name=f"Person {n:02d}")

    def page(**params: Any) -> dict[str, Any]:
        response = api.get(URL, {"limit": 3, "sort": "-name", **params})
        assert response.status_code == 200
        return response.json()

    forward, cursor = [], None
    pages = []
    while True:
        body = page(**({"cursor": cursor} if cursor else {}))
        pages.append([c["display_name"] for c in body["items"]])
        forward += pages[-1]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert forward == [f"Person {n:02d}" for n in range(6, -1, -1)]
    assert [len(p) for p in pages] == [3, 3, 1]

    last = page(cursor=page(cursor=page()["next_cursor"])["next_cursor"])
    middle = page(cursor=last["previous_cursor"])
    assert [c["display_name"] for c in middle["items"]] == pages[1]
    first = page(cursor=middle["previous_cursor"])
    assert [c["display_name"] for c in first["items"]] == pages[0]
    assert first["previous_cursor"] is None


def test_list_runs_a_fixed_number_of_queries(api, admin):
    company = save_company({"name": "Umbrella"}, actor=admin, channel="ui").record

    def seed(count: int) -> None:
        for n in range(count):
            save_contact(
                {
                    "name": f"Q {n}",
                    "emails": [f"q{n}@example.com"],
                    "phones": ["+1 212 555 0100"],
                    "addresses": [{"city": "Paris"}],
                    "companies": [company.pk],
                    "tags": ["t"],
                },
                actor=admin,
                channel="ui",
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(URL, {"limit": 200}).status_code == 200
        return len(captured)

    seed(2)
    queries()  # warm per-process caches (content types)
    few = queries()
    seed(20)
    assert queries() == few
    assert few <= 12


def test_missing_invalid_and_revoked_tokens_are_401(admin):
    assert Client().get(URL).status_code == 401
    body = Client().get(URL).json()
    assert body["detail"] and body["errors"] == {}
    assert (
        Client(headers={"Authorization": "Bearer tcrm_not-a-real-token"}).get(URL).status_code
        == 401
    )
    assert Client(headers={"Authorization": "Basic dXNlcjpwYXNz"}).get(URL).status_code == 401
    token, secret = issue_api_token(admin, "soon revoked")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    assert client.get(URL).status_code == 200
    revoke_api_token(token, actor=admin)
    assert client.get(URL).status_code == 401


def test_session_auth_needs_csrf_for_writes(admin):
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))  # a page with a form sets the CSRF cookie
    csrf = client.cookies["csrftoken"].value
    client.force_login(admin)
    assert client.get(URL).status_code == 200
    refused = post(client, URL, {"name": "No Token"})
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]

    accepted = client.post(
        URL,
        json.dumps({"name": "With Token"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert accepted.status_code == 201, accepted.json()


def test_own_visibility_hides_other_peoples_contacts(make_user):
    alice, bob = make_user("sales"), make_user("sales")
    as_alice, as_bob = client_for(alice), client_for(bob)
    secret = make(as_alice, name="Alice's Lead")
    url = f"{URL}/{secret['id']}"

    assert as_bob.get(url).status_code == 404
    assert patch(as_bob, url, {"job_title": "x"}).status_code == 404
    assert as_bob.delete(url).status_code == 404
    assert as_bob.get(f"{url}/history").status_code == 404
    assert as_bob.get(URL).json()["items"] == []
    assert as_alice.get(url).json()["job_title"] == ""


def test_read_only_role_cannot_write(make_user, admin):
    reader = client_for(make_user("read_only"))
    contact = save_contact({"name": "Readable"}, actor=admin, channel="ui").record
    assert reader.get(f"{URL}/{contact.pk}").status_code == 200
    for response in (
        post(reader, URL, {"name": "Nope"}),
        patch(reader, f"{URL}/{contact.pk}", {"job_title": "Nope"}),
        reader.delete(f"{URL}/{contact.pk}"),
    ):
        assert response.status_code == 403
        assert response.json()["detail"]


def test_company_the_user_cannot_see_is_422(make_user):
    alice, bob = make_user("sales"), make_user("sales")
    hidden = save_company({"name": "Alice Corp"}, actor=alice, channel="ui").record
    response = post(client_for(bob), URL, {"name": "X", "companies": [{"company_id": hidden.pk}]})
    assert response.status_code == 422
    assert "companies.0.company_id" in response.json()["errors"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "favourite_colour": "blue"}, "favourite_colour"),
        ({"given_name": "x" * 121}, "given_name"),
        ({"name": "X", "emails": [{"address": "not-an-email"}]}, "emails.0.address"),
        ({"name": "X", "emails": [{"address": "a@example.com", "kind": "work"}]}, "emails.0.kind"),
        ({"name": "X", "lifecycle_stage": "king"}, "lifecycle_stage"),
        ({"name": "X", "owner_id": 99999999}, "owner_id"),
        ({"name": "X", "owner_id": 2**70}, "owner_id"),
        ({"name": "X", "birthday": "1800-01-01"}, "birthday"),
        ({"name": "X", "purchase_count": -1}, "purchase_count"),
        ({"name": "X", "total_spend": "1.234"}, "total_spend"),
        ({"name": "X", "custom_fields": {"undefined": 1}}, "custom_fields.undefined"),
        ({"job_title": "No name, no e-mail"}, "name"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, payload, field):
    response = post(api, URL, payload)
    assert response.status_code == 422, response.json()
    body = response.json()
    assert field in body["errors"], body
    assert field in body["detail"]


def test_bad_query_and_path_values_are_422_or_400(api):
    assert "sort" in api.get(URL, {"sort": "shoe-size"}).json()["errors"]
    assert "limit" in api.get(URL, {"limit": 0}).json()["errors"]
    assert "owner" in api.get(URL, {"owner": "me"}).json()["errors"]
    assert "created_after" in api.get(URL, {"created_after": "yesterday"}).json()["errors"]
    assert api.get(f"{URL}/{2**64}").status_code == 422
    assert api.get(f"{URL}/abc").status_code == 422
    bad_cursor = api.get(URL, {"cursor": "not-a-cursor"})
    assert bad_cursor.status_code == 400
    assert "cursor" in bad_cursor.json()["detail"]
    not_json = api.post(URL, "{name:", content_type="application/json")
    assert not_json.status_code == 400
    not_object = post(api, URL, ["a", "list"])
    assert not_object.status_code == 422
    assert list(not_object.json()["errors"]) == ["__all__"]


def test_edited_or_misplaced_cursors_are_400(api):
    for n in range(3):
        make(api, name=f"Cursor {n}")
    cursor = api.get(URL, {"limit": 1}).json()["next_cursor"]
    payload, _, signature = cursor.partition(":")
    forged = base64.urlsafe_b64encode(json.dumps({"v": ["a", 2**70], "b": False}).encode())
    for bad in (f"{forged.decode()}:{signature}", f"{payload}x:{signature}"):
        assert api.get(URL, {"limit": 1, "cursor": bad}).status_code == 400
    other_sort = api.get(URL, {"limit": 1, "cursor": cursor, "sort": "created"})
    assert other_sort.status_code == 400
    assert "sort order" in other_sort.json()["detail"]
    assert api.get(URL, {"limit": 1, "cursor": cursor}).status_code == 200


def test_nul_bytes_are_400_never_500(api):
    created = make(api, name="Clean")
    assert post(api, URL, {"name": "Bad\x00Name"}).status_code == 400
    assert patch(api, f"{URL}/{created['id']}", {"notes": "a\u0000b"}).status_code == 400
    assert api.get(URL, {"q": "a\x00b"}).status_code == 400
    raw = api.post(URL, b'{"name": "Bad\x00"}', content_type="application/json")
    assert raw.status_code == 400
    assert raw.json()["detail"]
