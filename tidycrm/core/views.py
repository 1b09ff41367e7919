"""Generic view helpers: domain errors as HTTP answers, remembered list columns."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse

from tidycrm.core.exceptions import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """NotFound becomes 404 and PermissionDenied 403, with Django's own error pages."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc

    return wrapper


def chosen_columns(
    request: HttpRequest, list_name: str, available: Mapping[str, str], default: Sequence[str]
) -> list[str]:
    """The columns the user picked for a list, remembered in the session.

    The list's filter form always sends `cols_set`, so an explicit choice (even of nothing)
    is told apart from a link that does not mention columns.
    """
    key = f"columns:{list_name}"
    if "cols_set" in request.GET:
        picked = [c for c in request.GET.getlist("col") if c in available]
        request.session[key] = picked
    else:
        stored = request.session.get(key)
        picked = [c for c in stored if c in available] if isinstance(stored, list) else []
    return picked or list(default)
