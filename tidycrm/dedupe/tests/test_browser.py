"""In a real browser: review a duplicate group, choose values, merge, then undo the merge from
the surviving contact's page."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import browser_page, chromium  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def twins(db: Any) -> Any:
    from tidycrm.accounts.services import create_user
    from tidycrm.contacts.services import save_contact
    from tidycrm.dedupe.services.queue import Proposed, add_groups
    from tidycrm.matching import Evidence, Match

    user = create_user(username="maria", password=PASSWORD, role="admin", check_password=False)
    a = save_contact(
        {"name": "Robert Miller", "emails": ["bob@acme.example"]}, actor=user, channel="api"
    ).record
    b = save_contact(
        {"name": "Bob Miller", "job_title": "Buyer", "emails": ["bob.miller@mail.example"]},
        actor=user,
        channel="api",
    ).record
    why = (Evidence("name", "nickname", 6.0, "Bob is a short form of Robert"),)
    add_groups("contact", [Proposed([a.pk, b.pk], [Match(str(a.pk), str(b.pk), 0.96, 9.0, why)])])
    return a, b


def test_review_merge_and_unmerge(browser_page: Any, live_server: Any, twins: Any) -> None:  # noqa: F811
    from tidycrm.contacts.models import Contact

    a, b = twins
    page, base = browser_page, live_server.url
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("maria")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Duplicates").click()
    page.get_by_role("link", name="Review").click()
    page.get_by_role("heading", name="Are these the same person?").wait_for()
    assert page.locator("tr.dedupe-differs").count() >= 2
    page.get_by_text("Why they look alike").click()
    assert page.get_by_text("Bob is a short form of Robert").is_visible()

    page.locator(f'input[name="survivor"][value="{a.pk}"]').check()
    page.locator(f'input[name="choice:job_title"][value="{b.pk}"]').check()
    page.get_by_role("button", name="Merge").click()
    page.get_by_text("You can undo this").wait_for()
    assert page.url.endswith(f"/{a.pk}/")
    assert not Contact.objects.filter(pk=b.pk).exists()
    assert page.get_by_text("bob.miller@mail.example").first.is_visible()

    page.get_by_role("button", name="Undo merge").click()
    page.get_by_text("Merge undone").wait_for()
    assert Contact.objects.filter(pk=b.pk).exists()
    assert Contact.objects.get(pk=a.pk).job_title == ""
