"""API authentication (bearer tokens, browser sessions) and the caller's own account and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from annotated_types import MaxLen
from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from tidycrm.accounts.choices import Permission, Role, Visibility
from tidycrm.accounts.models import ApiToken, User
from tidycrm.accounts.selectors import active_users
from tidycrm.accounts.services import authenticate_token, issue_api_token, revoke_api_token
from tidycrm.core.api import ErrorOut, InputSchema, RecordId, Text, errors
from tidycrm.core.exceptions import NotFound


class TokenAuth(HttpBearer):
    """`Authorization: Bearer tcrm_...`, a per-user token from POST /tokens or the settings page."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return authenticate_token(token)


class SessionAuth(APIKeyCookie):
    """A logged-in browser. Unsafe methods need the CSRF token, as any Django form does.

    Anonymous requests fall through to a 401 rather than a CSRF 403, so a client without
    credentials learns what it lacks.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header.")
        return user  # type: ignore[no-any-return]


def current_user(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined, no-any-return]


router = Router(tags=["accounts"])


class MeOut(Schema):
    id: int
    username: str
    name: str
    email: str
    role: Role
    team_id: int | None
    visibility: Visibility
    permissions: list[Permission]


class UserOut(Schema):
    id: int
    name: str
    username: str
    team_id: int | None


class TokenIn(InputSchema):
    name: Annotated[Text, MaxLen(120)] = "API token"


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class NewTokenOut(TokenOut):
    secret: str


def _token(token: ApiToken) -> dict[str, Any]:
    return {
        "id": token.pk,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked_at": token.revoked_at,
    }


@router.get("/me", response={200: MeOut, **errors()}, summary="Who am I")
def me(request: HttpRequest) -> dict[str, Any]:
    user = current_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "name": str(user),
        "email": user.email,
        "role": user.role,
        "team_id": user.team_id,
        "visibility": user.visibility,
        "permissions": [p for p in Permission.values if user.has_role_permission(p)],
    }


@router.get("/users", response={200: list[UserOut], **errors()}, summary="Active users")
def list_users(request: HttpRequest) -> list[dict[str, Any]]:
    """Active users, for choosing a record's owner."""
    return [
        {"id": u.pk, "name": str(u), "username": u.username, "team_id": u.team_id}
        for u in active_users()
    ]


@router.get("/tokens", response={200: list[TokenOut], **errors()}, summary="My API tokens")
def list_tokens(request: HttpRequest) -> list[dict[str, Any]]:
    return [_token(t) for t in ApiToken.objects.filter(user=current_user(request))]


@router.post("/tokens", response={201: NewTokenOut, **errors(403)}, summary="Create an API token")
def create_token(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Create a token for yourself. The secret is in this response only; store it now."""
    token, secret = issue_api_token(current_user(request), payload.name)
    return Status(201, {**_token(token), "secret": secret})


@router.delete(
    "/tokens/{token_id}", response={204: None, **errors(403, 404)}, summary="Revoke an API token"
)
def delete_token(request: HttpRequest, token_id: RecordId) -> Status[None]:
    user = current_user(request)
    tokens = ApiToken.objects.all()
    if not user.has_role_permission(Permission.MANAGE_USERS):
        tokens = tokens.filter(user=user)
    token = tokens.filter(pk=token_id).first()
    if token is None:
        raise NotFound(f"Token {token_id} does not exist or is not yours.")
    revoke_api_token(token, actor=user)
    return Status(204, None)


__all__ = ["ErrorOut", "SessionAuth", "TokenAuth", "router"]
