"""The duplicates pages and the contact form's duplicate block, through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.dedupe.models import DuplicateGroup, Merge
from tidycrm.dedupe.services.policy import update_policy
from tidycrm.dedupe.services.queue import Proposed, add_groups
from tidycrm.matching import Match

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def queued(admin):
    a = save_contact({"name": "Ana <b>Lima</b>"}, actor=admin, channel="api").record
    b = save_contact({"name": "Ana Lima", "job_title": "CTO"}, actor=admin, channel="api").record
    add_groups("contact", [Proposed([a.pk, b.pk], [Match(str(a.pk), str(b.pk), 0.95, 8.0, ())])])
    return a, b, DuplicateGroup.objects.get()


def test_queue_review_merge_then_unmerge_from_the_panel(admin_client, admin):
    a, b, group = queued(admin)
    page = admin_client.get(reverse("dedupe:queue"))
    assert page.status_code == 200
    assert b"95%" in page.content and b"Ana &lt;b&gt;Lima&lt;/b&gt;" in page.content

    review = admin_client.get(reverse("dedupe:group", args=[group.pk]))
    assert review.status_code == 200
    assert b'class="dedupe-differs"' in review.content
    assert f'name="choice:job_title" value="{b.pk}"'.encode() in review.content

    merged = admin_client.post(
        reverse("dedupe:group_merge", args=[group.pk]),
        {"survivor": a.pk, "choice:job_title": b.pk, "choice:name": b.pk},
    )
    assert merged.status_code == 302
    survivor = Contact.objects.get(pk=a.pk)
    assert (survivor.display_name, survivor.job_title) == ("Ana Lima", "CTO")

    panel = admin_client.get(reverse("dedupe:contact_panel", args=[a.pk]))
    merge = Merge.objects.get()
    assert f"merged {b.pk} into this record".encode() in panel.content
    undone = admin_client.post(reverse("dedupe:unmerge", args=[merge.pk]))
    assert undone.status_code == 302
    assert Contact.objects.filter(pk=b.pk).exists()
    assert Contact.objects.get(pk=a.pk).display_name == "Ana <b>Lima</b>"


def test_not_duplicates_and_bulk_accept(admin_client, admin):
    _, _, group = queued(admin)
    admin_client.post(reverse("dedupe:group_dismiss", args=[group.pk]))
    group.refresh_from_db()
    assert group.status == "dismissed"

    c = save_contact({"name": "Bo Chen"}, actor=admin, channel="api").record
    d = save_contact({"name": "Bo Chen"}, actor=admin, channel="api").record
    add_groups("contact", [Proposed([c.pk, d.pk], [Match(str(c.pk), str(d.pk), 0.999, 12, ())])])
    response = admin_client.post(reverse("dedupe:accept"), {"min_confidence": "0.99"})
    assert response.status_code == 302
    assert Contact.objects.filter(pk__in=[c.pk, d.pk]).count() == 1
    bad = admin_client.post(reverse("dedupe:accept"), {"min_confidence": "lots"}, follow=True)
    assert b"Minimum confidence" in bad.content


def test_settings_page_is_for_admins(admin_client, client, make_user):
    page = admin_client.get(reverse("dedupe:policy"))
    assert page.status_code == 200
    saved = admin_client.post(
        reverse("dedupe:policy"),
        {"action:contact:ui": "block", "survivorship": "recent", "auto_merge_threshold": "0.98"},
    )
    assert saved.status_code == 302
    client.force_login(make_user("sales"))
    assert client.get(reverse("dedupe:policy")).status_code == 403


def test_the_contact_form_blocks_a_duplicate_and_offers_to_open_or_add_to_it(admin_client, admin):
    update_policy(actor=admin, actions={"contact": {"ui": "block"}})
    first = save_contact(
        {"name": "Ana Lima", "emails": ["ana.lima@acme.example"]}, actor=admin, channel="api"
    ).record
    form = {
        "given_name": "Ana",
        "family_name": "Lima",
        "emails": "ana.lima@acme.example\nhome: ana@home.example",
        "phones": "+49 30 1234567",
        "lifecycle_stage": "lead",
        "addresses-TOTAL_FORMS": "0",
        "addresses-INITIAL_FORMS": "0",
    }
    refused = admin_client.post(reverse("contacts:create"), form)
    assert refused.status_code == 400
    assert f"Open contact {first.pk}".encode() in refused.content
    assert Contact.objects.count() == 1

    added = admin_client.post(reverse("contacts:create"), {**form, "add_to": str(first.pk)})
    assert added.status_code == 302
    assert Contact.objects.count() == 1
    first.refresh_from_db()
    assert sorted(first.emails.values_list("key", flat=True)) == [
        "ana.lima@acme.example",
        "ana@home.example",
    ]
    assert list(first.phones.values_list("e164", flat=True)) == ["+49301234567"]


def test_opening_the_queue_requeues_a_scan_a_dead_worker_left(admin_client, admin):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from tidycrm.core.jobs import create_job, start_job
    from tidycrm.core.models import Job
    from tidycrm.dedupe.choices import SCAN_JOB

    stalled = create_job(SCAN_JOB, params={"kind": "contact", "filters": {}})
    start_job(stalled.pk)
    Job.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    alive = create_job(SCAN_JOB, params={"kind": "contact", "filters": {}})
    start_job(alive.pk)
    before = DBTaskResult.objects.count()
    assert admin_client.get(reverse("dedupe:queue")).status_code == 200
    queued = DBTaskResult.objects.all()[before:]
    assert [t.args_kwargs["args"] for t in queued] == [[stalled.pk]]


@pytest.mark.django_db(transaction=True)
def test_a_scan_started_on_the_page_runs_on_the_worker(client, admin):
    from django.core.management import call_command

    from tidycrm.core.models import Job, JobStatus

    client.force_login(admin)
    for _ in range(2):
        save_contact(
            {"name": "Ana Lima", "emails": ["ana@acme.example"]}, actor=admin, channel="api"
        )
    save_contact({"name": "Bo Chen", "emails": ["bo@shop.example"]}, actor=admin, channel="api")
    started = client.post(reverse("dedupe:scan"), {"kind": "contact"}, follow=True)
    assert b"started" in started.content
    call_command("db_worker", "--batch", "--no-startup-delay")
    job = Job.objects.get(kind="dedupe.scan")
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert (job.done, job.total) == (3, 3)
    assert job.result["groups_added"] == 1
    page = client.get(reverse("dedupe:queue"))
    assert page.content.count(b"Ana Lima") == 2


def test_a_company_group_is_reviewed_and_merged_the_same_way(admin_client, admin):
    from tidycrm.companies.models import Company
    from tidycrm.companies.services import save_company

    one = save_company({"name": "Acme GmbH"}, actor=admin, channel="api").record
    two = save_company({"name": "ACME", "industry": "Tools"}, actor=admin, channel="api").record
    add_groups(
        "company", [Proposed([one.pk, two.pk], [Match(str(one.pk), str(two.pk), 0.93, 7, ())])]
    )
    group = DuplicateGroup.objects.get(kind="company")
    page = admin_client.get(reverse("dedupe:queue") + "?kind=company")
    assert b"Acme GmbH" in page.content
    review = admin_client.get(reverse("dedupe:group", args=[group.pk]))
    assert b"Are these the same company?" in review.content
    merged = admin_client.post(reverse("dedupe:group_merge", args=[group.pk]), {"survivor": one.pk})
    assert merged.status_code == 302 and merged["Location"] == reverse(
        "companies:detail", args=[one.pk]
    )
    assert list(Company.objects.values_list("pk", "industry")) == [(one.pk, "Tools")]
    panel = admin_client.get(reverse("dedupe:company_panel", args=[one.pk]))
    assert b"Undo merge" in panel.content
