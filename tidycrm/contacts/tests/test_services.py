"""The one door for contacts: standardise, validate, duplicates, persist, audit, events."""

from __future__ import annotations

import pytest
from django.db import transaction

from tidycrm.audit.models import ChangeRecord
from tidycrm.audit.selectors import history_for
from tidycrm.contacts.models import Contact
from tidycrm.contacts.selectors import get_contact, search_contacts, visible_contacts
from tidycrm.contacts.services import delete_contact, save_contact, save_contacts_bulk
from tidycrm.core import events
from tidycrm.core.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tidycrm.customfields.services import define_field
from tidycrm.tags.models import TaggedItem

pytestmark = pytest.mark.django_db


def test_create_standardises_and_keeps_raw(admin):
    result = save_contact(
        {
            "name": "Dr. Ayşe IŞIK",
            "emails": ["  Ayse.Isik@Example.COM "],
            "phones": [{"number": "0212 555 12 12 ext. 7", "label": "work"}],
            "country": "Türkiye",
            "tags": ["VIP", "vip", " Partner "],
        },
        actor=admin,
        channel="ui",
    )
    contact = result.record
    assert result.created
    assert (contact.honorific, contact.given_name, contact.family_name) == ("Dr.", "Ayşe", "IŞIK")
    assert contact.display_name == "Dr. Ayşe IŞIK"
    assert contact.country == "TR"
    assert contact.raw_input["country"] == "Türkiye"
    email = contact.emails.get()
    assert (email.address, email.raw, email.is_primary) == (
        "Ayse.Isik@example.com",
        "Ayse.Isik@Example.COM",
        True,
    )
    phone = contact.phones.get()
    assert (phone.e164, phone.extension, phone.raw) == (
        "+902125551212",
        "7",
        "0212 555 12 12 ext. 7",
    )
    assert sorted(contact_tags(contact)) == ["Partner", "VIP"]
    assert contact.owner_id == admin.pk


def contact_tags(contact: Contact) -> list[str]:
    from tidycrm.tags.selectors import tag_names_for

    return tag_names_for([contact]).get(contact.pk, [])


def test_invalid_input_names_each_field_and_stores_nothing(admin):
    with pytest.raises(ValidationFailed) as caught:
        save_contact(
            {
                "emails": ["not-an-email"],
                "birthday": "31/02/1990",
                "lifecycle_stage": "king",
                "phones": ["12"],
                "colour": "red",
                "owner_id": 987654,
            },
            actor=admin,
            channel="api",
        )
    errors = caught.value.field_errors
    assert set(errors) >= {
        "emails.0.address",
        "birthday",
        "lifecycle_stage",
        "colour",
        "owner_id",
    }
    # An unparseable phone is kept and flagged by the default entry policy, not refused.
    assert "phones.0.number" not in errors
    assert "@" in errors["emails.0.address"][0]
    assert Contact.objects.count() == 0
    assert ChangeRecord.objects.count() == 0


def test_overlong_and_wrong_types_are_field_errors(admin):
    with pytest.raises(ValidationFailed) as caught:
        save_contact(
            {"given_name": "x" * 500, "job_title": ["a"], "interests": 5},
            actor=admin,
            channel="api",
        )
    assert set(caught.value.field_errors) == {"given_name", "job_title", "interests"}


def test_update_records_field_level_history_with_channel(admin):
    contact = save_contact(
        {"given_name": "Lena", "family_name": "Schmidt"}, actor=admin, channel="ui"
    ).record
    updated = save_contact(
        {"job_title": "CFO", "family_name": "Schmitt"}, actor=admin, channel="api", contact=contact
    )
    assert updated.changes["job_title"] == {"before": "", "after": "CFO"}
    assert updated.record.version == 2
    latest, first = list(history_for(contact))
    assert (latest.action, latest.channel, latest.actor_id) == ("update", "api", admin.pk)
    assert latest.changes["family_name"] == {"before": "Schmidt", "after": "Schmitt"}
    assert first.action == "create" and first.channel == "ui"


def test_update_without_change_leaves_no_history(admin):
    contact = save_contact({"given_name": "Lena"}, actor=admin, channel="ui").record
    save_contact({"given_name": " Lena "}, actor=admin, channel="ui", contact=contact)
    assert history_for(contact).count() == 1
    contact.refresh_from_db()
    assert contact.version == 1


def test_stale_version_is_a_conflict_and_changes_nothing(admin):
    contact = save_contact({"given_name": "Lena"}, actor=admin, channel="ui").record
    save_contact(
        {"job_title": "CEO"}, actor=admin, channel="ui", contact=contact, expected_version=1
    )
    with pytest.raises(Conflict):
        save_contact(
            {"job_title": "CTO"}, actor=admin, channel="ui", contact=contact, expected_version=1
        )
    contact.refresh_from_db()
    assert contact.job_title == "CEO"


