"""The REST API at /api/v1/: routers of each app, authentication, and one error format.

Every error is JSON {"detail": "...", "errors": {"field": ["message", ...]}} with the status of
the domain error that caused it (tidycrm.core.exceptions), ninja's own validation (422) and
parse (400) errors included.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema

from tidycrm.accounts.api import SessionAuth, TokenAuth
from tidycrm.accounts.api import router as accounts_router
from tidycrm.companies.api import router as companies_router
from tidycrm.contacts.api import router as contacts_router
from tidycrm.core.api import field_errors_from_ninja
from tidycrm.core.exceptions import DomainError, ValidationFailed
from tidycrm.intake.api import router as imports_router


class TidyAPI(NinjaAPI):
    """Builds the OpenAPI document once per path prefix: it is fixed for a running process and
    costs ~0.3 s to build."""

    _schemas: dict[str, OpenAPISchema]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        cache: dict[str, OpenAPISchema] = self.__dict__.setdefault("_schemas", {})
        if path_prefix not in cache:
            cache[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
        return cache[path_prefix]


api = TidyAPI(
    title="TidyCRM API",
    version="1",
    description=(
        "Contacts and companies of TidyCRM. Authenticate with `Authorization: Bearer tcrm_...` "
        "(create a token with POST /tokens or in your settings) or a browser session with its "
        "CSRF token. Every record goes through the same cleaning and validation as the web UI."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", accounts_router)
api.add_router("/contacts", contacts_router)
api.add_router("/companies", companies_router)
api.add_router("/imports", imports_router)
api.add_router("/exports", "tidycrm.intake.export_api.router")
# Routers below declare their full paths (e.g. "/deals", "/pipelines").
for _module in ("dedupe", "lists", "deals", "activities", "segments", "reports"):
    api.add_router("/", f"tidycrm.{_module}.api.router")


def _error(
    request: HttpRequest, status: int, detail: str, errors: dict[str, list[str]]
) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "errors": errors}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status_code, exc.message, exc.field_errors)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    failed = ValidationFailed(field_errors_from_ninja(list(exc.errors)))
    return _error(request, 422, failed.message, failed.field_errors)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = "Authentication required: send 'Authorization: Bearer tcrm_...' or log in."
    return _error(request, 401, detail, {})


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, str(exc), {})


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "Not found.", {})
