"""The door's bulk form for existing contacts: one change to many, tags, delete."""

from __future__ import annotations

import pytest

from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.contacts.services.bulk_change import (
    change_contacts_bulk,
    check_bulk_change,
    delete_contacts_bulk,
    tag_contacts_bulk,
)
from tidycrm.core.exceptions import PermissionDenied, ValidationFailed
from tidycrm.customfields.services import define_field
from tidycrm.tags.models import TaggedItem

pytestmark = pytest.mark.django_db


def _people(actor, *names, **fields):
    return [save_contact({"name": n, **fields}, actor=actor, channel="ui").record.pk for n in names]


def _changes(pk):
    return list(
        ChangeRecord.objects.filter(object_id=str(pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


def test_change_owner_writes_audits_and_counts(admin, make_user):
    rep = make_user("sales")
    ids = _people(admin, "Ana Lima", "Bo Berg")
    save_contact(
        {"owner_id": rep.pk}, actor=admin, channel="ui", contact=Contact.objects.get(pk=ids[1])
    )
    result = change_contacts_bulk(
        [*ids, 999_999], {"owner_id": rep.pk}, actor=admin, channel="api", source={"bulk_action": 7}
    )
    assert (result.changed, result.unchanged, result.missing) == ([ids[0]], [ids[1]], [999_999])
    ana = Contact.objects.get(pk=ids[0])
    assert ana.owner_id == rep.pk
    assert ana.version == 2
    record = ChangeRecord.objects.filter(object_id=str(ids[0])).latest("pk")
    assert record.changes == {"owner_id": {"before": admin.pk, "after": rep.pk}}
    assert (record.channel, record.source) == ("api", {"bulk_action": 7})


def test_contacts_the_actor_cannot_see_are_missing_and_untouched(make_user, team):
    alice, bob = make_user("manager", team=team), make_user("sales")
    mine, theirs = _people(alice, "Mine Kaya")[0], _people(bob, "Their Kaya")[0]
    result = change_contacts_bulk(
        [mine, theirs], {"lifecycle_stage": "customer"}, actor=alice, channel="ui"
    )
    assert (result.changed, result.missing) == ([mine], [theirs])
    assert Contact.objects.get(pk=theirs).lifecycle_stage != "customer"
    assert delete_contacts_bulk([theirs], actor=alice, channel="ui").missing == [theirs]
    assert Contact.objects.filter(pk=theirs).exists()


def test_check_names_each_bad_field(admin):
    with pytest.raises(ValidationFailed) as bad:
        check_bulk_change(
            {"lead_status": "bogus", "owner_id": 424242, "lifecycle_stage": ""},
            actor=admin,
            channel="api",
        )
    assert set(bad.value.field_errors) == {"lead_status", "owner_id", "lifecycle_stage"}
    assert bad.value.field_errors["lifecycle_stage"] == ["cannot be cleared."]
    with pytest.raises(ValidationFailed) as bad:
        check_bulk_change({"notes": "x"}, actor=admin, channel="api")
    assert "cannot be set in bulk" in bad.value.field_errors["notes"][0]


def test_custom_values_set_clear_and_required(admin):
    define_field(actor=admin, record_type="contact", key="nps", label="NPS", field_type="integer")
    define_field(
        actor=admin,
        record_type="contact",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
        required=True,
    )
    ids = _people(admin, "Cem Ak", "Dee Ek", custom_fields={"tier": "gold"})
    result = change_contacts_bulk(ids, {"custom_fields": {"nps": "9"}}, actor=admin, channel="ui")
    assert result.changed == ids
    assert Contact.objects.get(pk=ids[0]).custom_fields == {"tier": "gold", "nps": 9}
    cleared = change_contacts_bulk(ids, {"custom_fields": {"nps": None}}, actor=admin, channel="ui")
    assert cleared.changed == ids
    assert Contact.objects.get(pk=ids[1]).custom_fields == {"tier": "gold"}
    with pytest.raises(ValidationFailed) as bad:
        change_contacts_bulk(ids, {"custom_fields": {"tier": None}}, actor=admin, channel="ui")
    assert bad.value.field_errors == {"custom_fields.tier": ["is required."]}
    with pytest.raises(ValidationFailed) as bad:
        change_contacts_bulk(ids, {"custom_fields": {"nps": "many"}}, actor=admin, channel="ui")
    assert list(bad.value.field_errors) == ["custom_fields.nps"]
    assert Contact.objects.get(pk=ids[0]).custom_fields == {"tier": "gold"}


def test_tags_add_and_remove_with_audit(admin):
    ids = _people(admin, "Eda Su", "Fay Oz")
    tag_contacts_bulk(ids[:1], ["VIP"], adding=True, actor=admin, channel="ui")
    added = tag_contacts_bulk(ids, ["vip", "Partner"], adding=True, actor=admin, channel="ui")
    assert added.changed == ids
    assert TaggedItem.objects.filter(object_id__in=ids).count() == 4
    removed = tag_contacts_bulk(ids, ["VIP"], adding=False, actor=admin, channel="ui")
    assert removed.changed == ids
    record = ChangeRecord.objects.filter(object_id=str(ids[0])).latest("pk")
    assert record.changes == {"tags": {"before": ["Partner", "VIP"], "after": ["Partner"]}}


def test_delete_keeps_what_was_removed_in_the_audit(admin, make_user):
    ids = _people(admin, "Gül Ay", emails=["gul@example.com"], phones=["+44 20 7946 0958"])
    result = delete_contacts_bulk(ids, actor=admin, channel="ui", source={"bulk_action": 3})
    assert result.changed == ids
    assert not Contact.objects.filter(pk__in=ids).exists()
    record = ChangeRecord.objects.filter(object_id=str(ids[0])).latest("pk")
    assert record.changes["emails"] == {"before": ["gul@example.com"], "after": None}
    assert record.changes["phones"] == {"before": ["+442079460958"], "after": None}
    assert record.changes["display_name"]["before"] == "Gül Ay"
    marketer = make_user("marketing")
    with pytest.raises(PermissionDenied):
        delete_contacts_bulk(ids, actor=marketer, channel="ui")
