"""The user's own pages: API tokens (create, with the secret shown once; revoke)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from tidycrm.accounts.models import ApiToken, User
from tidycrm.accounts.services import issue_api_token, revoke_api_token
from tidycrm.core.views import domain_errors

JUST_ISSUED = "accounts:new_api_key"
TOKEN_NAME_LIMIT = 120


class AuthedRequest(HttpRequest):
    """A request behind login_required: its user is a real account, never anonymous."""

    user: User


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    # The secret is in the session for exactly one page view after creation.
    new_secret = request.session.pop(JUST_ISSUED, None)
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    return render(request, "accounts/tokens.html", {"tokens": tokens, "new_secret": new_secret})


@login_required
@require_POST
def token_create(request: AuthedRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()
    if not name or len(name) > TOKEN_NAME_LIMIT:
        tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
        error = (
            "Give the token a name."
            if not name
            else f"Name: at most {TOKEN_NAME_LIMIT} characters."
        )
        return render(
            request,
            "accounts/tokens.html",
            {"tokens": tokens, "error": error, "name": name},
            status=400,
        )
    token, secret = issue_api_token(request.user, name)
    request.session[JUST_ISSUED] = secret
    messages.success(
        request, f"Created token “{token.name}”. Copy the secret now: it is not shown again."
    )
    return redirect("accounts:tokens")


@login_required
@domain_errors
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    revoke_api_token(token, actor=request.user)
    messages.success(request, f"Revoked token “{token.name}”.")
    return redirect("accounts:tokens")
