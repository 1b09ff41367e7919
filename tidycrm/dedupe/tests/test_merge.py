"""Merging contacts and companies, and undoing it, against the real database."""

from __future__ import annotations

import pytest
from django.contrib.contenttypes.models import ContentType

from tidycrm.audit.models import ChangeRecord
from tidycrm.companies.services import save_company
from tidycrm.contacts.models import Contact, ContactAlias, ContactEmail
from tidycrm.contacts.services import save_contact
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tidycrm.dedupe.models import Merge
from tidycrm.dedupe.services.merge import merge_records, unmerge
from tidycrm.tags.models import TaggedItem

pytestmark = pytest.mark.django_db


def contact(admin, **data):
    return save_contact(data, actor=admin, channel="api").record


def tags_of(record):
    content_type = ContentType.objects.get_for_model(record)
    items = TaggedItem.objects.filter(content_type=content_type, object_id=record.pk)
    return sorted(items.values_list("tag__name", flat=True))


def test_merge_moves_everything_and_unmerge_restores_it(admin):
    acme = save_company({"name": "Acme"}, actor=admin, channel="api").record
    ana = contact(
        admin,
        name="Ana Lima",
        emails=["ana@acme.example"],
        phones=["+4930123456"],
        tags=["vip", "fair"],
        external_id="crm-1",
        custom_fields={},
    )
    twin = contact(
        admin,
        name="Ana Lima",
        job_title="CTO",
        emails=["ana.lima@mail.example", "ANA@acme.example"],
        tags=["fair", "newsletter"],
        external_id="shop-7",
        companies=[{"company_id": acme.pk}],
    )
    history_before = ChangeRecord.objects.filter(object_id=twin.pk).count()

    merge = merge_records(
        "contact",
        [ana.pk, twin.pk],
        actor=admin,
        survivor_id=ana.pk,
        choices={"job_title": twin.pk},
    )

    assert not Contact.objects.filter(pk=twin.pk).exists()
    ana.refresh_from_db()
    assert ana.job_title == "CTO"
    assert ana.external_id == "crm-1"
    assert sorted(ana.emails.values_list("key", flat=True)) == [
        "ana.lima@mail.example",
        "ana@acme.example",
    ]
    assert list(ana.affiliations.values_list("company_id", flat=True)) == [acme.pk]
    assert tags_of(ana) == ["fair", "newsletter", "vip"]
    aliases = set(ContactAlias.objects.filter(contact=ana).values_list("kind", "value"))
    assert ("external_id", "shop-7") in aliases
    assert ("email", "ana.lima@mail.example") in aliases
    # The merged-away record's history now shows on the survivor, plus one record of the merge.
    merge_audit = ChangeRecord.objects.filter(object_id=ana.pk, source__merge=merge.pk)
    assert merge_audit.count() == 1
    assert "merged" in merge_audit.get().changes

    # An edit to the survivor after the merge stays after the unmerge.
    save_contact({"department": "R&D"}, actor=admin, channel="api", contact=ana)
    unmerge(merge.pk, actor=admin)

    twin_again = Contact.objects.get(pk=twin.pk)
    assert twin_again.job_title == "CTO" and twin_again.external_id == "shop-7"
    assert sorted(twin_again.emails.values_list("key", flat=True)) == [
        "ana.lima@mail.example",
        "ana@acme.example",
    ]
    assert list(twin_again.affiliations.values_list("company_id", flat=True)) == [acme.pk]
    assert tags_of(twin_again) == ["fair", "newsletter"]
    assert ChangeRecord.objects.filter(object_id=twin.pk).count() >= history_before
    ana.refresh_from_db()
    assert ana.job_title == ""  # the value the merge set goes back
    assert ana.department == "R&D"  # the later edit stays
    assert list(ana.emails.values_list("key", flat=True)) == ["ana@acme.example"]
    assert tags_of(ana) == ["fair", "vip"]
    assert not ContactAlias.objects.filter(contact=ana).exists()
    assert Merge.objects.get(pk=merge.pk).undone_at is not None


def test_merging_an_already_merged_record_names_the_survivor(admin):
    a = contact(admin, name="A One")
    b = contact(admin, name="A One")
    c = contact(admin, name="A One")
    merge_records("contact", [a.pk, b.pk], actor=admin, survivor_id=a.pk)
    with pytest.raises(Conflict) as caught:
        merge_records("contact", [b.pk, c.pk], actor=admin)
    assert f"was already merged into contact {a.pk}" in caught.value.message


