"""{% record_panels "contact" contact.pk %}: the fragments other apps add to a record's page."""

from __future__ import annotations

from django import template
from django.urls import reverse

from tidycrm.core.extensions import record_panels as panels_for

register = template.Library()


@register.inclusion_tag("core/record_panels.html")
def record_panels(record: str, pk: int) -> dict[str, list[str]]:
    return {"urls": [reverse(panel.url_name, args=[pk]) for panel in panels_for(record)]}
