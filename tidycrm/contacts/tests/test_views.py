"""The contact pages through Django's test client: list, search, filters, paging, columns,
detail, form errors, edit, delete, history, visibility and roles, escaping."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact, save_contacts_bulk
from tidycrm.customfields.services import define_field

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def make(actor, **data):
    return save_contact(data, actor=actor, channel="api").record


def test_pages_need_login(client):
    response = client.get(reverse("contacts:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_and_logout(client, admin):
    page = client.get(reverse("login"))
    assert b'name="password"' in page.content
    response = client.post(
        reverse("login"), {"username": "admin", "password": "correct-horse-battery-42"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("contacts:list")
    assert client.get(reverse("contacts:list")).status_code == 200
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("contacts:list")).status_code == 302


def test_list_shows_only_visible_contacts(client, make_user):
    alice, bob = make_user("sales"), make_user("sales")
    make(alice, name="Alice Own")
    make(bob, name="Bob Other")
    client.force_login(alice)
    body = client.get(reverse("contacts:list")).content.decode()
    assert "Alice Own" in body
    assert "Bob Other" not in body


def test_search_swaps_only_the_table(admin_client, admin):
    make(admin, name="Zeynep Işık", emails=["zeynep@example.com"])
    make(admin, name="John Smith")
    response = admin_client.get(
        reverse("contacts:list"),
        {"q": "isik"},
        headers={"HX-Request": "true", "HX-Target": "record-table"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'class="records"' in body
    assert "Zeynep Işık" in body and "John Smith" not in body
    assert "HX-Request" in response["Vary"]
    full = admin_client.get(reverse("contacts:list"), {"q": "smith"}).content.decode()
    assert "<html" in full and "John Smith" in full and "Zeynep" not in full


def test_filters_and_sorting(admin_client, admin):
    make(admin, name="Ann Customer", lifecycle_stage="customer", country="DE", tags=["vip"])
    make(admin, name="Ben Lead", lifecycle_stage="lead", country="FR")
    body = admin_client.get(
        reverse("contacts:list"), {"lifecycle_stage": "customer"}
    ).content.decode()
    assert "Ann Customer" in body and "Ben Lead" not in body
    body = admin_client.get(reverse("contacts:list"), {"country": "fr"}).content.decode()
    assert "Ben Lead" in body and "Ann Customer" not in body
    body = admin_client.get(reverse("contacts:list"), {"tag": "VIP"}).content.decode()
    assert "Ann Customer" in body and "Ben Lead" not in body
    body = admin_client.get(reverse("contacts:list"), {"sort": "-name"}).content.decode()
    assert body.index("Ben Lead") < body.index("Ann Customer")  # sorted by family name, descending


def test_custom_field_filter(admin_client, admin):
    define_field(
        actor=None,
        record_type="contact",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["gold", "silver"],
    )
    make(admin, name="Gold Person", custom_fields={"tier": "gold"})
    make(admin, name="Silver Person", custom_fields={"tier": "silver"})
    body = admin_client.get(reverse("contacts:list"), {"cf": "tier:gold"}).content.decode()
    assert "Gold Person" in body and "Silver Person" not in body


@pytest.mark.parametrize(
    "params, message",
    [
        ({"cf": "nope:1"}, "must be key:value"),
        ({"cursor": "garbage!"}, "cursor"),
        ({"sort": "salary"}, "is not one of"),
        ({"owner": "abc"}, "owner"),
    ],
)
def test_bad_list_parameters_give_a_clear_400(admin_client, params, message):
    response = admin_client.get(reverse("contacts:list"), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_keyset_paging_next_and_previous(admin_client, admin):
    save_contacts_bulk(
        [{"name": f"Person {i:03d}"} for i in range(60)], actor=admin, channel="import"
    )
    first = admin_client.get(reverse("contacts:list")).content.decode()
    assert "Person 000" in first and "Person 049" in first and "Person 050" not in first
    next_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = admin_client.get(next_url).content.decode()
    assert "Person 050" in second and "Person 059" in second and "Person 049" not in second
    assert 'rel="next"' not in second
    prev_url = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    back = admin_client.get(prev_url).content.decode()
    assert "Person 000" in back and "Person 049" in back


def test_list_queries_do_not_grow_with_the_page(admin_client, admin, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    save_contacts_bulk(
        [
            {
                "name": f"P {i}",
                "emails": [f"p{i}@example.com"],
                "phones": [f"+4930123456{i:02d}"],
                "tags": ["x"],
            }
            for i in range(40)
        ],
        actor=admin,
        channel="import",
    )
    params = {"cols_set": "1", "col": ["email", "phone", "company", "owner", "tags"]}
    with CaptureQueriesContext(connection) as few:
        admin_client.get(reverse("contacts:list"), {**params, "lifecycle_stage": "customer"})
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(reverse("contacts:list"), params)
    assert response.content.decode().count("@example.com</a>") == 40
    assert len(many) <= len(few) + 4  # the per-page related look-ups, never one per row
    assert not any("COUNT(" in q["sql"].upper() for q in many.captured_queries)


def test_column_choice_is_remembered(admin_client, admin):
    make(admin, name="Col Person", city="Berlin")
    body = admin_client.get(
        reverse("contacts:list"), {"cols_set": "1", "col": ["city"]}
    ).content.decode()
    assert ">City</th>" in body and ">E-mail</th>" not in body and "Berlin" in body
    body = admin_client.get(reverse("contacts:list")).content.decode()
    assert ">City</th>" in body and ">E-mail</th>" not in body


def test_detail_shows_raw_and_standard_forms(admin_client, admin):
    contact = make(
        admin,
        name="Dr. Ada Lovelace",
        emails=[" Ada@Example.COM "],
        phones=["030 1234567"],
        country="DE",
        addresses=[{"street": "Unter den Linden 1", "city": "Berlin", "country": "Germany"}],
        social_profiles=["https://www.linkedin.com/in/ada"],
        job_title="Analyst",
        notes="Met at <conf>",
    )
    body = admin_client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Ada Lovelace" in body
    assert "Ada@Example.com" in body or "ada@example.com" in body.lower()
    assert "+49301234567" in body and "030 1234567" in body
    assert "Unter den Linden 1" in body and "Germany" in body
    assert "linkedin" in body and "Analyst" in body
    assert "Met at &lt;conf&gt;" in body
    assert "Created" in body and "via API" in body


def test_invisible_contact_is_404(client, make_user):
    alice, bob = make_user("sales"), make_user("sales")
    contact = make(bob, name="Hidden Person")
    client.force_login(alice)
    for name in ("detail", "edit", "history", "delete"):
        assert client.get(reverse(f"contacts:{name}", args=[contact.pk])).status_code == 404
    assert client.post(reverse("contacts:delete", args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def form_data(**overrides):
    data = {
        "given_name": "",
        "family_name": "",
        "emails": "",
        "phones": "",
        "lifecycle_stage": "lead",
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_create_shows_field_errors_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("contacts:create"),
        form_data(
            given_name="Eve",
            emails="not-an-email",
            phones="12",
            birthday="1800-01-01",
            **{"addresses-0-country": "Atlantis"},
        ),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "not-an-email" in " ".join(form.errors["emails"])
    assert form.errors["birthday"]
    assert "phones" not in form.errors  # an unparseable number is kept and flagged
    assert response.context["addresses"].forms[0].errors["country"]
    assert not Contact.objects.exists()
    body = response.content.decode()
    assert 'class="field-error"' in body and "Eve" in body  # input kept


def test_create_contact_and_duplicate_warning(admin_client):
    response = admin_client.post(
        reverse("contacts:create"),
        form_data(
            given_name="Grace",
            family_name="Hopper",
            emails="grace@example.com\nhome: g@example.org",
            phones="mobile: +44 7911 123456",
            tags="vip, navy",
            interests="cobol, ships",
            **{"addresses-0-city": "Arlington", "addresses-0-country": "US"},
        ),
    )
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert response["Location"] == reverse("contacts:detail", args=[contact.pk])
    assert contact.display_name == "Grace Hopper"
    assert [(e.label, e.address, e.is_primary) for e in contact.emails.all()] == [
        ("work", "grace@example.com", True),
        ("home", "g@example.org", False),
    ]
    assert contact.phones.get().label == "mobile"
    assert contact.addresses.get().city == "Arlington"
    assert contact.interests == ["cobol", "ships"]
    assert ChangeRecord.objects.get(object_id=contact.pk).channel == "ui"
    again = admin_client.post(
        reverse("contacts:create"),
        form_data(given_name="G", family_name="Hopper", emails="GRACE@example.com"),
        follow=True,
    )
    assert f'<a href="/contacts/{contact.pk}/">contact {contact.pk}</a>' in again.content.decode()


def test_custom_fields_render_and_map_errors(admin_client):
    define_field(
        actor=None, record_type="contact", key="score", label="Score", field_type="integer"
    )
    define_field(
        actor=None,
        record_type="contact",
        key="newsletter",
        label="Newsletter",
        field_type="boolean",
    )
    page = admin_client.get(reverse("contacts:create")).content.decode()
    assert 'name="cf_score"' in page and 'name="cf_newsletter"' in page
    response = admin_client.post(
        reverse("contacts:create"), form_data(given_name="Cf", cf_score="lots")
    )
    assert response.status_code == 400
    assert "whole number" in " ".join(response.context["form"].errors["cf_score"])
    response = admin_client.post(
        reverse("contacts:create"), form_data(given_name="Cf", cf_score="7", cf_newsletter="yes")
    )
    assert response.status_code == 302
    assert Contact.objects.get().custom_fields == {"score": 7, "newsletter": True}


def test_company_names_link_affiliations(admin_client, admin):
    from tidycrm.companies.services import save_company

    acme = save_company({"name": "ACME GmbH"}, actor=admin, channel="api").record
    response = admin_client.post(
        reverse("contacts:create"),
        form_data(given_name="Worker", companies="acme gmbh", job_title="CTO"),
    )
    assert response.status_code == 302
    affiliation = Contact.objects.get().affiliations.get()
    assert affiliation.company == acme and affiliation.job_title == "CTO"
    response = admin_client.post(
        reverse("contacts:create"),
        form_data(given_name="Other", companies="Nowhere Ltd", emails="bad@"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Nowhere Ltd" in " ".join(errors["companies"]) and errors["emails"]


def test_edit_records_history_and_checks_version(admin_client, admin):
    contact = make(admin, name="Old Name", emails=["old@example.com"])
    page = admin_client.get(reverse("contacts:edit", args=[contact.pk]))
    initial = page.context["form"].initial
    assert initial["emails"] == "old@example.com" and initial["version"] == 1
    data = form_data(given_name="New", family_name="Name", emails="old@example.com", version="1")
    response = admin_client.post(reverse("contacts:edit", args=[contact.pk]), data)
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.display_name == "New Name" and contact.version == 2
    stale = admin_client.post(
        reverse("contacts:edit", args=[contact.pk]), {**data, "given_name": "Stale"}
    )
    assert stale.status_code == 400 and "changed since you loaded it" in stale.content.decode()
    history = admin_client.get(reverse("contacts:history", args=[contact.pk])).content.decode()
    assert "Given name" in history and "Old" in history and "New" in history and "→" in history
    assert "Web UI" in history and "admin" in history


def test_delete_asks_then_deletes(admin_client, admin):
    contact = make(admin, name="Gone Soon")
    page = admin_client.get(reverse("contacts:delete", args=[contact.pk]))
    assert page.status_code == 200 and b"Delete Gone Soon?" in page.content
    response = admin_client.post(reverse("contacts:delete", args=[contact.pk]))
    assert response.status_code == 302
    assert not Contact.objects.filter(pk=contact.pk).exists()
    assert ChangeRecord.objects.filter(object_id=contact.pk, action="delete", channel="ui").exists()


def test_read_only_user_sees_no_buttons_and_gets_403(client, admin, make_user):
    contact = make(admin, name="Read Me")
    reader = make_user("read_only")
    client.force_login(reader)
    body = client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    assert "Read Me" in body
    assert reverse("contacts:edit", args=[contact.pk]) not in body
    assert reverse("contacts:delete", args=[contact.pk]) not in body
    assert reverse("contacts:create") not in client.get(reverse("contacts:list")).content.decode()
    assert (
        client.post(
            reverse("contacts:edit", args=[contact.pk]), form_data(given_name="X")
        ).status_code
        == 403
    )
    assert client.post(reverse("contacts:delete", args=[contact.pk])).status_code == 403
    assert client.post(reverse("contacts:create"), form_data(given_name="X")).status_code == 403
    contact.refresh_from_db()
    assert contact.display_name == "Read Me"


def test_sales_user_cannot_delete(client, make_user):
    seller = make_user("sales")
    contact = make(seller, name="Mine")
    client.force_login(seller)
    assert (
        reverse("contacts:delete", args=[contact.pk])
        not in client.get(reverse("contacts:detail", args=[contact.pk])).content.decode()
    )
    assert client.post(reverse("contacts:delete", args=[contact.pk])).status_code == 403


def test_user_data_is_escaped(admin_client, admin):
    evil = "<script>alert(1)</script>"
    contact = make(
        admin,
        given_name=evil,
        family_name="<b>x</b>",
        notes=evil,
        tags=["<i>t</i>"],
        job_title=evil,
    )
    for url in (
        reverse("contacts:list") + "?cols_set=1&col=tags&col=job_title",
        reverse("contacts:detail", args=[contact.pk]),
        reverse("contacts:history", args=[contact.pk]),
        reverse("contacts:edit", args=[contact.pk]),
    ):
        body = admin_client.get(url).content.decode()
        assert (
            "<script>alert(1)" not in body and "<b>x</b>" not in body and "<i>t</i>" not in body
        ), url
        assert "&lt;script&gt;" in body, url


def test_names_in_any_script_display_and_sort(admin_client, admin):
    for name in ("Émile Zola", "山田 太郎", "Ólafur Arnalds", "Ahmet Çelik"):
        make(admin, name=name)
    make(admin, family_name="山田", given_name="太郎")
    body = admin_client.get(reverse("contacts:list")).content.decode()
    assert "山田太郎" in body
    order = [body.index(n) for n in ("Ólafur Arnalds", "Ahmet Çelik", "Émile Zola")]
    assert order == sorted(order)


def test_messages_are_escaped_before_links_are_added(admin_client, admin):
    contact = make(admin, given_name="<b>Bold</b>", family_name="contact 7")
    response = admin_client.post(reverse("contacts:delete", args=[contact.pk]), follow=True)
    body = response.content.decode()
    assert "&lt;b&gt;Bold&lt;/b&gt;" in body and "<b>Bold" not in body
