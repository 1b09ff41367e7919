"""Static lists: definitions, members by hand and from a file, visibility, audit, API, pages."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tidycrm.accounts.services import issue_api_token
from tidycrm.audit.models import ChangeRecord
from tidycrm.contacts.models import Contact
from tidycrm.contacts.services import save_contact
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed
from tidycrm.lists.importing import import_members, read_values
from tidycrm.lists.models import ListMembership
from tidycrm.lists.services import add_members, create_list, delete_list, remove_members

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(admin: Any, make_user: Any) -> dict[str, Any]:
    seller = make_user("sales")

    def person(name: str, email: str, owner: Any, external_id: str = "") -> Contact:
        data = {"name": name, "emails": [email], "owner_id": owner.pk, "external_id": external_id}
        return save_contact(data, actor=admin, channel="api").record

    return {
        "seller": seller,
        "ada": person("Ada Lovelace", "ada@example.com", seller, "crm-1"),
        "alan": person("Alan Turing", "alan@example.com", admin, "crm-2"),
    }


def api_for(user: Any) -> Client:
    _, secret = issue_api_token(user, "tests")
    return Client(headers={"Authorization": f"Bearer {secret}"})


def test_members_are_added_once_audited_and_limited_to_visibility(
    admin: Any, crowd: dict[str, Any]
) -> None:
    customers = create_list(name="Customers", actor=admin, channel="ui")
    with pytest.raises(Conflict):
        create_list(name=" customers ", actor=admin, channel="ui")
    ada, alan = crowd["ada"], crowd["alan"]
    first = add_members(customers, [ada.pk, alan.pk, 987_654], actor=admin, channel="ui")
    assert (len(first.changed), len(first.unchanged), len(first.missing)) == (2, 0, 1)
    again = add_members(customers, [ada.pk], actor=admin, channel="ui")
    assert again.unchanged == [ada.pk] and not again.changed
    content_type = ContentType.objects.get_for_model(Contact)
    record = ChangeRecord.objects.filter(content_type=content_type, object_id=ada.pk).first()
    assert record is not None and record.changes == {
        "lists": {"before": [], "after": ["Customers"]}
    }

    # A sales user sees only their own contacts: Alan is "missing" for them.
    seller_change = remove_members(
        customers, [ada.pk, alan.pk], actor=crowd["seller"], channel="ui"
    )
    assert seller_change.changed == [ada.pk] and seller_change.missing == [alan.pk]
    assert list(ListMembership.objects.values_list("contact_id", flat=True)) == [alan.pk]

    with pytest.raises(PermissionDenied):
        delete_list(customers, actor=crowd["seller"], channel="ui")
    delete_list(customers, actor=admin, channel="ui")
    assert Contact.objects.filter(pk=alan.pk).exists()
    assert not ListMembership.objects.exists()


def test_file_import_matches_emails_and_external_ids_and_reports_the_rest(
    admin: Any, crowd: dict[str, Any]
) -> None:
    course = create_list(name="Course", actor=admin, channel="ui")
    data = b"email\nADA@example.com\nnobody@example.com\n\nalan@example.com\n"
    report = import_members(course, data, actor=admin, channel="ui").as_dict()
    assert report["rows"] == 3 and report["added"] == 2
    assert report["unmatched"] == [
        {
            "row": 3,
            "value": "nobody@example.com",
            "reason": "no contact you can see has this e-mail address.",
        }
    ]
    # No header: "@" means an e-mail, anything else an external id; cp1252 files are read too.
    assert read_values("crm-1\nzoë@example.com\n".encode("cp1252")) == [
        (1, "external_id", "crm-1"),
        (2, "email", "zoë@example.com"),
    ]
    with pytest.raises(ValidationFailed):
        read_values(b"\x00\x01binary")


def test_lists_api(admin: Any, crowd: dict[str, Any]) -> None:
    api = api_for(admin)
    created = api.post(
        "/api/v1/lists", json.dumps({"name": "Newsletter"}), content_type="application/json"
    )
    assert created.status_code == 201
    url = f"/api/v1/lists/{created.json()['id']}"
    ids = {"contact_ids": [crowd["ada"].pk, crowd["alan"].pk]}
    added = api.post(f"{url}/members", json.dumps(ids), content_type="application/json")
    assert added.json() == {"changed": 2, "unchanged": 0, "missing": 0}
    page = api.get(f"{url}/members?limit=1").json()
    assert page["items"][0]["display_name"] == "Ada Lovelace" and page["next_cursor"]
    upload = SimpleUploadedFile(
        "people.csv", b"external_id\ncrm-2\ncrm-9\n", content_type="text/csv"
    )
    imported = api.post(f"{url}/import", {"file": upload})
    assert imported.status_code == 200, imported.content
    assert imported.json()["already_members"] == 1 and imported.json()["unmatched_count"] == 1
    assert api.get(url).json()["member_count"] == 2
    assert api.get("/api/v1/lists").json()[0]["member_count"] == 2
    seller = api_for(crowd["seller"])
    assert seller.get(url).json()["member_count"] == 1  # only Ada is theirs
    renamed = api.patch(url, json.dumps({"name": ""}), content_type="application/json")
    assert renamed.status_code == 422 and "name" in renamed.json()["errors"]
    assert api.delete(url).status_code == 204


def test_list_pages(admin: Any, crowd: dict[str, Any]) -> None:
    browser = Client()
    browser.force_login(admin)
    index = browser.get("/lists/").content.decode()
    assert "List, tag, custom field or segment" in index
    created = browser.post("/lists/new/", {"name": "VIP guests"})
    assert created.status_code == 302
    detail_url = created["Location"]
    upload = SimpleUploadedFile("guests.txt", b"ada@example.com\nghost@example.com\n")
    report = browser.post(detail_url + "import/", {"file": upload}).content.decode()
    assert "ghost@example.com" in report and "1 added" in report
    assert "Ada Lovelace" in browser.get(detail_url).content.decode()
    duplicate = browser.post("/lists/new/", {"name": "vip GUESTS"})
    assert duplicate.status_code == 400 and "already exists" in duplicate.content.decode()
