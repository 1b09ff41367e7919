"""Writes for users, teams and API tokens."""

from __future__ import annotations

import hashlib
import logging
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone

from tidycrm.accounts.choices import Permission, Role
from tidycrm.accounts.models import ApiToken, Team, User
from tidycrm.core.exceptions import Conflict, PermissionDenied, ValidationFailed

logger = logging.getLogger(__name__)
TOKEN_PREFIX = "tcrm_"  # noqa: S105 - a public marker, not a secret


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def require(user: User, permission: Permission) -> None:
    if not user.is_active or not user.has_role_permission(permission):
        raise PermissionDenied(f"Your role does not allow: {permission.label.lower()}.")


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    role: str = Role.SALES,
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    team: Team | None = None,
    is_superuser: bool = False,
    check_password: bool = True,
) -> User:
    if role not in Role.values:
        raise ValidationFailed({"role": [f"'{role}' is not one of {', '.join(Role.values)}."]})
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(
            f"username: '{username}' is taken.", field_errors={"username": ["is taken."]}
        )
    user = User(
        username=username,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        team=team,
        is_superuser=is_superuser,
        is_staff=is_superuser,
    )
    if check_password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise ValidationFailed({"password": list(exc.messages)}) from exc
    user.set_password(password)
    user.save()
    return user


def get_or_create_team(name: str) -> Team:
    team, _ = Team.objects.get_or_create(name=name.strip())
    return team


def issue_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token; the returned secret is never stored and cannot be shown again."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=secret[:12], digest=hash_token(secret)
    )
    return token, secret


def revoke_api_token(token: ApiToken, *, actor: User) -> None:
    if token.user_id != actor.pk and not actor.has_role_permission(Permission.MANAGE_USERS):
        raise PermissionDenied("You can revoke only your own tokens.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def authenticate_token(secret: str) -> User | None:
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write last use at most once a minute: tokens are hit on every API call. It is bookkeeping:
    # when SQLite's single writer is busy (a long import), skip it rather than fail the request.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        try:
            with transaction.atomic():
                ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        except OperationalError:
            logger.info("token %s: last use not recorded, database busy", token.prefix)
    return token.user
