from __future__ import annotations

import pytest

from tidycrm.contacts.services import save_contact


@pytest.fixture
def rep(make_user, team):
    return make_user("sales", team=team, email="rep@example.com", first_name="Rita")


@pytest.fixture
def other_rep(make_user):
    return make_user("sales", email="other@example.com")


@pytest.fixture
def contact(rep):
    return save_contact({"name": "Ada Lovelace"}, actor=rep, channel="ui").record


@pytest.fixture
def company(rep):
    from tidycrm.companies.services import save_company

    return save_company({"name": "Analytical Engines"}, actor=rep, channel="ui").record


@pytest.fixture
def mailer(settings):
    """A configured default mailer that keeps messages in django.core.mail.outbox."""
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
