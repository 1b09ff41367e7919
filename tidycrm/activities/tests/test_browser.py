"""In Chromium: log a call from a contact page (the timeline shows it without a reload), and
complete a task in place on "my day"."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from tests.conftest import PHONE, browser_page, chromium, screenshot_dir  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def rep_and_contact(db: Any) -> Any:
    from tidycrm.accounts.services import create_user
    from tidycrm.contacts.services import save_contact

    user = create_user(
        username="rita", password=PASSWORD, role="sales", first_name="Rita", check_password=False
    )
    from tidycrm.activities.models import Outcome

    contact = save_contact({"name": "Alan Turing"}, actor=user, channel="api").record
    # A browser test before this one (live server, flushed database) removes the outcomes the
    # data migration seeded; the call below needs "Connected".
    Outcome.objects.get_or_create(kind="call", name="Connected", defaults={"is_connected": True})
    return user, contact


def log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill("rita")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Contacts").wait_for()


def test_log_a_call_from_a_contact_page(
    browser_page: Any,  # noqa: F811
    live_server: Any,
    rep_and_contact: Any,
    screenshot_dir: Any,  # noqa: F811
) -> None:
    from tidycrm.activities.models import Activity

    _, contact = rep_and_contact
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.goto(f"{base}/contacts/{contact.pk}/")
    panel = page.locator(".activity-panel")
    panel.wait_for()
    # The call's own fields show once "Call" is chosen; a task's do not.
    panel.get_by_role("radio", name="Call").check()
    assert panel.get_by_label("Direction").is_visible()
    assert not panel.get_by_label("Due").is_visible()
    panel.get_by_label("Subject").fill("Discussed the <pilot>")
    panel.get_by_label("Direction").select_option("outbound")
    panel.get_by_label("Outcome").select_option(label="Connected")
    panel.get_by_label("Duration minutes").fill("12")
    url_before = page.url
    panel.get_by_role("button", name="Log").click()
    entry = page.locator(".timeline-entry.kind-call")
    entry.wait_for()
    assert "Discussed the <pilot>" in entry.inner_text()
    assert "Outbound · Connected · 0:12:00" in entry.inner_text()
    assert page.url == url_before  # no page load
    call = Activity.objects.get()
    assert (call.kind, call.direction, call.duration_seconds) == ("call", "outbound", 720)
    # Filtering the timeline to field changes hides the call.
    page.locator(".timeline-filter").get_by_label("Field changes").check()
    page.wait_for_function("document.querySelectorAll('.timeline-entry.kind-call').length === 0")
    assert page.locator(".timeline-entry.kind-field_change").count() >= 1
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "activities-contact.png"), full_page=True)


def test_complete_a_task_on_my_day(
    browser_page: Any,  # noqa: F811
    live_server: Any,
    rep_and_contact: Any,
    screenshot_dir: Any,  # noqa: F811
) -> None:
    from tidycrm.activities.models import Activity
    from tidycrm.activities.services import log_activity

    user, contact = rep_and_contact
    log_activity(
        {
            "kind": "task",
            "subject": "Send the proposal",
            "due_at": timezone.now() - timedelta(hours=3),
            "contact_ids": [contact.pk],
        },
        actor=user,
        channel="api",
    )
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.get_by_role("link", name="My day").click()
    page.get_by_role("heading", name="Overdue (1)").wait_for()
    page.get_by_role("button", name="Complete Send the proposal").click()
    page.get_by_role("button", name="Reopen Send the proposal").wait_for()
    assert Activity.objects.get().completed_at is not None
    if screenshot_dir:
        page.screenshot(path=str(screenshot_dir / "activities-my-day.png"), full_page=True)
    page.set_viewport_size(PHONE)
    page.reload()
    page.get_by_role("heading", name="My day").wait_for()
    # The page's own content fits a phone (the shared top bar is the layout's concern).
    width = page.evaluate("document.querySelector('main').scrollWidth")
    assert width <= PHONE["width"]


def test_older_timeline_entries_load_in_place(
    browser_page: Any,  # noqa: F811
    live_server: Any,
    rep_and_contact: Any,
) -> None:
    from tidycrm.activities.services import log_activity

    user, contact = rep_and_contact
    now = timezone.now()
    for n in range(30):
        log_activity(
            {
                "kind": "note",
                "body": f"note {n:02}",
                "occurred_at": now - timedelta(minutes=n),
                "contact_ids": [contact.pk],
            },
            actor=user,
            channel="api",
        )
    page, base = browser_page, live_server.url
    log_in(page, base)
    page.goto(f"{base}/contacts/{contact.pk}/")
    entries = page.locator(".timeline-entry")
    entries.first.wait_for()
    assert entries.count() == 25
    page.get_by_role("link", name="Older…").click()
    page.wait_for_function("document.querySelectorAll('.timeline-entry').length === 31")
    texts = entries.all_inner_texts()
    # Newest first: the contact was created just before the newest note.
    assert "note 00" in texts[0] and "Created" in texts[1] and "note 29" in texts[30]
    assert page.get_by_role("link", name="Older…").count() == 0
