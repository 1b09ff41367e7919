"""The contact form shows how the door will store a value, and its warnings, before saving."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flows.test_browser import log_in, people  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_form_previews_standard_values_and_warnings(
    browser_page: Any,
    live_server: Any,
    people: Any,  # noqa: F811
) -> None:
    from tidycrm.contacts.models import Contact

    page, base = browser_page, live_server.url
    log_in(page, base)
    page.get_by_role("link", name="New contact").click()
    page.get_by_label("Given name").fill("MARY")
    page.get_by_label("Family name").fill("O'NEIL")
    page.get_by_label("E-mail addresses").fill("info@Example.COM")
    page.get_by_label("Phone numbers").fill("030 1234567")
    page.get_by_label("Country").first.fill("Deutschland")
    page.get_by_label("Country").first.press("Tab")
    preview = page.locator("#door-preview")
    preview.get_by_text("+49301234567").wait_for()
    text = preview.inner_text()
    assert "Mary O'Neil" in text
    assert "role address" in text
    assert Contact.objects.filter(given_name__iexact="mary").count() == 0
