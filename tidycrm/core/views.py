"""Generic view helpers: domain errors as HTTP answers, remembered list columns."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied as HttpForbidden
from django.http import Http404, HttpRequest, HttpResponse

from tidycrm.core.exceptions import NotFound, PermissionDenied

View = Callable[..., HttpResponse]


def domain_errors(view: View) -> View:
    """NotFound becomes 404 and PermissionDenied 403, with Django's own error pages."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Ids beyond a 64-bit column cannot exist; asking the database would overflow.
        if any(isinstance(v, int) and not 0 < v < 2**63 for v in kwargs.values()):
            raise Http404("No such record.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except PermissionDenied as exc:
            raise HttpForbidden(exc.message) from exc

    return wrapper


def blank_means_any(form: forms.Form) -> None:
    """Filter selects: the empty choice reads "Any" instead of a row of dashes."""
    for field in form.fields.values():
        choices = list(getattr(field, "choices", None) or [])
        if isinstance(field, forms.ChoiceField) and choices and choices[0][0] == "":
            field.choices = [("", "Any"), *choices[1:]]


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
