"""In a real browser: an administrator changes the entry policy, and a long export runs as a
job whose page fills in its progress and offers the file when done."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from tests.conftest import browser_page, chromium  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-battery-42"


@pytest.fixture
def boss(db: Any) -> Any:
    from tidycrm.accounts.services import create_user

    return create_user(username="boss", password=PASSWORD, role="admin", check_password=False)


def _log_in(page: Any, base: str) -> None:
    page.goto(f"{base}/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_admin_edits_the_entry_policy(browser_page: Any, live_server: Any, boss: Any) -> None:  # noqa: F811
    from tidycrm.records.models import EntryPolicy

    page, base = browser_page, live_server.url
    _log_in(page, base)
    page.get_by_role("link", name="Import", exact=True).click()
    page.get_by_role("link", name="Entry policy").click()
    cell = page.get_by_label("E-mail addresses that are not valid, import")
    assert cell.input_value() == "flag"
    cell.select_option("reject")
    page.get_by_role("button", name="Save entry policy").click()
    page.get_by_text("Entry policy saved (1 changed).").wait_for()
    assert (
        page.get_by_label("E-mail addresses that are not valid, import").input_value() == "reject"
    )
    assert EntryPolicy.objects.get(field="email", channel="import").action == "reject"


def test_long_export_runs_as_a_job_with_a_download(
    browser_page: Any,  # noqa: F811
    live_server: Any,
    boss: Any,
    settings: Any,
    tmp_path: Any,
) -> None:
    from tidycrm.contacts.services import save_contact
    from tidycrm.core.models import Job
    from tidycrm.intake.export_jobs import run_export

    settings.DATA_DIR = tmp_path
    settings.TIDYCRM_EXPORT_INLINE_ROWS = 1
    for name in ("Ada", "Grace"):
        save_contact({"name": f"{name} Jobs"}, actor=boss, channel="api")
    page, base = browser_page, live_server.url
    _log_in(page, base)
    page.goto(f"{base}/export/contacts.csv")
    page.get_by_role("heading", name="Queued").wait_for()
    job = Job.objects.get(kind="export")
    assert page.url.endswith(f"/export/jobs/{job.pk}/")
    run_export(job.pk)  # what the task worker does
    link = page.get_by_role("link", name="Download contacts.csv")
    link.wait_for(timeout=10_000)  # the page polls every second
    with page.expect_download() as info:
        link.click()
    with open(info.value.path(), encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert sorted((r["first_name"], r["last_name"]) for r in rows) == [
        ("Ada", "Jobs"),
        ("Grace", "Jobs"),
    ]
