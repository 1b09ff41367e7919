"""Segments in a real browser: build a segment and watch the live count; bulk-tag a selection
on the contacts list."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.flows.test_browser import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def manager(db: Any) -> Any:
    from tidycrm.accounts.services import create_user
    from tidycrm.contacts.services import save_contact
    from tidycrm.customfields.services import define_field

    user = create_user(username="maria", password=PASSWORD, role="manager", check_password=False)
    define_field(actor=None, record_type="contact", key="nps", label="NPS", field_type="integer")
    for name, country, nps in (
        ("Ada Lovelace", "GB", 9),
        ("Alan Turing", "GB", 4),
        ("Grace Hopper", "US", 10),
    ):
        save_contact(
            {"name": name, "country": country, "custom_fields": {"nps": nps}},
            actor=user,
            channel="api",
        )
    return user


SETTLED = """window.settled = window.settled || 0;
if (!window.counting) { window.counting = true;
  document.body.addEventListener("htmx:afterSettle", (e) => {
    if (e.target.id === "builder") { window.settled += 1; } }); }"""


def redrawn(page: Any, act: Any) -> None:
    """Do something that redraws the builder, and wait until htmx has settled the new one
    (its selects must be live before the next choice)."""
    page.evaluate(SETTLED)
    before = page.evaluate("window.settled")
    act()
    page.wait_for_function(f"window.settled > {before}")


def redraw(page: Any, select: str, value: str) -> None:
    redrawn(page, lambda: page.locator(f"select[name='{select}']").select_option(value))


def test_build_a_segment_with_a_live_count(
    browser_page: Any, live_server: Any, manager: Any, screenshot_dir: Path | None
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.goto(f"{base}/segments/new/")
    count = page.get_by_test_id("live-count")
    count.wait_for()
    assert count.inner_text() == "3"  # no condition yet: everyone

    redraw(page, "r.0.field", "country")
    page.locator("input[name='r.0.value']").fill("GB")
    page.wait_for_function(
        "document.querySelector('[data-testid=live-count]')?.textContent === '2'"
    )

    redrawn(page, lambda: page.get_by_role("button", name="+ Condition").first.click())
    redraw(page, "r.1.field", "custom.nps")
    redraw(page, "r.1.op", "gte")
    page.locator("input[name='r.1.value']").fill("9")
    page.wait_for_function(
        "document.querySelector('[data-testid=live-count]')?.textContent === '1'"
    )
    page.locator("input[name='r.1.value']").fill("lots")
    page.locator("#live-count .errors").wait_for()
    assert "takes a number" in page.locator("#live-count").inner_text()
    page.locator("input[name='r.1.value']").fill("9")
    page.wait_for_function(
        "document.querySelector('[data-testid=live-count]')?.textContent === '1'"
    )

    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "segment-builder.png"), full_page=True)
    page.get_by_role("textbox", name="Name", exact=True).fill("British promoters")
    page.get_by_role("button", name="Save segment").click()
    page.get_by_role("heading", name="British promoters").wait_for()
    assert "Ada Lovelace" in page.locator("table.records").inner_text()
    assert "Alan Turing" not in page.locator("table.records").inner_text()


def test_bulk_tag_a_selection(
    browser_page: Any, live_server: Any, manager: Any, screenshot_dir: Path | None
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.get_by_test_id("bulk-selected").wait_for()
    page.get_by_label("Select Ada Lovelace").check()
    page.get_by_label("Select Grace Hopper").check()
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "contacts-bulk-bar.png"), full_page=True)
    page.get_by_test_id("bulk-selected").click()
    page.get_by_role("heading", name="Bulk action").wait_for()
    assert page.get_by_test_id("bulk-count").inner_text() == "2"
    page.get_by_label("Add tags").check()
    page.get_by_label("Tags (for add/remove tags)").fill("conference")
    page.get_by_role("button", name="Run").click()
    page.get_by_test_id("bulk-status").wait_for()
    assert page.get_by_test_id("bulk-changed").inner_text() == "2"

    page.goto(f"{base}/?tag=conference")
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 2
    assert "Alan Turing" not in page.locator("table.records").inner_text()