def test_unmerging_twice_is_a_conflict(admin):
    a, b = contact(admin, name="Bo"), contact(admin, name="Bo")
    merge = merge_records("contact", [a.pk, b.pk], actor=admin)
    unmerge(merge.pk, actor=admin)
    with pytest.raises(Conflict):
        unmerge(merge.pk, actor=admin)


def test_records_the_user_cannot_see_are_not_merged(admin, make_user):
    rep = make_user("sales")
    mine = contact(rep, name="Cy")
    theirs = contact(admin, name="Cy")
    with pytest.raises(PermissionDenied):
        merge_records("contact", [mine.pk, theirs.pk], actor=rep)
    assert Contact.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2


def test_a_stale_version_refuses_the_merge(admin):
    a, b = contact(admin, name="Di"), contact(admin, name="Di")
    seen = {a.pk: a.version, b.pk: b.version}
    save_contact({"job_title": "Boss"}, actor=admin, channel="api", contact=b)
    with pytest.raises(Conflict):
        merge_records("contact", [a.pk, b.pk], actor=admin, versions=seen)
    b.refresh_from_db()
    assert b.job_title == "Boss"


def test_bad_choices_name_the_field(admin):
    a, b = contact(admin, name="Ed"), contact(admin, name="Ed")
    with pytest.raises(ValidationFailed) as caught:
        merge_records("contact", [a.pk, b.pk], actor=admin, choices={"shoe_size": a.pk})
    assert "choices" in caught.value.field_errors


def test_a_later_import_row_with_a_merged_external_id_is_refused_with_the_survivor(admin):
    from tidycrm.contacts.services import save_contacts_bulk

    a = contact(admin, name="Flo", external_id="x-1")
    b = contact(admin, name="Flo", external_id="x-2")
    merge_records("contact", [a.pk, b.pk], actor=admin, survivor_id=a.pk)
    result = save_contacts_bulk(
        [{"name": "Flo", "external_id": "x-2"}], actor=admin, channel="import"
    )
    assert result.errors[0]["external_id"] == [f"belongs to contact {a.pk} (merged into it)."]
    assert ContactEmail.objects.count() == 0


def test_companies_merge_and_unmerge(admin):
    one = save_company({"name": "Acme GmbH", "website": "acme.example"}, actor=admin, channel="api")
    two = save_company({"name": "ACME", "industry": "Tools"}, actor=admin, channel="api")
    person = contact(admin, name="Gil", companies=[{"company_id": two.record.pk}])
    merge = merge_records("company", [one.record.pk, two.record.pk], actor=admin)
    survivor = merge.survivor_id
    assert list(person.affiliations.values_list("company_id", flat=True)) == [survivor]
    unmerge(merge.pk, actor=admin)
    assert list(person.affiliations.values_list("company_id", flat=True)) == [two.record.pk]


def test_an_edit_that_loses_the_race_to_a_merge_is_a_clear_conflict(admin):
    a, b = contact(admin, name="Hal"), contact(admin, name="Hal")
    stale = Contact.objects.get(pk=b.pk)  # loaded by an editor before the merge
    merge_records("contact", [a.pk, b.pk], actor=admin, survivor_id=a.pk)
    with pytest.raises(Conflict) as caught:
        save_contact({"job_title": "Pilot"}, actor=admin, channel="ui", contact=stale)
    assert "merged into another contact or deleted" in caught.value.message
    assert Contact.objects.get(pk=a.pk).job_title == ""


def test_list_memberships_of_another_app_follow_the_merge_and_come_back(admin):
    # dedupe never imports lists: the membership is found through Contact's related objects,
    # and the membership both records have is set aside (unique per list) and restored.
    from tidycrm.lists.models import ListMembership
    from tidycrm.lists.services import add_members, create_list

    a, b = contact(admin, name="Ida"), contact(admin, name="Ida")
    both = create_list(name="Both", actor=admin, channel="ui")
    only_b = create_list(name="Only B", actor=admin, channel="ui")
    add_members(both, [a.pk, b.pk], actor=admin, channel="ui")
    add_members(only_b, [b.pk], actor=admin, channel="ui")

    merge = merge_records("contact", [a.pk, b.pk], actor=admin, survivor_id=a.pk)
    lists_of = lambda pk: sorted(  # noqa: E731
        ListMembership.objects.filter(contact_id=pk).values_list("contact_list__name", flat=True)
    )
    assert lists_of(a.pk) == ["Both", "Only B"]
    unmerge(merge.pk, actor=admin)
    assert lists_of(a.pk) == ["Both"]
    assert lists_of(b.pk) == ["Both", "Only B"]
