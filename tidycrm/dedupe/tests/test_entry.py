"""The door's duplicate check: match keys kept current, candidates scored, policy per channel."""

from __future__ import annotations

import pytest

from tidycrm.contacts.duplicates import DuplicateFound
from tidycrm.contacts.models import Contact, ContactMatchKey
from tidycrm.contacts.services import save_contact, save_contacts_bulk
from tidycrm.contacts.services.match_keys import keys_of, person_records, rebuild_all
from tidycrm.core.exceptions import PermissionDenied, ValidationFailed
from tidycrm.dedupe.choices import GroupOrigin
from tidycrm.dedupe.models import DuplicateGroup, Merge
from tidycrm.dedupe.services.policy import action_for, current_policy, update_policy

pytestmark = pytest.mark.django_db

ANA = {
    "name": "Ana Lima",
    "emails": ["ana.lima@acme.example"],
    "phones": ["+49 30 1234567"],
    "city": "Berlin",
}


def stored_keys(pk: int) -> set[str]:
    return set(ContactMatchKey.objects.filter(contact_id=pk).values_list("key", flat=True))


def test_every_write_keeps_the_match_keys_current(admin):
    first = save_contact(ANA, actor=admin, channel="ui").record
    assert stored_keys(first.pk) == set(keys_of(person_records([first.pk])[0]))
    save_contact({"emails": ["ana@elsewhere.example"]}, actor=admin, channel="ui", contact=first)
    keys = stored_keys(first.pk)
    assert keys == set(keys_of(person_records([first.pk])[0]))
    assert not any("acme" in k for k in keys)

    result = save_contacts_bulk([ANA, {"name": "Bo Chen"}], actor=admin, channel="import")
    for contact in result.created:
        assert stored_keys(contact.pk) == set(keys_of(person_records([contact.pk])[0]))

    ContactMatchKey.objects.all().delete()
    assert rebuild_all() == Contact.objects.count()
    assert stored_keys(first.pk) == set(keys_of(person_records([first.pk])[0]))


def test_warn_names_the_likely_duplicate_and_saves(admin):
    first = save_contact(ANA, actor=admin, channel="ui").record
    second = save_contact({**ANA, "name": "Ana  LIMA"}, actor=admin, channel="ui")
    assert second.created
    [warning] = second.warnings
    assert warning.startswith(f"Possible duplicate of contact {first.pk} (")


def test_different_people_are_not_flagged(admin):
    save_contact(ANA, actor=admin, channel="ui")
    other = save_contact(
        {"name": "Bruno Costa", "emails": ["bruno@shop.example"], "city": "Lisbon"},
        actor=admin,
        channel="ui",
    )
    assert other.warnings == []


def test_block_refuses_and_names_the_duplicate(admin):
    update_policy(actor=admin, actions={"contact": {"form": "block"}})
    first = save_contact(ANA, actor=admin, channel="form").record
    with pytest.raises(DuplicateFound) as caught:
        save_contact(ANA, actor=admin, channel="form")
    assert [f.contact_id for f in caught.value.findings] == [first.pk]
    assert Contact.objects.count() == 1


def test_link_saves_and_queues_the_pair_for_review(admin):
    update_policy(actor=admin, actions={"contact": {"api": "link"}})
    first = save_contact(ANA, actor=admin, channel="api").record
    second = save_contact(ANA, actor=admin, channel="api").record
    group = DuplicateGroup.objects.get()
    assert group.origin == GroupOrigin.ENTRY
    assert sorted(group.members.values_list("record_id", flat=True)) == [first.pk, second.pk]


def test_merge_above_the_threshold_keeps_the_existing_contact(admin):
    update_policy(actor=admin, actions={"contact": {"import": "merge"}}, auto_merge_threshold=0.9)
    first = save_contact(ANA, actor=admin, channel="import").record
    again = save_contact({**ANA, "job_title": "CTO"}, actor=admin, channel="import")
    assert again.record.pk == first.pk
    assert Contact.objects.count() == 1
    assert Merge.objects.filter(survivor_id=first.pk).exists()


def test_a_merged_external_id_points_at_the_survivor(admin):
    from tidycrm.dedupe.services.merge import merge_records

    a = save_contact({"name": "Cy Dunn", "external_id": "x-1"}, actor=admin, channel="api").record
    b = save_contact({"name": "Cy Dunn", "external_id": "x-2"}, actor=admin, channel="api").record
    merge_records("contact", [a.pk, b.pk], actor=admin, survivor_id=a.pk)
    later = save_contact({"name": "C. Dunn", "external_id": "x-2"}, actor=admin, channel="api")
    assert later.warnings == [
        f"Possible duplicate of contact {a.pk} (its identifier was merged into this contact)."
    ]


