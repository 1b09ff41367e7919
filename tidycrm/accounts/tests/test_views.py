"""The API tokens page: the secret is shown once; tokens can be revoked by their owner."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from tidycrm.accounts.models import ApiToken
from tidycrm.accounts.services import authenticate_token, issue_api_token

pytestmark = pytest.mark.django_db


def test_create_token_shows_secret_once(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:token_create"), {"name": "Laptop <sync>"}, follow=True)
    body = response.content.decode()
    secret = re.search(r'value="(tcrm_[^"]+)"', body).group(1)
    assert authenticate_token(secret) == admin
    assert "Laptop &lt;sync&gt;" in body
    again = client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in again and "Laptop &lt;sync&gt;" in again


def test_token_name_is_required(client, admin):
    client.force_login(admin)
    response = client.post(reverse("accounts:token_create"), {"name": "  "})
    assert response.status_code == 400 and "Give the token a name" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_revoke_own_token_only(client, admin, make_user):
    token, secret = issue_api_token(admin, "mine")
    other = make_user("sales")
    client.force_login(other)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    assert "mine" not in client.get(reverse("accounts:tokens")).content.decode()
    client.force_login(admin)
    assert client.post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 302
    assert authenticate_token(secret) is None
    assert client.get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
