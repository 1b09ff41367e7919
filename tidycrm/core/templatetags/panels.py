"""The fragments other apps add to a page: {% record_panels "contact" contact.pk %} on a
record's page, {% page_panels "contacts-list" %} on a page of no single record."""

from __future__ import annotations

from django import template
from django.urls import reverse

from tidycrm.core.extensions import page_panels as page_panels_for
from tidycrm.core.extensions import record_panels as panels_for

register = template.Library()


@register.inclusion_tag("core/record_panels.html")
def record_panels(record: str, pk: int) -> dict[str, list[str]]:
    return {"urls": [reverse(panel.url_name, args=[pk]) for panel in panels_for(record)]}


@register.inclusion_tag("core/record_panels.html")
def page_panels(page: str) -> dict[str, list[str]]:
    return {"urls": [reverse(panel.url_name) for panel in page_panels_for(page)]}
