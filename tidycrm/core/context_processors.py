"""Template context shared by every page."""

from __future__ import annotations

from django.http import HttpRequest

from tidycrm.core.extensions import NavItem, nav_items


def navigation(request: HttpRequest) -> dict[str, tuple[NavItem, ...]]:
    return {"extra_nav_items": nav_items()}
