"""In Chromium: a sales leader opens Reports, reads the figures and charts, filters them, and
downloads a chart's data."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest

from tidycrm.reports.filters import parse_filter
from tidycrm.reports.metrics import outcomes
from tidycrm.reports.tests.history import make_history

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def leader(db: Any) -> Any:
    from django.apps import apps

    from tidycrm.accounts.services import create_user, get_or_create_team

    # A transactional test empties the tables after each test, data migrations' rows too.
    importlib.import_module("tidycrm.deals.migrations.0002_default_pipeline").create(apps, None)
    team = get_or_create_team("East")
    reps = [
        create_user(
            username=f"rep{n}", password=PASSWORD, role="sales", team=team, check_password=False
        )
        for n in range(2)
    ]
    make_history(21, reps, deals=90)
    return create_user(
        username="lena", password=PASSWORD, role="admin", first_name="Lena", check_password=False
    )


def test_read_the_dashboard(browser_page: Any, live_server: Any, leader: Any) -> None:
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("lena")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("heading", name="Sales reports").wait_for()

    expected = outcomes(leader, parse_filter({}))
    win_rate = page.locator('[data-figure="win_rate"]').inner_text()
    assert win_rate == f"{expected.win_rate * 100:.0f}%"
    assert page.get_by_text(f"{expected.won} won · {expected.lost} lost").is_visible()
    for title in (
        "Won value per month",
        "Pipeline value by stage",
        "Stage-to-stage conversion",
        "Most common loss reasons",
        "Speed to lead",
        "Per-rep performance",
    ):
        card = page.locator("section.card", has=page.get_by_role("heading", name=title))
        assert card.locator("svg").count() == 1, title
    assert page.locator("svg rect.bar").count() > 5
    accuracy = page.locator('[data-figure="accuracy"]').inner_text()
    assert 0 <= float(accuracy) <= 1

    # Filter to one rep: the figures follow.
    rep = leader.__class__.objects.get(username="rep0")
    page.get_by_label("Owner").select_option(label=str(rep))
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**owner=*")
    mine = outcomes(leader, parse_filter({"owner": str(rep.pk)}))
    assert page.get_by_text(f"{mine.won} won · {mine.lost} lost").is_visible()

    card = page.locator(
        "section.card", has=page.get_by_role("heading", name="Most common loss reasons")
    )
    with page.expect_download() as download:
        card.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert text.splitlines()[0] == "loss_reason,lost_deals"
