"""Users, teams, per-role visibility and hashed API tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from tidycrm.accounts.choices import (
    DEFAULT_VISIBILITY,
    ROLE_PERMISSIONS,
    Role,
    Visibility,
)


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.SALES)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    # Used when a phone number has no country code and its record has no country.
    default_region = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def has_role_permission(self, permission: str) -> bool:
        if self.is_superuser:
            return True
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @cached_property
    def visibility(self) -> str:
        """Cached per user object: a request or a batch asks many times, the answer is stable."""
        if self.is_superuser:
            return Visibility.ALL
        policy = RolePolicy.objects.filter(role=self.role).values_list("visibility", flat=True)
        return policy.first() or DEFAULT_VISIBILITY.get(Role(self.role), Visibility.OWN)


class RolePolicy(models.Model):
    """An admin's override of which records a role sees."""

    role = models.CharField(max_length=16, choices=Role.choices, unique=True)
    visibility = models.CharField(max_length=8, choices=Visibility.choices)

    def __str__(self) -> str:
        return f"{self.role}: {self.visibility}"


class ApiToken(models.Model):
    """A per-user API token; only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
