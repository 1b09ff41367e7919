"""Segments over /api/v1/: preview, CRUD, count, members, recompute; errors name the part."""

from __future__ import annotations

from typing import Any

import pytest

from tidycrm.segments.tests.conftest import client_for, post

pytestmark = pytest.mark.django_db

CUSTOMERS_WITH_HIGH_NPS = {
    "all": [
        {"field": "lifecycle_stage", "op": "eq", "value": "customer"},
        {"field": "custom.nps", "op": "gte", "value": 9},
    ]
}


def test_preview_counts_and_lists_the_first_matches(admin: Any, people: Any) -> None:
    api = client_for(admin)
    response = post(api, "/api/v1/segments/preview", {"filter": CUSTOMERS_WITH_HIGH_NPS})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == 2
    # By sort key: family name first.
    assert [i["display_name"] for i in body["items"]] == ["Grace Hopper", "Ada Lovelace"]


def test_preview_never_reaches_beyond_visibility(people: Any) -> None:
    api = client_for(people["seller"])  # sales: sees own contacts only
    response = post(api, "/api/v1/segments/preview", {"filter": CUSTOMERS_WITH_HIGH_NPS})
    assert response.json()["count"] == 1
    assert response.json()["items"][0]["display_name"] == "Ada Lovelace"


@pytest.mark.parametrize(
    ("node", "path", "words"),
    [
        ({"field": "shoe_size", "op": "eq", "value": 3}, "filter.field", "shoe_size"),
        ({"field": "custom.nps", "op": "gte", "value": "lots"}, "filter.value", "number"),
        ({"field": "tag", "op": "gt", "value": "vip"}, "filter.op", "'gt' does not apply"),
        (
            {
                "any": [
                    {"field": "country", "op": "eq", "value": "GB"},
                    {"field": "lifecycle_stage", "op": "eq", "value": "king"},
                ]
            },
            "filter.any.1.value",
            "lifecycle_stage takes one of",
        ),
        ({"field": "tag", "op": "has", "value": "no-such-tag"}, "filter.value", "no existing tag"),
    ],
)
def test_bad_filters_name_the_part_and_the_problem(
    admin: Any, people: Any, node: Any, path: str, words: str
) -> None:
    response = post(client_for(admin), "/api/v1/segments/preview", {"filter": node})
    assert response.status_code == 422, response.content
    errors = response.json()["errors"]
    assert path in errors, errors
    assert words in " ".join(errors[path])


def test_segment_crud_count_members_and_recompute(admin: Any, people: Any) -> None:
    api = client_for(admin)
    created = post(
        api,
        "/api/v1/segments",
        {"name": "Happy customers", "filter": CUSTOMERS_WITH_HIGH_NPS},
    )
    assert created.status_code == 201, created.content
    segment = created.json()
    url = f"/api/v1/segments/{segment['id']}"
    assert api.get(f"{url}/count").json() == {"count": 2}
    page = api.get(f"{url}/members?limit=1").json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = api.get(f"{url}/members?limit=1&cursor={page['next_cursor']}").json()
    assert rest["items"][0]["id"] != page["items"][0]["id"]

    done = post(api, f"{url}/recompute", {"wait": True}).json()
    assert done["snapshot"]["members"] == 2 and done["snapshot"]["entered"] == 2

    duplicate = post(
        api, "/api/v1/segments", {"name": "happy CUSTOMERS", "filter": CUSTOMERS_WITH_HIGH_NPS}
    )
    assert duplicate.status_code == 409

    stale = api.patch(url, '{"name": "Fans", "version": 7}', content_type="application/json")
    assert stale.status_code == 409
    renamed = api.patch(url, '{"name": "Fans", "version": 1}', content_type="application/json")
    assert renamed.json()["name"] == "Fans" and renamed.json()["version"] == 2
    assert api.delete(url).status_code == 204
    assert api.get(url).status_code == 404


def test_field_catalogue_lists_custom_and_related_fields(admin: Any, people: Any) -> None:
    body = client_for(admin).get("/api/v1/segments/fields").json()
    names = {f["name"]: f for f in body["contact"]}
    assert names["custom.nps"]["type"] == "number"
    assert "gte" in names["custom.nps"]["operators"]
    assert names["deals"]["record_type"] == "deal"
    assert {f["name"] for f in body["related"]["deal"]} >= {"amount", "status"}