def test_duplicate_external_id_is_a_conflict(admin):
    save_contact({"given_name": "A", "external_id": "X-1"}, actor=admin, channel="api")
    with pytest.raises(Conflict):
        save_contact({"given_name": "B", "external_id": "X-1"}, actor=admin, channel="api")
    assert Contact.objects.count() == 1


def test_same_email_warns_of_a_possible_duplicate(admin):
    first = save_contact(
        {"name": "Ana Lima", "emails": ["ana@example.com"]}, actor=admin, channel="ui"
    ).record
    second = save_contact(
        {"name": "Ana Lima", "emails": ["ANA@example.com"]}, actor=admin, channel="ui"
    )
    [warning] = second.warnings
    assert warning.startswith(f"Possible duplicate of contact {first.pk} (")


def test_block_policy_refuses_duplicates(admin, settings):
    settings.TIDYCRM_DUPLICATE_POLICY = {"form": "block"}
    save_contact({"given_name": "Ana", "phones": ["+4930123456"]}, actor=admin, channel="form")
    with pytest.raises(Conflict):
        save_contact(
            {"given_name": "Ana", "phones": ["+49 30 123456"]}, actor=admin, channel="form"
        )


def test_events_are_delivered_only_after_commit(admin):
    seen: list[events.Event] = []
    events.subscribe("contact.created", seen.append)
    try:
        with pytest.raises(RuntimeError), transaction.atomic():
            save_contact({"given_name": "Rolled"}, actor=admin, channel="ui")
            raise RuntimeError("abort")
        assert seen == []
    finally:
        events.unsubscribe("contact.created", seen.append)


@pytest.mark.django_db(transaction=True)
def test_events_fire_after_commit(admin):
    seen: list[events.Event] = []
    events.subscribe("contact.created", seen.append)
    try:
        contact = save_contact({"given_name": "Kept"}, actor=admin, channel="ui").record
    finally:
        events.unsubscribe("contact.created", seen.append)
    assert [(e.name, e.payload["id"], e.payload["channel"]) for e in seen] == [
        ("contact.created", contact.pk, "ui")
    ]


def test_visibility_own_team_all(make_user, team):
    alice = make_user("sales", team=team)
    bob = make_user("sales")
    manager = make_user("manager", team=team)
    marketer = make_user("marketing")
    mine = save_contact({"given_name": "Mine"}, actor=alice, channel="ui").record
    theirs = save_contact({"given_name": "Theirs"}, actor=bob, channel="ui").record
    assert list(visible_contacts(alice)) == [mine]
    assert list(visible_contacts(manager)) == [mine]
    assert set(visible_contacts(marketer)) == {mine, theirs}
    with pytest.raises(NotFound):
        get_contact(alice, theirs.pk)


def test_read_only_cannot_write(make_user):
    reader = make_user("read_only")
    with pytest.raises(PermissionDenied):
        save_contact({"given_name": "X"}, actor=reader, channel="ui")


def test_search_is_case_accent_and_turkish_i_insensitive(admin):
    ids = {}
    for name in ("IŞIK Yılmaz", "Zoë Müller", "İsmail Öztürk", "김민준"):
        ids[name] = save_contact({"name": name}, actor=admin, channel="ui").record.pk

    def find(query: str) -> set[int]:
        return set(search_contacts(visible_contacts(admin), query).values_list("pk", flat=True))

    assert find("ışık") == find("isik") == find("IŞIK") == {ids["IŞIK Yılmaz"]}
    assert find("zoe muller") == {ids["Zoë Müller"]}
    assert find("istanbul") == set()
    assert find("ismail") == find("İSMAİL") == {ids["İsmail Öztürk"]}
    assert find("김민") == {ids["김민준"]}


def test_search_needs_every_word_in_any_order(admin):
    """The rarest word picks the candidates, the common ones are checked on each of them."""
    ids = {}
    names = ("Anna van de Plas", "Anna de Vries", "Piet van Dam", "Daan de Vries")
    for name in names:
        ids[name] = save_contact({"name": name}, actor=admin, channel="ui").record.pk
    for i in range(30):  # "de" and "van" common, "plas" rare
        save_contact(
            {"given_name": f"Kim{i}", "family_name": "van de Berg"}, actor=admin, channel="ui"
        )

    def find(query: str) -> set[int]:
        return set(search_contacts(visible_contacts(admin), query).values_list("pk", flat=True))

    assert find("van de plas") == find("PLAS de van") == {ids["Anna van de Plas"]}
    assert find("anna de") == {ids["Anna van de Plas"], ids["Anna de Vries"]}
    assert find("de vries") == {ids["Anna de Vries"], ids["Daan de Vries"]}
    assert find("van da") == {ids["Piet van Dam"]}
    assert find("da") == {ids["Piet van Dam"], ids["Daan de Vries"]}
    assert find("plas vries") == set()


