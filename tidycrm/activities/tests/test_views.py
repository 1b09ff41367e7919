"""Activity pages through Django's test client: record panels, quick-log, timeline filters and
paging, my day, notifications, the bell, calendar links and import."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tidycrm.activities.models import Activity, Notification
from tidycrm.activities.services import log_activity
from tidycrm.activities.services.notify import notify

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep_client(client, rep):
    client.force_login(rep)
    return client


def test_contact_page_loads_the_activity_panel(rep_client, contact):
    page = rep_client.get(reverse("contacts:detail", args=[contact.pk]))
    assert reverse("activities:contact_panel", args=[contact.pk]).encode() in page.content
    assert reverse("activities:bell").encode() in page.content
    panel = rep_client.get(reverse("activities:contact_panel", args=[contact.pk]))
    assert panel.status_code == 200
    assert b'name="kind"' in panel.content and b"Created" in panel.content


def test_quick_log_a_call_shows_it_on_the_timeline(rep_client, contact):
    url = reverse("activities:quick_log", args=["contact", contact.pk])
    response = rep_client.post(
        url,
        {
            "kind": "call",
            "subject": "Pricing <call>",
            "direction": "inbound",
            "duration_minutes": 5,
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    call = Activity.objects.get()
    assert (call.kind, call.direction, call.duration_seconds) == ("call", "inbound", 300)
    assert b"Pricing &lt;call&gt;" in response.content
    assert list(call.contact_links.values_list("contact_id", flat=True)) == [contact.pk]


def test_quick_log_errors_are_shown_on_the_form(rep_client, contact):
    url = reverse("activities:quick_log", args=["contact", contact.pk])
    start = timezone.now() + timedelta(days=1)
    response = rep_client.post(
        url,
        {
            "kind": "meeting",
            "subject": "Demo",
            "occurred_at": start.strftime("%Y-%m-%dT%H:%M"),
            "ends_at": (start - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 200
    assert b"is before the meeting starts." in response.content
    assert not Activity.objects.exists()


def test_quick_log_on_a_hidden_contact_is_404(client, other_rep, contact):
    client.force_login(other_rep)
    url = reverse("activities:quick_log", args=["contact", contact.pk])
    assert client.post(url, {"kind": "note", "body": "x"}).status_code == 404
    assert client.get(reverse("activities:contact_panel", args=[contact.pk])).status_code == 404


def test_timeline_filters_and_pages(rep_client, rep, contact):
    now = timezone.now()
    for n in range(30):
        log_activity(
            {
                "kind": "call" if n % 2 else "note",
                "subject": f"entry {n:02}",
                "body": "b",
                "occurred_at": now - timedelta(minutes=n),
                "contact_ids": [contact.pk],
            },
            actor=rep,
            channel="ui",
        )
    url = reverse("activities:timeline", args=["contact", contact.pk])
    calls = rep_client.get(url, {"kind": "call"})
    assert b"entry 01" in calls.content and b"entry 00" not in calls.content
    first = rep_client.get(url, {"kind": ["call", "note"]})
    assert b"entry 24" in first.content and b"entry 25" not in first.content
    cursor = first.context["next_cursor"]
    older = rep_client.get(url, {"kind": ["call", "note"], "cursor": cursor})
    assert b"entry 25" in older.content and b"entry 29" in older.content
    assert b"entry 24" not in older.content
    bad = rep_client.get(url, {"cursor": "forged"})
    assert bad.status_code == 400 and b"cursor" in bad.content


def test_my_day_completes_a_task_in_place(rep_client, rep):
    task = log_activity(
        {"kind": "task", "subject": "Call back", "due_at": timezone.now() - timedelta(hours=1)},
        actor=rep,
        channel="ui",
    )
    page = rep_client.get(reverse("activities:my_day"))
    assert b"Call back" in page.content and b"Overdue (1)" in page.content
    row = rep_client.post(
        reverse("activities:task_done", args=[task.pk]), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert b"Reopen" in row.content
    task.refresh_from_db()
    assert task.completed_at is not None


def test_notifications_bell_open_and_read(rep_client, rep, contact):
    made = notify(
        rep,
        kind="stale",
        key="k1",
        title="Look <here>",
        url=reverse("contacts:detail", args=[contact.pk]),
    )
    assert notify(rep, kind="stale", key="k1", title="again") is None
    bell = rep_client.get(reverse("activities:bell"))
    assert b">1<" in bell.content
    page = rep_client.get(reverse("activities:notifications"))
    assert b"Look &lt;here&gt;" in page.content
    opened = rep_client.post(reverse("activities:notification_open", args=[made.pk]))
    assert opened["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert Notification.objects.get().read_at is not None
    assert b"bell-count" not in rep_client.get(reverse("activities:bell")).content


def test_calendar_link_issue_feed_and_revoke(rep_client):
    anonymous = Client()
    rep_client.post(reverse("activities:calendar_issue"))
    page = rep_client.get(reverse("activities:calendar"))
    feed_url = page.context["feed_url"]
    assert "/calendar/feed/cal_" in feed_url
    path = feed_url.split("testserver", 1)[1]
    feed = anonymous.get(path)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    again = rep_client.get(reverse("activities:calendar"))
    assert again.context["feed_url"] == ""  # the secret is shown once
    rep_client.post(reverse("activities:calendar_revoke"))
    assert anonymous.get(path).status_code == 404


def test_calendar_import_of_a_bad_file_is_a_clear_error(rep_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("x.ics", b"this is no calendar", content_type="text/calendar")
    response = rep_client.post(reverse("activities:calendar_import"), {"file": upload})
    assert response.status_code == 400
    assert b"is not an iCalendar" in response.content


def test_company_panel_logs_on_the_company(rep_client, company):
    panel = rep_client.get(reverse("activities:company_panel", args=[company.pk]))
    assert panel.status_code == 200
    rep_client.post(
        reverse("activities:quick_log", args=["company", company.pk]),
        {"kind": "note", "body": "<i>Renewal</i> talk<script>x</script>"},
    )
    note = Activity.objects.get()
    assert list(note.company_links.values_list("company_id", flat=True)) == [company.pk]
    assert note.body == "<i>Renewal</i> talk"
    page = rep_client.get(reverse("activities:detail", args=[note.pk]))
    assert b"<i>Renewal</i> talk" in page.content and b"<script>" not in page.content


def test_unknown_record_type_is_404(rep_client):
    assert rep_client.get(reverse("activities:timeline", args=["ticket", 1])).status_code == 404


def test_deal_page_panel_logs_on_the_deal_and_its_company(rep_client, rep, company):
    from tidycrm.deals.models import Deal, Pipeline

    pipeline = Pipeline.objects.get()
    deal = Deal.objects.create(
        name="Pilot", pipeline=pipeline, stage=pipeline.stages.first(), owner=rep, company=company
    )
    page = rep_client.get(reverse("deals:detail", args=[deal.pk]))
    assert reverse("activities:deal_panel", args=[deal.pk]).encode() in page.content
    rep_client.post(
        reverse("activities:quick_log", args=["deal", deal.pk]),
        {"kind": "meeting", "subject": "Scoping", "location": "Their office"},
    )
    meeting = Activity.objects.get()
    assert list(meeting.deal_links.values_list("deal_id", flat=True)) == [deal.pk]
    assert list(meeting.company_links.values_list("company_id", flat=True)) == [company.pk]
    panel = rep_client.get(reverse("activities:deal_panel", args=[deal.pk]))
    assert b"Scoping" in panel.content
