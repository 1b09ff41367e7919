"""Extension points of the web UI: higher apps add themselves to the main navigation and to the
detail pages of lower apps' records without the lower apps importing them.

An app declares them as class attributes of its AppConfig:

    class DealsConfig(AppConfig):
        nav_items = (NavItem("Deals", "deals:list", order=30),)
        record_panels = (RecordPanel("contact", "deals:contact_panel", order=20),)
        page_panels = (PagePanel("contacts-list", "segments:contact_list_tools"),)

A record panel's URL takes the record's primary key and returns an HTML fragment; the detail
page loads it with htmx when the page opens. A page panel does the same on a page that shows no
single record (the contacts list): its URL takes no arguments.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.apps import apps


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str
    url_name: str
    order: int = 100

    @property
    def section(self) -> str:
        """The URL namespace whose pages mark this item as current."""
        return self.url_name.partition(":")[0]


@dataclass(frozen=True, slots=True)
class RecordPanel:
    record: str  # "contact", "company", "deal", ...
    url_name: str  # reversed with the record's pk
    order: int = 100


@dataclass(frozen=True, slots=True)
class PagePanel:
    page: str  # "contacts-list", ...
    url_name: str  # reversed without arguments
    order: int = 100


@cache
def nav_items() -> tuple[NavItem, ...]:
    found = [item for config in apps.get_app_configs() for item in getattr(config, "nav_items", ())]
    return tuple(sorted(found, key=lambda item: item.order))


@cache
def record_panels(record: str) -> tuple[RecordPanel, ...]:
    found = [
        panel
        for config in apps.get_app_configs()
        for panel in getattr(config, "record_panels", ())
        if panel.record == record
    ]
    return tuple(sorted(found, key=lambda panel: panel.order))


@cache
def page_panels(page: str) -> tuple[PagePanel, ...]:
    found = [
        panel
        for config in apps.get_app_configs()
        for panel in getattr(config, "page_panels", ())
        if panel.page == page
    ]
    return tuple(sorted(found, key=lambda panel: panel.order))
