from __future__ import annotations

import pytest

from tidycrm.accounts.models import ApiToken
from tidycrm.accounts.services import authenticate_token, issue_api_token, revoke_api_token
from tidycrm.core.exceptions import PermissionDenied

pytestmark = pytest.mark.django_db


def test_token_is_stored_hashed_and_revocable(admin, make_user):
    token, secret = issue_api_token(admin, "laptop")
    assert secret not in {token.digest, token.prefix} and token.digest != secret
    assert not ApiToken.objects.filter(digest__contains=secret[12:]).exists()
    assert authenticate_token(secret) == admin
    assert authenticate_token(secret + "x") is None
    with pytest.raises(PermissionDenied):
        revoke_api_token(token, actor=make_user("sales"))
    revoke_api_token(token, actor=admin)
    assert authenticate_token(secret) is None
