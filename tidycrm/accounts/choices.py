from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    SALES = "sales", "Sales"
    MARKETING = "marketing", "Marketing"
    SUPPORT = "support", "Support"
    READ_ONLY = "read_only", "Read-only"


class Visibility(models.TextChoices):
    OWN = "own", "Own records"
    TEAM = "team", "Team's records"
    ALL = "all", "All records"


class Permission(models.TextChoices):
    VIEW = "view", "View records"
    EDIT = "edit", "Create and edit records"
    DELETE = "delete", "Delete records"
    MANAGE_USERS = "manage_users", "Manage users and teams"
    MANAGE_SETTINGS = "manage_settings", "Manage fields and settings"


# Defaults an admin can change per role (RolePolicy rows override them).
DEFAULT_VISIBILITY = {
    Role.ADMIN: Visibility.ALL,
    Role.MANAGER: Visibility.TEAM,
    Role.SALES: Visibility.OWN,
    Role.MARKETING: Visibility.ALL,
    Role.SUPPORT: Visibility.ALL,
    Role.READ_ONLY: Visibility.ALL,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMIN: frozenset(Permission.values),
    Role.MANAGER: frozenset({Permission.VIEW, Permission.EDIT, Permission.DELETE}),
    Role.SALES: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.MARKETING: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.SUPPORT: frozenset({Permission.VIEW, Permission.EDIT}),
    Role.READ_ONLY: frozenset({Permission.VIEW}),
}
