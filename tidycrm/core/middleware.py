"""Edge checks every request passes before any view sees it."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse, JsonResponse


class RejectNulMiddleware:
    """NUL bytes are never valid in CRM text, and PostgreSQL refuses them: stop them at the door."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            return JsonResponse(
                {
                    "detail": "Input contains a NUL character (\\x00), which is not allowed.",
                    "errors": {"__all__": ["NUL characters are not allowed."]},
                },
                status=400,
            )
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if b"\x00" in unquote_to_bytes(request.META.get("QUERY_STRING", "")):
            return True
        if b"\x00" in unquote_to_bytes(request.path_info.encode("utf-8", "surrogatepass")):
            return True
        content_type = request.META.get("CONTENT_TYPE", "")
        if request.method in {"POST", "PUT", "PATCH", "DELETE"} and not content_type.startswith(
            "multipart/"
        ):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                return True
            if content_type.startswith("application/x-www-form-urlencoded"):
                return b"\x00" in unquote_to_bytes(body)
        return False
