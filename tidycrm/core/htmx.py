"""htmx helpers: answer a partial swap with a template fragment, a navigation with a page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_htmx(request: HttpRequest) -> bool:
    """A swap request from htmx; a history restore wants the whole page."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
    )


def render_page_or_partial(
    request: HttpRequest,
    template: str,
    context: dict[str, Any],
    *,
    partial: str,
    target: str,
    status: int = 200,
) -> HttpResponse:
    """Render `template#partial` when htmx swaps `target`, else the whole page."""
    name = template
    if is_htmx(request) and request.headers.get("HX-Target") == target:
        name = f"{template}#{partial}"
    response = render(request, name, context, status=status)
    # The same URL answers with a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ["HX-Request", "HX-Target"])
    return response
