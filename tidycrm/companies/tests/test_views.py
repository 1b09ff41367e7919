"""The company pages through Django's test client."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tidycrm.companies.models import Company
from tidycrm.companies.services import save_company
from tidycrm.contacts.services import save_contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def make(actor, **data):
    return save_company(data, actor=actor, channel="api").record


def form_data(**overrides):
    data = {
        "name": "",
        "addresses-TOTAL_FORMS": "1",
        "addresses-INITIAL_FORMS": "0",
        "addresses-MIN_NUM_FORMS": "0",
        "addresses-MAX_NUM_FORMS": "20",
    }
    data.update(overrides)
    return data


def test_list_search_filter_and_contact_counts(admin_client, admin):
    acme = make(admin, name="Acme Corp", industry="Manufacturing", domains=["acme.example"])
    make(admin, name="Globex", industry="Energy", size="50-249")
    save_contact({"name": "Wile Coyote", "companies": [acme.pk]}, actor=admin, channel="api")
    body = admin_client.get(reverse("companies:list")).content.decode()
    assert "Acme Corp" in body and "Globex" in body and "acme.example" in body
    assert f"?company={acme.pk}" in body
    partial = admin_client.get(
        reverse("companies:list"),
        {"q": "glob"},
        headers={"HX-Request": "true", "HX-Target": "record-table"},
    ).content.decode()
    assert "<html" not in partial and "Globex" in partial and "Acme Corp" not in partial
    body = admin_client.get(reverse("companies:list"), {"size": "50-249"}).content.decode()
    assert "Globex" in body and "Acme Corp" not in body
    body = admin_client.get(reverse("contacts:list"), {"company": acme.pk}).content.decode()
    assert "Wile Coyote" in body


def test_detail_shows_people_and_history(admin_client, admin):
    acme = make(admin, name="Acme Corp", website="https://acme.example", phones=["+49 30 1234567"])
    save_contact({"name": "Road Runner", "companies": [acme.pk]}, actor=admin, channel="api")
    body = admin_client.get(reverse("companies:detail", args=[acme.pk])).content.decode()
    assert "Road Runner" in body and "+49301234567" in body and "030 1234567" in body
    assert "Created" in body


def test_create_errors_then_success(admin_client, admin):
    response = admin_client.post(
        reverse("companies:create"),
        form_data(name="", domains="not a domain", employee_count="many"),
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["name"] and errors["domains"] and errors["employee_count"]
    parent = make(admin, name="Parent Holding")
    response = admin_client.post(
        reverse("companies:create"),
        form_data(
            name="Child Ltd",
            domains="child.example, www.child.co.uk",
            parent="parent holding",
            phones="main: +44 20 7946 0958",
            **{"addresses-0-city": "London", "addresses-0-country": "GB"},
        ),
    )
    assert response.status_code == 302
    child = Company.objects.get(name="Child Ltd")
    assert child.parent == parent
    assert list(child.domains.values_list("domain", flat=True)) == ["child.example", "child.co.uk"]
    assert child.addresses.get().country == "GB"


def test_edit_and_delete(admin_client, admin):
    company = make(admin, name="Before Inc")
    page = admin_client.get(reverse("companies:edit", args=[company.pk]))
    assert page.context["form"].initial["name"] == "Before Inc"
    response = admin_client.post(
        reverse("companies:edit", args=[company.pk]), form_data(name="After Inc", version="1")
    )
    assert response.status_code == 302
    history = admin_client.get(reverse("companies:history", args=[company.pk])).content.decode()
    assert "Before Inc" in history and "After Inc" in history
    assert admin_client.post(reverse("companies:delete", args=[company.pk])).status_code == 302
    assert not Company.objects.filter(pk=company.pk).exists()


def test_visibility_and_read_only(client, admin, make_user):
    seller, other = make_user("sales"), make_user("sales")
    hidden = make(other, name="Hidden Co")
    client.force_login(seller)
    assert client.get(reverse("companies:detail", args=[hidden.pk])).status_code == 404
    assert "Hidden Co" not in client.get(reverse("companies:list")).content.decode()
    visible = make(admin, name="Open Co")
    client.force_login(make_user("read_only"))
    body = client.get(reverse("companies:detail", args=[visible.pk])).content.decode()
    assert "Open Co" in body and reverse("companies:edit", args=[visible.pk]) not in body
    assert (
        client.post(reverse("companies:edit", args=[visible.pk]), form_data(name="X")).status_code
        == 403
    )
    assert client.post(reverse("companies:delete", args=[visible.pk])).status_code == 403


def test_company_data_is_escaped(admin_client, admin):
    company = make(
        admin, name="<script>alert(1)</script>", description="<img src=x onerror=alert(1)>"
    )
    for url in (reverse("companies:list"), reverse("companies:detail", args=[company.pk])):
        body = admin_client.get(url).content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body


def test_website_that_is_not_http_is_not_a_link(admin_client, admin):
    # Imports keep a website that is not one (flagged); the page must still not link it.
    data = {"name": "Sneaky", "website": "javascript:alert(1)"}
    company = save_company(data, actor=admin, channel="import").record
    assert company.data_flags["website"]
    body = admin_client.get(reverse("companies:detail", args=[company.pk])).content.decode()
    assert 'href="javascript:' not in body and "javascript:alert(1)" in body


def test_huge_ids_are_404_not_500(admin_client):
    assert admin_client.get("/companies/99999999999999999999999/").status_code == 404
    assert admin_client.get("/contacts/99999999999999999999999/edit/").status_code == 404
