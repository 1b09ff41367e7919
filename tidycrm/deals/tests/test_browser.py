"""In Chromium: drag a deal across stages on the board (no page reload), mark one lost."""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from tidycrm.deals.models import Deal, StageChange

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def seller(db: Any) -> Any:
    from django.apps import apps

    from tidycrm.accounts.services import create_user
    from tidycrm.deals.services import create_deal

    # A transactional test empties the tables after each test, data migrations' rows too.
    importlib.import_module("tidycrm.deals.migrations.0002_default_pipeline").create(apps, None)

    user = create_user(
        username="sam", password=PASSWORD, role="manager", first_name="Sam", check_password=False
    )
    create_deal({"name": "Harbour cranes", "amount": "48000"}, actor=user)
    create_deal({"name": "Dock lights", "amount": "3500"}, actor=user)
    return user


def column(page: Any, name: str) -> Any:
    return page.locator(".board-col", has=page.get_by_role("heading", name=name))


def test_drag_a_deal_across_stages(browser_page: Any, live_server: Any, seller: Any) -> None:
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Deals").click()
    page.get_by_role("heading", name="Sales").first.wait_for()
    page.evaluate("window.notReloaded = true")

    card = page.locator(".deal-card", has_text="Harbour cranes")
    proposal = column(page, "Proposal")
    card.drag_to(proposal, steps=8)
    proposal.locator('.deal-card[data-version="2"]', has_text="Harbour cranes").wait_for()
    assert proposal.locator("[data-count]").inner_text() == "1"
    assert column(page, "Qualification").locator("[data-count]").inner_text() == "1"
    assert page.evaluate("window.notReloaded") is True
    deal = Deal.objects.get(name="Harbour cranes")
    assert deal.stage.name == "Proposal" and deal.version == 2
    assert StageChange.objects.filter(deal=deal).count() == 2

    # A lost stage asks why; the move is saved with the chosen reason.
    lights = page.locator(".deal-card", has_text="Dock lights")
    lights.drag_to(column(page, "Lost"), steps=8)
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Loss reason").select_option(label="Price")
    dialog.get_by_label("Details").fill("Went with a cheaper supplier")
    dialog.get_by_role("button", name="Mark lost").click()
    column(page, "Lost").locator('.deal-card[data-version="2"]', has_text="Dock lights").wait_for()
    lost = Deal.objects.get(name="Dock lights")
    assert lost.status == "lost" and lost.loss_reason.name == "Price"
    assert lost.loss_note == "Went with a cheaper supplier"
    assert page.evaluate("window.notReloaded") is True


def test_a_refused_move_puts_the_card_back(
    browser_page: Any, live_server: Any, seller: Any
) -> None:
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    deal = Deal.objects.get(name="Dock lights")
    page.goto(f"{base}/deals/pipelines/{deal.pipeline_id}/board/")
    # Someone else moves the deal after the board was loaded: this board's copy is stale.
    from tidycrm.deals.services import move_deal

    move_deal(deal, deal.pipeline.stages.get(name="Negotiation"), actor=seller)
    card = page.locator(".deal-card", has_text="Dock lights")
    card.drag_to(column(page, "Proposal"), steps=8)
    status = page.locator("#board-status")
    status.filter(has_text="changed since you loaded it").wait_for()
    assert column(page, "Qualification").locator(".deal-card", has_text="Dock lights").count() == 1
    assert Deal.objects.get(pk=deal.pk).stage.name == "Negotiation"


def test_pick_a_person_for_a_new_deal(browser_page: Any, live_server: Any, seller: Any) -> None:
    """Typing a name fills the field's suggestions; the picked "Name #id" saves that person."""
    from tidycrm.contacts.services import save_contact

    person = save_contact({"name": "Ada Lovelace"}, actor=seller, channel="ui").record
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("sam")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{base}/deals/new/")
    page.get_by_label("Name", exact=True).fill("Analytical engine")
    first = page.locator("#id_person_0")
    first.press_sequentially("lovel", delay=40)
    page.locator(f'#contact-choices option[value="Ada Lovelace #{person.pk}"]').wait_for(
        state="attached"
    )
    first.fill(f"Ada Lovelace #{person.pk}")
    page.locator("#id_role_0").select_option("champion")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Analytical engine").wait_for()
    deal = Deal.objects.get(name="Analytical engine")
    assert list(deal.deal_contacts.values_list("contact_id", "role")) == [(person.pk, "champion")]
