"""Record visibility: the one place that decides which owned records a user may see."""

from __future__ import annotations

from django.db.models import Model, Q, QuerySet

from tidycrm.accounts.choices import Visibility
from tidycrm.accounts.models import User


def visibility_filter(user: User) -> Q:
    """A filter over records with `owner` and `team` fields that keeps what `user` may see."""
    if not user.is_active:
        return Q(pk__in=[])
    scope = user.visibility
    if scope == Visibility.ALL:
        return Q()
    if scope == Visibility.TEAM and user.team_id is not None:
        return Q(team_id=user.team_id) | Q(owner_id=user.pk)
    return Q(owner_id=user.pk)


def visible[M: Model](queryset: QuerySet[M], user: User) -> QuerySet[M]:
    return queryset.filter(visibility_filter(user))


def active_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True).order_by("first_name", "last_name", "username")
