"""Higher apps appear in the navigation and on record pages through AppConfig declarations."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse

from tidycrm.contacts.services import save_contact
from tidycrm.core import extensions
from tidycrm.core.extensions import NavItem, RecordPanel

pytestmark = pytest.mark.django_db


@pytest.fixture
def declared() -> Iterator[None]:
    """Declares a nav item and a contact panel on the tags app for the length of a test."""
    config = apps.get_app_config("tags")
    config.nav_items = (NavItem("Imports again", "intake:list", order=1),)  # type: ignore[attr-defined]
    config.record_panels = (RecordPanel("contact", "contacts:history"),)  # type: ignore[attr-defined]
    extensions.nav_items.cache_clear()
    extensions.record_panels.cache_clear()
    yield
    del config.nav_items, config.record_panels  # type: ignore[attr-defined]
    extensions.nav_items.cache_clear()
    extensions.record_panels.cache_clear()


def test_declared_nav_item_is_linked_and_marked_current(admin, declared):
    client = Client()
    client.force_login(admin)
    page = client.get("/imports/").content.decode()
    assert '<a href="/imports/" aria-current="page">Imports again</a>' in page


def test_declared_record_panel_is_loaded_on_the_record_page(admin, declared):
    contact = save_contact(
        {"given_name": "Ada", "family_name": "Lovelace"}, actor=admin, channel="ui"
    ).record
    client = Client()
    client.force_login(admin)
    page = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f'hx-get="/contacts/{contact.pk}/history/"' in page
    company_panels = extensions.record_panels("company")
    assert all(panel.record == "company" for panel in company_panels)


def test_panels_are_ordered():
    config = apps.get_app_config("tags")
    config.record_panels = (  # type: ignore[attr-defined]
        RecordPanel("example-record", "b:x", order=20),
        RecordPanel("example-record", "a:x", order=10),
    )
    extensions.record_panels.cache_clear()
    try:
        assert [p.url_name for p in extensions.record_panels("example-record")] == ["a:x", "b:x"]
    finally:
        del config.record_panels  # type: ignore[attr-defined]
        extensions.record_panels.cache_clear()


def test_page_panels_load_on_the_contacts_list(admin):
    client = Client()
    client.force_login(admin)
    page = client.get("/").content.decode()
    urls = [reverse(panel.url_name) for panel in extensions.page_panels("contacts-list")]
    assert urls and all(f'hx-get="{url}"' in page for url in urls)
