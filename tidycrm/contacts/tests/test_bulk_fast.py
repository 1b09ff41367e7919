"""The bulk door writes exactly what the single door writes for a new contact: the same
standardised fields, child rows, tags, audit change record and search tokens, in-process and
with worker processes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from tidycrm.audit.models import ChangeRecord
from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact, ContactSearchToken
from tidycrm.contacts.services import bulk_parallel, save_contact, save_contacts_bulk
from tidycrm.customfields.services import define_field
from tidycrm.tags.models import TaggedItem

pytestmark = pytest.mark.django_db

SKIP = {"id", "created_at", "updated_at"}


def _sample(company_id: int, owner_id: int) -> list[dict[str, Any]]:
    return [
        {
            "name": "Dr. Ayşe IŞIK",
            "emails": ["  Ayse.Isik@Example.COM ", "info@example.org"],
            "phones": [{"number": "0212 555 12 12 ext. 7", "label": "work"}],
            "country": "Türkiye",
            "tags": ["VIP", "vip", " Partner "],
        },
        {
            "given_name": "  mary ",
            "family_name": "MCDONALD",
            "emails": ["MARY@EXAMPLE.COM"],
            "phones": ["(415) 555-2671", "call me"],
            "country": "United States",
            "addresses": [
                {"street": "1 main street", "city": "springfield", "postal_code": "62701"}
            ],
            "companies": [{"company_id": company_id, "job_title": "CTO"}],
            "lifecycle_stage": "customer",
            "total_spend": "12.50",
            "birthday": "1980-02-29",
            "interests": ["golf", "sailing"],
            "custom_fields": {"tier": "gold"},
            "owner_id": owner_id,
        },
        {
            "name": "van der Berg, Jan",
            "emails": ["not-an-address"],
            "country": "Deutschland",
            "addresses": [{"street": "Hauptstrasse 5", "postal_code": "1234", "country": "DE"}],
            "social_profiles": ["linkedin.com/in/janvdb"],
            "notes": "Met at the fair.\nFollow up.",
        },
        {"emails": ["solo@example.com"], "country": "Atlantis", "tags": []},
        {
            "given_name": "김",
            "family_name": "민준",
            "phones": ["010-1234-5678"],
            "country": "KR",
            "emails": ["minjun@corp.test"],
        },
    ]


def _snapshot(contact: Contact) -> dict[str, Any]:
    fields = {
        f.attname: getattr(contact, f.attname)
        for f in Contact._meta.concrete_fields
        if f.attname not in SKIP
    }
    children = {
        name: list(
            getattr(contact, name)
            .order_by("-is_primary", "id")
            .values(
                *[
                    f.attname
                    for f in getattr(contact, name).model._meta.concrete_fields
                    if f.attname not in SKIP | {"contact_id"}
                ]
            )
        )
        for name in ("emails", "phones", "addresses", "affiliations")
    }
    record = ChangeRecord.objects.get(
        content_type=ContentType.objects.get_for_model(Contact),
        object_id=contact.pk,
        action="create",
    )
    audit = {
        "object_repr": record.object_repr,
        "channel": record.channel,
        "actor_id": record.actor_id,
        "changes": record.changes,
        "source": record.source,
        "content_type_id": record.content_type_id,
    }
    tags = sorted(
        TaggedItem.objects.filter(
            object_id=contact.pk, content_type=record.content_type
        ).values_list("tag__name", flat=True)
    )
    tokens = set(ContactSearchToken.objects.filter(contact=contact).values_list("token", flat=True))
    return {"fields": fields, "children": children, "audit": audit, "tags": tags, "tokens": tokens}


@pytest.fixture
def sample(admin, make_user):
    define_field(actor=admin, record_type="contact", key="tier", label="Tier", field_type="text")
    company = save_company({"name": "Acme Widgets Ltd"}, actor=admin, channel="ui").record
    owner = make_user("sales")
    return _sample(company.pk, owner.pk)


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "workers"])
def test_bulk_writes_what_the_single_door_writes(admin, sample, settings, parallel):
    if parallel:
        settings.TIDYCRM_BULK_WORKERS = 1
        settings.TIDYCRM_BULK_PARALLEL_ROWS = 1
    sources = [{"file": "f.csv", "row": i + 2} for i in range(len(sample))]
    saved = [
        save_contact(row, actor=admin, channel="import", source=source)
        for row, source in zip(sample, sources, strict=True)
    ]
    single = [s.record for s in saved]
    before = dict(bulk_parallel.stats)
    bulk = save_contacts_bulk(sample, actor=admin, channel="import", sources=sources)
    bulk_parallel.shutdown()
    if parallel:
        assert bulk_parallel.stats["worker_rows"] > before["worker_rows"]
        assert bulk_parallel.stats["handed_back"] == before["handed_back"]
    assert bulk.errors == {}
    assert len(bulk.created) == len(single)
    for one, many in zip(single, bulk.created, strict=True):
        assert _snapshot(many) == _snapshot(one)
        stored = Contact.objects.get(pk=many.pk)
        # The returned instances hold what was stored.
        names = [f.attname for f in Contact._meta.concrete_fields]
        assert [getattr(many, n) for n in names] == [getattr(stored, n) for n in names]
    assert Contact.objects.get(pk=bulk.created[1].pk).total_spend == Decimal("12.50")
    # The same warnings, but for duplicates: matching is the importer's step, not this one's.
    assert bulk.warnings == {i: s.warnings for i, s in enumerate(saved) if s.warnings}


def test_workers_report_rejected_rows_like_the_caller(admin, sample, settings):
    settings.TIDYCRM_BULK_WORKERS = 1
    settings.TIDYCRM_BULK_PARALLEL_ROWS = 1
    rows = [*sample, {"lifecycle_stage": "king", "given_name": "X"}, {"owner_id": "abc"}]
    result = save_contacts_bulk(rows, actor=admin, channel="import")
    bulk_parallel.shutdown()
    assert set(result.errors) == {5, 6}
    assert set(result.errors[5]) == {"lifecycle_stage"}
    assert "owner_id" in result.errors[6]
    assert len(result.created) == 5