def test_search_by_email_and_phone(admin):
    contact = save_contact(
        {"given_name": "Jo", "emails": ["jo.bloggs@example.com"], "phones": ["+44 20 7946 0958"]},
        actor=admin,
        channel="ui",
    ).record
    other = save_contact({"given_name": "Max"}, actor=admin, channel="ui").record
    for query in ("jo.bloggs@example.com", "jo.bloggs", "020 7946 0958", "0958", "+44 20 7946"):
        found = set(search_contacts(visible_contacts(admin), query).values_list("pk", flat=True))
        assert contact.pk in found and other.pk not in found, query


def test_custom_fields_are_typed_and_validated(admin):
    define_field(actor=admin, record_type="contact", key="nps", label="NPS", field_type="integer")
    define_field(
        actor=admin,
        record_type="contact",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
    )
    contact = save_contact(
        {"given_name": "A", "custom_fields": {"nps": "9", "tier": "gold"}},
        actor=admin,
        channel="ui",
    ).record
    assert contact.custom_fields == {"nps": 9, "tier": "gold"}
    with pytest.raises(ValidationFailed) as caught:
        save_contact(
            {"custom_fields": {"nps": "nine", "tier": "bronze", "nope": 1}},
            actor=admin,
            channel="ui",
            contact=contact,
        )
    assert set(caught.value.field_errors) == {
        "custom_fields.nps",
        "custom_fields.tier",
        "custom_fields.nope",
    }


def test_affiliation_to_invisible_company_is_refused(make_user):
    from tidycrm.companies.services import save_company

    alice, bob = make_user("sales"), make_user("sales")
    hidden = save_company({"name": "Hidden GmbH"}, actor=bob, channel="ui").record
    with pytest.raises(ValidationFailed) as caught:
        save_contact(
            {"given_name": "A", "companies": [{"company_id": hidden.pk}]},
            actor=alice,
            channel="api",
        )
    assert "companies.0.company_id" in caught.value.field_errors


def test_delete_is_audited_with_the_values_it_removed(admin):
    contact = save_contact(
        {"given_name": "Gone", "emails": ["gone@example.com"], "tags": ["vip"]},
        actor=admin,
        channel="ui",
    ).record
    contact_id = contact.pk
    delete_contact(contact, actor=admin, channel="api")
    assert not Contact.objects.filter(pk=contact_id).exists()
    record = ChangeRecord.objects.get(object_id=contact_id, action="delete")
    assert record.changes["emails"] == {"before": ["gone@example.com"], "after": None}
    # No tag link is left pointing at the deleted contact's id.
    assert not TaggedItem.objects.filter(object_id=contact_id).exists()


def test_bulk_reports_rejected_rows_and_writes_the_rest(admin):
    rows = [
        {"given_name": "Ok", "emails": ["ok@example.com"], "external_id": "E1"},
        {"emails": ["broken"], "lifecycle_stage": "king"},
        {"given_name": "Dup", "external_id": "E1"},
        {"given_name": "Also ok", "phones": ["+1 415 555 2671"], "tags": ["imported"]},
    ]
    result = save_contacts_bulk(
        rows, actor=admin, channel="import", sources=[{"row": i + 2} for i in range(4)]
    )
    assert sorted(result.errors) == [1, 2]
    # On import a broken address is kept and flagged (entry policy); the bad stage is refused.
    assert set(result.errors[1]) == {"lifecycle_stage"}
    assert [c.given_name for c in result.created] == ["Ok", "Also ok"]
    also = Contact.objects.get(given_name="Also ok")
    assert also.phones.get().e164 == "+14155552671"
    assert history_for(also).get().source == {"row": 5}
    assert set(
        search_contacts(visible_contacts(admin), "4155552671").values_list("pk", flat=True)
    ) == {also.pk}


def test_resending_the_same_tags_and_emails_changes_nothing(admin):
    contact = save_contact(
        {"given_name": "Same", "tags": ["a", "b"], "emails": ["same@example.com"]},
        actor=admin,
        channel="ui",
    ).record
    again = save_contact(
        {"tags": ["b", "a"], "emails": ["same@example.com"]},
        actor=admin,
        channel="ui",
        contact=contact,
    )
    assert again.changes == {}
    assert again.record.version == 1
    changed = save_contact({"tags": ["a"]}, actor=admin, channel="ui", contact=contact)
    assert changed.changes == {"tags": {"before": ["a", "b"], "after": ["a"]}}
    assert changed.record.version == 2
    assert changed.record.updated_at > contact.updated_at


def test_token_prefix_search_does_not_depend_on_database_collation(admin):
    """Tokens compare byte-wise: 'a' + U+FFFF bounds exactly the strings that start with 'a'."""
    from django.db import connection

    save_contact({"given_name": "Anna", "family_name": "Zed"}, actor=admin, channel="ui")
    save_contact({"given_name": "Bo", "family_name": "Zed"}, actor=admin, channel="ui")
    found = search_contacts(visible_contacts(admin), "an")
    assert [c.given_name for c in found] == ["Anna"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT collation_name FROM information_schema.columns "
                "WHERE table_name = 'contacts_contactsearchtoken' AND column_name = 'token'"
            )
            assert cursor.fetchone()[0] == "C"