def test_a_hidden_duplicate_is_not_named(admin, make_user):
    rep = make_user("sales")
    save_contact(ANA, actor=admin, channel="ui")
    mine = save_contact(ANA, actor=rep, channel="ui")
    [warning] = mine.warnings
    assert warning.startswith("A contact you cannot see")


def test_policy_is_an_admins_and_checked(admin, make_user):
    with pytest.raises(PermissionDenied):
        update_policy(actor=make_user("sales"), actions={"contact": {"ui": "off"}})
    with pytest.raises(ValidationFailed) as caught:
        update_policy(
            actor=admin,
            actions={"contact": {"ui": "explode", "fax": "warn"}},
            survivorship="coin",
            auto_merge_threshold=2,
        )
    assert set(caught.value.field_errors) == {"actions", "survivorship", "auto_merge_threshold"}
    update_policy(actor=admin, actions={"contact": {"ui": "off"}}, survivorship="recent")
    assert action_for("contact", "ui") == "off"
    assert current_policy().survivorship == "recent"
    assert save_contact(ANA, actor=admin, channel="ui").warnings == []
    assert save_contact(ANA, actor=admin, channel="ui").warnings == []


def test_the_bulk_door_queues_or_refuses_likely_duplicates(admin):
    first = save_contact(ANA, actor=admin, channel="api").record
    update_policy(actor=admin, actions={"contact": {"import": "link", "system": "block"}})
    other = {"name": "Bruno Costa", "emails": ["bruno@shop.example"]}
    linked = save_contacts_bulk([ANA, other], actor=admin, channel="import")
    assert len(linked.created) == 2 and not linked.errors
    group = DuplicateGroup.objects.get()
    assert sorted(group.members.values_list("record_id", flat=True)) == sorted(
        [first.pk, linked.created[0].pk]
    )
    blocked = save_contacts_bulk([ANA, {"name": "Chen Wei"}], actor=admin, channel="system")
    assert [c.display_name for c in blocked.created] == ["Chen Wei"]
    messages = blocked.errors[0]["__all__"]  # the first contact and the one linked above
    assert len(messages) == 2
    assert all(m.startswith("Possible duplicate of contact") for m in messages)
    # warn in bulk reaches nobody: nothing is checked, nothing refused
    assert len(save_contacts_bulk([ANA], actor=admin, channel="api").created) == 1


def test_editing_a_contact_that_has_a_twin_is_not_blocked(admin):
    first = save_contact(ANA, actor=admin, channel="api").record
    twin = save_contact(ANA, actor=admin, channel="api").record
    update_policy(actor=admin, actions={"contact": {"ui": "block"}})
    edited = save_contact({"job_title": "CFO"}, actor=admin, channel="ui", contact=twin)
    assert edited.record.job_title == "CFO"
    [warning] = edited.warnings
    assert warning.startswith(f"Possible duplicate of contact {first.pk} (")


def test_a_walk_of_every_contact_reads_what_reading_them_by_id_does(admin, monkeypatch):
    """A scan reads batches of the primary-key walk as id ranges; with gaps from deleted
    contacts, and batches of two, it reads the same records as by their ids."""
    from itertools import chain

    from tidycrm.companies.services import save_company
    from tidycrm.contacts.services import match_keys

    acme = save_company({"name": "Acme"}, actor=admin, channel="ui").record
    people = [
        {**ANA, "companies": [{"company_id": acme.pk}]},
        {"name": "Bo Chen", "phones": ["+44 20 7946 0000"]},
        {"name": "Cy Diaz", "emails": ["cy@example.com", "c.diaz@example.com"]},
        {"name": "Di Ek", "addresses": [{"street": "1 Main St", "city": "Oslo"}]},
        {"name": "Ed Fo"},
    ]
    saved = [save_contact(p, actor=admin, channel="ui").record for p in people]
    saved[1].delete()
    saved[3].delete()
    monkeypatch.setattr(match_keys, "BATCH", 2)
    walked = list(chain.from_iterable(match_keys.all_person_records()))
    ids = sorted(Contact.objects.values_list("pk", flat=True))
    assert walked == person_records(ids)
    assert [r.id for r in walked] == [str(pk) for pk in ids]
    assert walked[0].company == "Acme" and walked[0].emails == ("ana.lima@acme.example",)
