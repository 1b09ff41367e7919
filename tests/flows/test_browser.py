"""A person's path through the web UI in a real browser: log in, create a contact, find it with
the search box, edit it, read its history; and the pages fit a phone screen."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def people(db: Any) -> Any:
    from tidycrm.accounts.services import create_user
    from tidycrm.contacts.services import save_contact

    user = create_user(
        username="maria",
        password=PASSWORD,
        role="manager",
        first_name="Maria",
        last_name="Keller",
        check_password=False,
    )
    save_contact({"name": "Alan Turing", "emails": ["alan@example.com"]}, actor=user, channel="api")
    return user


def log_in(page: Any, base: str, username: str = "maria") -> None:
    page.goto(f"{base}/")
    assert "/accounts/login/" in page.url
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Contacts").wait_for()


def test_create_find_edit_and_read_history(
    browser_page: Any, live_server: Any, people: Any
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base)

    page.get_by_role("link", name="New contact").click()
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Family name").fill("Hopper")
    page.get_by_label("E-mail addresses").fill("not-an-address")
    page.get_by_role("button", name="Create contact").click()
    error = page.locator(".field-error").first
    error.wait_for()
    assert "not-an-address" in error.inner_text()

    page.get_by_label("E-mail addresses").fill("Grace.Hopper@Example.com")
    page.get_by_label("Phone numbers").fill("mobile: +1 202 555 0147")
    page.get_by_label("Tags").fill("navy, cobol")
    page.get_by_role("button", name="Create contact").click()
    page.get_by_role("heading", name="Grace Hopper").wait_for()
    assert "Saved Grace Hopper" in page.locator(".messages").inner_text()
    assert "+12025550147" in page.content()

    page.get_by_role("link", name="Contacts", exact=True).first.click()
    rows = page.locator("table.records tbody tr")
    assert rows.count() == 2
    page.get_by_placeholder(re.compile("Search")).fill("hopp")
    page.wait_for_function("document.querySelectorAll('table.records tbody tr').length === 1")
    assert "Grace Hopper" in rows.first.inner_text()
    assert "q=hopp" in page.url  # the search is in the address bar, so it can be shared

    page.get_by_text("Filters & columns").click()
    page.get_by_label("Custom field").fill("bogus:1")
    page.get_by_label("Custom field").press("Enter")
    page.locator("#record-table .errors").wait_for()
    assert "bogus:1" in page.locator("#record-table .errors").inner_text()
    page.get_by_label("Custom field").fill("")
    page.get_by_label("Custom field").press("Enter")
    page.locator("#record-table table.records").wait_for()

    page.get_by_role("link", name="Grace Hopper").click()
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Job title").fill("Rear Admiral")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Grace Hopper").wait_for()
    assert "Rear Admiral" in page.locator(".subtitle").inner_text()

    page.get_by_role("link", name="Full history").click()
    page.get_by_role("heading", name="History of Grace Hopper").wait_for()
    first = page.locator(".history-entry").first
    assert "Updated" in first.inner_text() and "Maria Keller" in first.inner_text()
    change = first.locator("tr", has_text="Job title").inner_text()
    assert "—" in change and "Rear Admiral" in change and "→" in change

    page.locator(".usermenu summary").click()
    page.get_by_role("button", name="Log out").click()
    page.get_by_role("button", name="Log in").wait_for()


def _no_sideways_scroll(page: Any) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"))


def test_pages_fit_desktop_and_phone(
    browser_page: Any, live_server: Any, people: Any, screenshot_dir: Path | None
) -> None:
    from tidycrm.contacts.services import save_contact

    contact = save_contact(
        {
            "name": "Dr. Zeynep Işık-Yılmaz",
            "emails": ["zeynep@example.com"],
            "phones": ["+90 212 555 12 34"],
            "job_title": "Head of Research",
            "lifecycle_stage": "customer",
            "country": "TR",
            "addresses": [{"street": "İstiklal Cd. 12", "city": "İstanbul", "country": "TR"}],
            "tags": ["vip", "istanbul"],
            "notes": "Prefers e-mail.\nSpeaks Turkish and German.",
        },
        actor=people,
        channel="api",
    ).record
    save_contact({"job_title": "Director of Research"}, actor=people, channel="ui", contact=contact)
    page, base = browser_page, live_server.url
    log_in(page, base)
    for width_name, viewport in (("desktop", None), ("phone", PHONE)):
        if viewport:
            page.set_viewport_size(viewport)
        for name, path in (("list", "/"), ("detail", f"/contacts/{contact.pk}/")):
            page.goto(base + path)
            page.locator("main h1").wait_for()
            assert _no_sideways_scroll(page), f"{name} scrolls sideways at {width_name} width"
            if screenshot_dir:
                page.screenshot(
                    path=str(screenshot_dir / f"{name}-{width_name}.png"), full_page=True
                )
