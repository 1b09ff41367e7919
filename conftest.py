"""Fixtures shared by every test: users of each role, a team, tokens and clients."""

from __future__ import annotations

import email_validator
import pytest

# Tests use reserved domains such as example.com and .test.
email_validator.TEST_ENVIRONMENT = True


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def team(db):
    from tidycrm.accounts.services import get_or_create_team

    return get_or_create_team("North")


@pytest.fixture
def make_user(db):
    from tidycrm.accounts.services import create_user

    counter = iter(range(1, 10_000))

    def make(role: str = "sales", team=None, **extra):
        n = next(counter)
        return create_user(
            username=extra.pop("username", f"{role}{n}"),
            password="correct-horse-battery-42",
            role=role,
            team=team,
            check_password=False,
            **extra,
        )

    return make


@pytest.fixture
def admin(make_user):
    return make_user("admin", username="admin")


@pytest.fixture
def api_token(admin):
    from tidycrm.accounts.services import issue_api_token

    _, secret = issue_api_token(admin, "tests")
    return secret
