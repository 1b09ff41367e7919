"""The entry policy page: an administrator chooses reject, flag or fix per check and channel."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import ValidationFailed
from tidycrm.core.views import domain_errors
from tidycrm.intake import policy
from tidycrm.records.policy import ACTIONS, CHANNELS


@login_required
@domain_errors
def entry_policy(request: AuthedRequest) -> HttpResponse:
    require(request.user, Permission.MANAGE_SETTINGS)
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        keys = {c.key for rows in policy.policy_table().values() for _, _, cs in rows for c in cs}
        choices = {k: v for k, v in request.POST.items() if k in keys}
        try:
            changed = policy.save_policy(request.user, choices)
        except ValidationFailed as exc:
            problems = exc.field_errors
        else:
            messages.success(request, f"Entry policy saved ({changed} changed).")
            return redirect("intake:entry_policy")
    context = {
        "table": policy.policy_table(),
        "channels": CHANNELS,
        "actions": ACTIONS,
        "problems": problems,
    }
    return render(request, "intake/entry_policy.html", context, status=422 if problems else 200)
