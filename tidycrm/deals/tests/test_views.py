"""Deal pages: board with capped columns and totals, htmx move, list, detail, forms, settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tidycrm.companies.services import save_company
from tidycrm.contacts.services import save_contact
from tidycrm.deals.models import Deal, Stage
from tidycrm.deals.services import create_deal
from tidycrm.deals.views.board import CARDS_PER_COLUMN
from tidycrm.records.timeline import timeline_page

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_board_caps_cards_and_shows_true_totals(rep, pipeline, stages):
    for n in range(CARDS_PER_COLUMN + 3):
        create_deal({"name": f"Deal {n}", "amount": 100}, actor=rep)
    page = logged_in(rep).get(reverse("deals:board", args=[pipeline.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count('class="deal-card"') == CARDS_PER_COLUMN
    assert f">{CARDS_PER_COLUMN + 3}</span> deals" in html
    # The column total counts every deal, not only the cards shown.
    assert f"{(CARDS_PER_COLUMN + 3) * 100:,}" in html
    more = reverse("deals:stage_more", args=[stages["Qualification"].pk])
    assert more in html
    cursor = html.split(more + "?cursor=")[1].split('"')[0].replace("&amp;", "&")
    from urllib.parse import unquote

    rest = logged_in(rep).get(more, {"cursor": unquote(cursor)})
    assert rest.content.decode().count('class="deal-card"') == 3


def test_htmx_move_answers_card_and_both_column_totals(rep, stages, reason):
    deal = create_deal({"name": "Drag me", "amount": 40}, actor=rep).record
    client = logged_in(rep)
    url = reverse("deals:move", args=[deal.pk])
    target = stages["Proposal"]
    answer = client.post(url, {"stage": target.pk, "version": 1}, headers=HTMX)
    html = answer.content.decode()
    assert answer.status_code == 200
    assert f'id="deal-{deal.pk}"' in html and 'data-version="2"' in html
    assert html.count('hx-swap-oob="true"') == 2
    assert Deal.objects.get(pk=deal.pk).stage == target
    stale = client.post(url, {"stage": stages["Won"].pk, "version": 1}, headers=HTMX)
    assert stale.status_code == 409
    lost = client.post(url, {"stage": stages["Lost"].pk, "version": 2}, headers=HTMX)
    assert lost.status_code == 422 and "loss_reason_id" in lost.content.decode()
    ok = client.post(
        url, {"stage": stages["Lost"].pk, "version": 2, "loss_reason": reason.pk}, headers=HTMX
    )
    assert ok.status_code == 200 and Deal.objects.get(pk=deal.pk).status == "lost"
    unknown = client.post(url, {"stage": "nope"}, headers=HTMX)
    assert unknown.status_code == 422


def test_list_filters_and_detail_page(rep, stages):
    company = save_company({"name": "Initech"}, actor=rep, channel="ui").record
    create_deal({"name": "Printer upgrade", "company_id": company.pk}, actor=rep)
    create_deal({"name": "Stapler", "stage_id": stages["Won"].pk}, actor=rep)
    client = logged_in(rep)
    listed = client.get(reverse("deals:list"), {"status": "won"}).content.decode()
    assert "Stapler" in listed and "Printer upgrade" not in listed
    partial = client.get(
        reverse("deals:list"), {"q": "print"}, headers={**HTMX, "HX-Target": "record-table"}
    )
    assert "Printer upgrade" in partial.content.decode()
    assert "<html" not in partial.content.decode()
    bad = client.get(reverse("deals:list"), {"cursor": "forged"})
    assert bad.status_code == 400
    deal = Deal.objects.get(name="Printer upgrade")
    detail = client.get(reverse("deals:detail", args=[deal.pk])).content.decode()
    assert "Initech" in detail and "Qualification" in detail
    entries = timeline_page("deal", deal.pk, rep).entries
    assert "Deal created in Qualification" in [e.title for e in entries]
    company_feed = timeline_page("company", company.pk, rep).entries
    assert "Printer upgrade: deal created in Qualification" in [e.title for e in company_feed]


def test_create_form_shows_field_errors_then_saves(rep, pipeline):
    client = logged_in(rep)
    url = reverse("deals:create")
    assert client.get(url).status_code == 200
    bad = client.post(
        url, {"name": "", "amount": "lots", "currency": "XX", "pipeline": pipeline.pk}
    )
    html = bad.content.decode()
    assert bad.status_code == 400
    assert "is required." in html and "must be an amount" in html and "ISO 4217" in html
    assert not Deal.objects.exists()
    person = save_contact({"name": "Ann Smith"}, actor=rep, channel="ui").record
    good = client.post(
        url,
        {
            "name": "Renewal",
            "amount": "900",
            "pipeline": pipeline.pk,
            "owner": rep.pk,
            "person_0": f"Ann Smith #{person.pk}",
            "role_0": "champion",
            "person_1": "",
            "role_1": "",
        },
    )
    deal = Deal.objects.get()
    assert list(deal.deal_contacts.values_list("contact_id", "role")) == [(person.pk, "champion")]
    assert good.status_code == 302 and good["Location"] == reverse("deals:detail", args=[deal.pk])
    edit = client.post(
        reverse("deals:edit", args=[deal.pk]),
        {
            "name": "Renewal",
            "amount": "950",
            "pipeline": pipeline.pk,
            "owner": rep.pk,
            "version": 1,
        },
    )
    assert edit.status_code == 302
    stale = client.post(
        reverse("deals:edit", args=[deal.pk]),
        {"name": "Renewal 2", "pipeline": pipeline.pk, "version": 1},
    )
    assert stale.status_code == 400 and "changed this record" in stale.content.decode()


def test_panels_on_contact_and_company_pages(rep):
    company = save_company({"name": "Globex"}, actor=rep, channel="ui").record
    person = save_contact({"name": "Hank Scorpio"}, actor=rep, channel="ui").record
    create_deal(
        {"name": "Hammocks", "company_id": company.pk, "contacts": [{"contact_id": person.pk}]},
        actor=rep,
    )
    client = logged_in(rep)
    contact_page = client.get(reverse("contacts:detail", args=[person.pk])).content.decode()
    assert reverse("deals:contact_panel", args=[person.pk]) in contact_page
    for url in (
        reverse("deals:contact_panel", args=[person.pk]),
        reverse("deals:company_panel", args=[company.pk]),
    ):
        assert "Hammocks" in client.get(url).content.decode()


def test_settings_pages_for_admins_only(rep, admin, pipeline):
    assert logged_in(rep).get(reverse("deals:settings")).status_code == 403
    client = logged_in(admin)
    assert client.get(reverse("deals:settings")).status_code == 200
    added = client.post(
        reverse("deals:pipeline_edit", args=[pipeline.pk]),
        {"stage-name": "Demo", "stage-probability": 30, "stage-kind": "open"},
    )
    assert added.status_code == 302
    stage = Stage.objects.get(name="Demo")
    assert stage.probability == 30
    dup = client.post(
        reverse("deals:settings"), {"pipeline-name": "Sales", "pipeline-currency": "USD"}
    )
    assert dup.status_code == 400 and "another pipeline has this name" in dup.content.decode()
    gone = client.post(reverse("deals:settings_delete", args=["stage", stage.pk]))
    assert gone.status_code == 302 and not Stage.objects.filter(pk=stage.pk).exists()


def test_pickers_suggest_only_what_the_user_may_see(rep, make_user, pipeline):
    """The company and people fields suggest visible records by name, escaped, as "Name #id"."""
    other = make_user("sales")
    mine = save_contact({"name": "Zoë <b>Ashby</b>"}, actor=rep, channel="ui").record
    save_contact({"name": "Zoe Ashcroft", "owner_id": other.pk}, actor=other, channel="ui")
    acme = save_company({"name": "Ashford Tools"}, actor=rep, channel="ui").record
    client = logged_in(rep)
    people = client.get(reverse("deals:pick", args=["contact"]), {"person_0": "ash"})
    html = people.content.decode()
    assert people.status_code == 200
    assert f"#{mine.pk}" in html and "&lt;b&gt;" in html and "<b>" not in html
    assert "Ashcroft" not in html  # another rep's contact
    companies = client.get(reverse("deals:pick", args=["company"]), {"company": "ashf"})
    assert f'value="Ashford Tools #{acme.pk}"' in companies.content.decode()
    assert (
        client.get(reverse("deals:pick", args=["contact"]), {"person_0": "a"}).content.strip()
        == b""
    )
    assert client.get(reverse("deals:pick", args=["planet"]), {"q": "ash"}).status_code == 404


def test_a_picked_person_the_user_cannot_see_is_named_on_its_row(rep, make_user, pipeline):
    other = make_user("sales")
    hidden = save_contact(
        {"name": "Hidden Person", "owner_id": other.pk}, actor=other, channel="ui"
    )
    response = logged_in(rep).post(
        reverse("deals:create"),
        {
            "name": "Upsell",
            "pipeline": pipeline.pk,
            "person_0": f"Hidden Person #{hidden.record.pk}",
            "role_0": "buyer",
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form["person_0"].errors and not Deal.objects.exists()


def test_a_new_deal_from_a_person_names_them_on_the_first_row(rep, pipeline):
    person = save_contact({"name": "Ann Smith"}, actor=rep, channel="ui").record
    page = logged_in(rep).get(reverse("deals:create"), {"contact": person.pk})
    assert page.context["form"].initial["person_0"] == f"Ann Smith #{person.pk}"
    assert f'value="Ann Smith #{person.pk}"' in page.content.decode()
