"""Segment pages: the builder's redraw and live count, saving, a segment's page, bulk actions
from the contacts list, and saved views."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tidycrm.segments.models import BulkAction, SavedView, Segment

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin: Any) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def test_builder_redraws_and_counts_live(browser: Client, people: Any) -> None:
    page = browser.get("/segments/new/")
    assert page.status_code == 200
    assert "List, tag, custom field or segment" in page.content.decode()
    redrawn = browser.post(
        "/segments/builder/",
        {
            "r.group": "all",
            "r.0.field": "custom.nps",
            "r.0.op": "gte",
            "r.0.value": "9",
            "action": "add:r",
        },
        headers={"HX-Request": "true"},
    )
    html = redrawn.content.decode()
    assert 'name="r.1.field"' in html  # the added condition
    assert 'data-testid="live-count">2<' in html
    counted = browser.post(
        "/segments/builder/count/",
        {"r.group": "all", "r.0.field": "custom.nps", "r.0.op": "gte", "r.0.value": "many"},
    )
    assert "takes a number" in counted.content.decode()


def test_save_view_and_recompute_a_segment(browser: Client, people: Any) -> None:
    saved = browser.post(
        "/segments/new/",
        {
            "name": "Promoters",
            "refresh_minutes": "0",
            "r.group": "all",
            "r.0.field": "custom.nps",
            "r.0.op": "gte",
            "r.0.value": "9",
        },
    )
    segment = Segment.objects.get(name="Promoters")
    assert saved.status_code == 302 and segment.filter == {
        "all": [{"field": "custom.nps", "op": "gte", "value": 9}]
    }
    detail = browser.get(f"/segments/{segment.pk}/").content.decode()
    assert "Ada Lovelace" in detail and "Alan Turing" not in detail
    browser.post(f"/segments/{segment.pk}/recompute/")
    segment.refresh_from_db()
    assert segment.member_count == 2
    edit = browser.get(f"/segments/{segment.pk}/edit/").content.decode()
    assert 'value="9"' in edit
    bad = browser.post("/segments/new/", {"name": "Nothing", "r.group": "all"})
    assert bad.status_code == 400 and "add at least one condition" in bad.content.decode()


def test_bulk_tag_from_the_contacts_list(browser: Client, people: Any) -> None:
    listing = browser.get("/").content.decode()
    assert 'form="bulk-form"' in listing and "/segments/panels/contact-list/" in listing
    tools = browser.get("/segments/panels/contact-list/").content.decode()
    assert 'id="bulk-form"' in tools
    ids = [people["ada"].pk, people["alan"].pk]
    form = browser.get("/segments/bulk/", {"ids": ids}).content.decode()
    assert 'data-testid="bulk-count">2<' in form
    done = browser.post("/segments/bulk/", {"ids": ids, "kind": "tag", "tags": "webinar"})
    action = BulkAction.objects.get()
    assert done.status_code == 302 and action.result["changed"] == 2
    page = browser.get(f"/segments/bulk/{action.pk}/").content.decode()
    assert 'data-testid="bulk-changed">2<' in page
    refused = browser.post("/segments/bulk/", {"ids": ids, "kind": "delete"})
    assert refused.status_code == 400 and "confirm" in refused.content.decode()
    everyone = browser.get(
        "/segments/bulk/", {"query": "lifecycle_stage=customer"}
    ).content.decode()
    assert 'data-testid="bulk-count">2<' in everyone


def test_saved_views_are_personal_or_shared_with_the_team(
    browser: Client, admin: Any, people: Any
) -> None:
    browser.post(
        "/segments/views/save/",
        {"name": "UK leads", "query": "country=GB&sort=-created&cols_set=1&col=email"},
    )
    view = SavedView.objects.get(name="UK leads")
    assert (
        view.filters == {"country": "GB"} and view.sort == "-created" and view.columns == ["email"]
    )
    tools = browser.get("/segments/panels/contact-list/").content.decode()
    assert "UK leads" in tools and "country=GB" in tools
    seller = Client()
    seller.force_login(people["seller"])
    assert "UK leads" not in seller.get("/segments/panels/contact-list/").content.decode()
    seller.post("/segments/views/save/", {"name": "Team view", "query": "tag=vip", "share": "yes"})
    colleague = Client()
    colleague.force_login(people["other"])
    assert "Team view" in colleague.get("/segments/panels/contact-list/").content.decode()
