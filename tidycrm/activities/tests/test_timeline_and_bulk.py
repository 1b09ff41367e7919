"""The registered timeline sources against the database (ties at one moment, filters, company
and deal timelines) and the set-based bulk insert."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tidycrm.activities.models import Activity, ActivityContact, ActivityDeal
from tidycrm.activities.services import log_activity
from tidycrm.activities.services.bulk import insert_activities
from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.deals.models import Deal, Pipeline
from tidycrm.records.timeline import Query, timeline_page

pytestmark = pytest.mark.django_db


def all_pages(record_type, pk, user, limit, query=None):
    seen, cursor = [], None
    while True:
        page = timeline_page(record_type, pk, user, query=query, cursor=cursor, limit=limit)
        seen += page.entries
        cursor = page.next_cursor
        if cursor is None:
            return seen


def test_ties_at_one_moment_page_without_gaps_or_repeats(rep, contact):
    moment = timezone.now().replace(microsecond=0)
    for n in range(9):
        log_activity(
            {"kind": "note", "body": f"n{n}", "occurred_at": moment, "contact_ids": [contact.pk]},
            actor=rep,
            channel="ui",
        )
    ChangeRecord.objects.filter(object_id=contact.pk).update(at=moment)
    for limit in (1, 2, 4, 50):
        entries = all_pages("contact", contact.pk, rep, limit)
        keys = [(e.source, e.sort_id) for e in entries]
        assert len(keys) == len(set(keys)) == 10
        assert [e.key for e in entries] == sorted((e.key for e in entries), reverse=True)


def test_company_and_deal_timelines_and_kind_filter(rep, contact, company):
    pipeline = Pipeline.objects.get()
    deal = Deal.objects.create(
        name="Big", pipeline=pipeline, stage=pipeline.stages.first(), owner=rep
    )
    log_activity(
        {"kind": "call", "deal_ids": [deal.pk], "company_ids": [company.pk]},
        actor=rep,
        channel="ui",
    )
    log_activity(
        {"kind": "note", "body": "x", "company_ids": [company.pk]}, actor=rep, channel="ui"
    )
    deal_kinds = [e.kind for e in all_pages("deal", deal.pk, rep, 10)]
    assert deal_kinds == ["call"]
    company_calls = all_pages("company", company.pk, rep, 10, Query(kinds=frozenset({"call"})))
    assert [e.kind for e in company_calls] == ["call"]
    since = all_pages(
        "company", company.pk, rep, 10, Query(since=timezone.now() + timedelta(hours=1))
    )
    assert since == []


def test_field_changes_show_readable_rows(rep, contact):
    from tidycrm.contacts.services import save_contact as save

    save({"job_title": "Engineer"}, actor=rep, channel="ui", contact=contact)
    changes = all_pages("contact", contact.pk, rep, 10, Query(kinds=frozenset({"field_change"})))
    assert changes[0].title == "Changed job title"
    assert "job title: — → Engineer" in changes[0].body
    assert changes[-1].title == "Created"


def test_bulk_insert_writes_links_audit_and_last_activity(rep, contact, company):
    other = save_contact({"name": "Grace Hopper"}, actor=rep, channel="ui").record
    now = timezone.now().replace(microsecond=0)
    rows = [
        {
            "kind": "call" if n % 2 else "email",
            "subject": f"bulk {n}",
            "occurred_at": now - timedelta(days=n),
            "owner_id": rep.pk,
            "contact_ids": [contact.pk] if n < 5 else [contact.pk, other.pk],
            "company_ids": [company.pk],
        }
        for n in range(10)
    ]
    rows.append(
        {
            "kind": "task",
            "subject": "open plan",
            "occurred_at": now + timedelta(days=1),
            "contact_ids": [other.pk],
        }
    )
    assert insert_activities(rows, actor=rep, batch_size=4) == 11
    assert Activity.objects.count() == 11
    assert ActivityContact.objects.filter(contact=contact).count() == 10
    assert ActivityContact.objects.filter(contact=other).count() == 6
    assert (
        ChangeRecord.objects.filter(content_type__model="activity", action="create").count() == 11
    )
    link = ActivityContact.objects.get(activity__subject="bulk 3", contact=contact)
    assert link.at == now - timedelta(days=3)
    contact.refresh_from_db()
    other.refresh_from_db()
    assert contact.last_activity_at == now
    assert other.last_activity_at == now - timedelta(days=5)  # the open task does not count
    entries = all_pages("contact", contact.pk, rep, 3, Query(kinds=frozenset({"call", "email"})))
    assert [e.title for e in entries] == [f"bulk {n}" for n in range(10)]


def test_bulk_insert_refuses_unknown_fields_and_kinds(rep):
    with pytest.raises(ValidationFailed) as caught:
        insert_activities([{"kind": "call", "colour": "red"}])
    assert "0.colour" in caught.value.field_errors
    with pytest.raises(ValidationFailed):
        insert_activities([{"kind": "fax"}])
    assert not Activity.objects.exists()
    assert not ActivityDeal.objects.exists() and Contact.objects.count() == 0


def test_merging_duplicate_contacts_keeps_their_activities(admin):
    from tidycrm.dedupe.services.merge import merge_records, unmerge

    keep = save_contact(
        {"name": "Ada Lovelace", "emails": ["ada@example.com"]}, actor=admin, channel="ui"
    ).record
    twin = save_contact(
        {"name": "Ada Lovelace", "emails": ["ada.l@example.com"]}, actor=admin, channel="ui"
    ).record
    call = log_activity({"kind": "call", "contact_ids": [twin.pk]}, actor=admin, channel="ui")
    both = log_activity(
        {"kind": "note", "body": "x", "contact_ids": [keep.pk, twin.pk]}, actor=admin, channel="ui"
    )
    merge = merge_records("contact", [keep.pk, twin.pk], actor=admin, survivor_id=keep.pk)
    titles = {
        e.sort_id
        for e in all_pages("contact", keep.pk, admin, 10, Query(kinds=frozenset({"call", "note"})))
    }
    assert titles == {call.pk, both.pk}
    unmerge(merge.pk, actor=admin)
    assert set(
        ActivityContact.objects.filter(contact_id=twin.pk).values_list("activity_id", flat=True)
    ) == {call.pk, both.pk}


def test_a_page_reads_one_page_of_links(rep, contact):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = [{"kind": "call", "subject": f"c{n}", "contact_ids": [contact.pk]} for n in range(40)]
    insert_activities(rows, audit=False)
    with CaptureQueriesContext(connection) as queries:
        page = timeline_page(
            "contact", contact.pk, rep, query=Query(kinds=frozenset({"call"})), limit=5
        )
    assert len(page.entries) == 5 and page.next_cursor
    link_reads = [
        q["sql"] for q in queries.captured_queries if "activities_activitycontact" in q["sql"]
    ]
    assert link_reads and all("LIMIT 6" in sql for sql in link_reads)
