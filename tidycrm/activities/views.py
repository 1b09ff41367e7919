"""Activity pages: record panels (quick-log and timeline), my day, notifications, calendar."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.activities.choices import StaleScope
from tidycrm.activities.forms import AlertSettingsForm, CalendarImportForm, QuickLogForm
from tidycrm.activities.models import ActivityCompany, ActivityContact, ActivityDeal, StaleRule
from tidycrm.activities.selectors import (
    active_calendar_token,
    alert_settings,
    get_activity,
    get_record,
    my_day,
    notifications_for,
    quick_log_links,
    unread_count,
)
from tidycrm.activities.services import complete_task, delete_activity, log_activity
from tidycrm.activities.services.alerts import stale_contacts, stale_deals
from tidycrm.activities.services.calendar import (
    calendar_feed,
    import_ics,
    issue_calendar_token,
    meeting_invitation,
    revoke_calendar_tokens,
    user_for_calendar_token,
)
from tidycrm.activities.services.notify import mark_read
from tidycrm.activities.services.settings import save_alert_settings
from tidycrm.audit.choices import Channel
from tidycrm.contacts.choices import LifecycleStage
from tidycrm.core.exceptions import DomainError, ValidationFailed
from tidycrm.core.pagination import paginate
from tidycrm.core.views import domain_errors
from tidycrm.deals.choices import StageKind
from tidycrm.deals.models import Stage
from tidycrm.records.timeline import Query, kinds_for, timeline_page

TIMELINE_PAGE = 25
JUST_ISSUED = "activities:calendar_secret"


def _timeline_context(
    request: AuthedRequest, record_type: str, pk: int, cursor: str | None = None
) -> dict[str, Any]:
    kinds = kinds_for(record_type)
    picked = [k for k in request.GET.getlist("kind") if k in dict(kinds)]
    query = Query(kinds=frozenset(picked) if picked else None)
    page = timeline_page(
        record_type, pk, request.user, query=query, cursor=cursor, limit=TIMELINE_PAGE
    )
    return {
        "record_type": record_type,
        "pk": pk,
        "entries": page.entries,
        "next_cursor": page.next_cursor,
        "kinds": kinds,
        "kind_labels": dict(kinds),
        "picked": picked,
        "timeline_url": reverse("activities:timeline", args=[record_type, pk]),
    }


def _panel(
    request: AuthedRequest, record_type: str, pk: int, form: QuickLogForm | None = None
) -> HttpResponse:
    get_record(request.user, record_type, pk)
    context = _timeline_context(request, record_type, pk)
    context["form"] = form or QuickLogForm()
    context["log_url"] = reverse("activities:quick_log", args=[record_type, pk])
    return render(request, "activities/partials/panel.html", context)


@login_required
@domain_errors
@require_GET
def record_panel(request: AuthedRequest, record_type: str, pk: int) -> HttpResponse:
    return _panel(request, record_type, pk)


@login_required
@domain_errors
@require_GET
def timeline(request: AuthedRequest, record_type: str, pk: int) -> HttpResponse:
    """More timeline entries (older page, or another filter), as a fragment."""
    get_record(request.user, record_type, pk)
    try:
        context = _timeline_context(request, record_type, pk, request.GET.get("cursor"))
    except DomainError as exc:
        return HttpResponse(f'<p class="field-error">{exc.message}</p>', status=400)
    template = "activities/partials/timeline.html"
    if request.GET.get("cursor"):
        template = "activities/partials/timeline_entries.html"
    return render(request, template, context)


@login_required
@domain_errors
@require_POST
def quick_log(request: AuthedRequest, record_type: str, pk: int) -> HttpResponse:
    record = get_record(request.user, record_type, pk)
    form = QuickLogForm(request.POST)
    if form.is_valid():
        data = {**form.service_data(), **quick_log_links(record_type, record)}
        try:
            log_activity(data, actor=request.user, channel=Channel.UI)
        except ValidationFailed as exc:
            form.add_service_errors(exc.field_errors)
        else:
            return _panel(request, record_type, pk)
    return _panel(request, record_type, pk, form)


@login_required
@domain_errors
@require_GET
def my_day_page(request: AuthedRequest) -> HttpResponse:
    context = {"day": my_day(request.user), "now": timezone.now()}
    return render(request, "activities/my_day.html", context)


@login_required
@domain_errors
@require_POST
def task_done(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_activity(request.user, pk)
    done = request.POST.get("done", "1") == "1"
    task = complete_task(task, actor=request.user, channel=Channel.UI, done=done)
    if request.headers.get("HX-Request") == "true":
        context = {"task": task, "now": timezone.now()}
        return render(request, "activities/partials/task_row.html", context)
    messages.success(request, f"Task “{task.subject}” {'done' if done else 'open again'}.")
    return redirect("activities:detail", pk=task.pk)


@login_required
@domain_errors
@require_GET
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = get_activity(request.user, pk)
    links = {
        "contacts": ActivityContact.objects.filter(activity=activity).select_related("contact"),
        "companies": ActivityCompany.objects.filter(activity=activity).select_related("company"),
        "deals": ActivityDeal.objects.filter(activity=activity).select_related("deal"),
    }
    context = {"activity": activity, "links": links, "attendees": activity.attendees.all()}
    return render(request, "activities/detail.html", context)


@login_required
@domain_errors
@require_POST
def activity_delete(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = get_activity(request.user, pk)
    delete_activity(activity, actor=request.user, channel=Channel.UI)
    messages.success(request, f"Deleted “{activity.subject}”.")
    return redirect("activities:my_day")


@login_required
@domain_errors
@require_GET
def meeting_ics(request: AuthedRequest, pk: int) -> HttpResponse:
    activity = get_activity(request.user, pk)
    response = HttpResponse(meeting_invitation(activity), content_type="text/calendar")
    response["Content-Disposition"] = f'attachment; filename="activity-{activity.pk}.ics"'
    return response


@login_required
@domain_errors
@require_GET
def notification_list(request: AuthedRequest) -> HttpResponse:
    queryset = notifications_for(request.user)
    try:
        page = paginate(queryset, ["-created_at", "-id"], 50, request.GET.get("cursor"))
    except DomainError as exc:
        raise Http404(exc.message) from exc
    context = {"page": page, "unread": unread_count(request.user)}
    return render(request, "activities/notifications.html", context)


@login_required
@require_GET
def notification_bell(request: AuthedRequest) -> HttpResponse:
    return render(request, "activities/partials/bell.html", {"unread": unread_count(request.user)})


@login_required
@require_POST
def notification_open(request: AuthedRequest, pk: int) -> HttpResponse:
    notification = notifications_for(request.user).filter(pk=pk).first()
    if notification is None:
        raise Http404("No such notification.")
    mark_read(request.user, [pk])
    url = notification.url
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()}):
        return redirect(url)
    return redirect("activities:notifications")


@login_required
@require_POST
def notifications_read(request: AuthedRequest) -> HttpResponse:
    count = mark_read(request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("activities:notifications")


@login_required
def calendar_page(request: AuthedRequest) -> HttpResponse:
    secret = request.session.pop(JUST_ISSUED, None)
    feed_url = (
        request.build_absolute_uri(reverse("activities:calendar_feed", args=[secret]))
        if secret
        else ""
    )
    active = active_calendar_token(request.user)
    context = {"feed_url": feed_url, "active": active, "form": CalendarImportForm()}
    return render(request, "activities/calendar.html", context)


@login_required
@require_POST
def calendar_issue(request: AuthedRequest) -> HttpResponse:
    request.session[JUST_ISSUED] = issue_calendar_token(request.user)
    return redirect("activities:calendar")


@login_required
@require_POST
def calendar_revoke(request: AuthedRequest) -> HttpResponse:
    revoke_calendar_tokens(request.user)
    messages.success(request, "Calendar link revoked: subscribed calendars stop updating.")
    return redirect("activities:calendar")


@login_required
@domain_errors
@require_POST
def calendar_import(request: AuthedRequest) -> HttpResponse:
    form = CalendarImportForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            result = import_ics(form.cleaned_data["file"].read(), actor=request.user)
        except ValidationFailed as exc:
            for problem in exc.field_errors.get("file", [exc.message]):
                form.add_error("file", problem)
        else:
            messages.success(
                request,
                f"Imported {len(result.created)} meeting(s), updated {len(result.updated)}.",
            )
            for reason in result.skipped[:20]:
                messages.warning(request, f"Skipped {reason}")
            return redirect("activities:calendar")
    context = {"feed_url": "", "active": None, "form": form}
    return render(request, "activities/calendar.html", context, status=400)


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    """The subscription URL: the secret in the path is the only credential (calendar apps
    cannot log in)."""
    user = user_for_calendar_token(token)
    if user is None:
        raise Http404("No such calendar.")
    response = HttpResponse(calendar_feed(user), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response


@login_required
@domain_errors
@require_GET
def stale_list(request: AuthedRequest, pk: int) -> HttpResponse:
    rule = StaleRule.objects.select_related("stage").filter(pk=pk).first()
    if rule is None:
        raise Http404("No such rule.")
    cutoff = timezone.now() - timedelta(days=rule.days)
    if rule.scope == StaleScope.LIFECYCLE:
        records = stale_contacts(rule.lifecycle_stage, cutoff).filter(owner=request.user)
        rows = [(c.display_name, reverse("contacts:detail", args=[c.pk])) for c in records[:200]]
    else:
        deals = stale_deals(rule.stage_id or 0, cutoff).filter(owner=request.user)
        rows = [(d.name, reverse("deals:detail", args=[d.pk])) for d in deals[:200]]
    return render(request, "activities/stale.html", {"rule": rule, "rows": rows})


@login_required
@domain_errors
def alert_settings_page(request: AuthedRequest) -> HttpResponse:
    """Administrators set when records count as stale and the speed-to-lead target."""
    require(request.user, Permission.MANAGE_SETTINGS)
    lifecycle = list(LifecycleStage.choices)
    stages = [
        (s.pk, f"{s.pipeline} · {s.name}")
        for s in Stage.objects.filter(kind=StageKind.OPEN).select_related("pipeline")
    ]
    current = alert_settings()
    rules = StaleRule.objects.filter(is_active=True)
    initial: dict[str, Any] = {
        "lead_sla_minutes": current.lead_sla_minutes,
        "due_soon_hours": current.due_soon_hours,
    }
    for rule in rules:
        key = (
            f"lifecycle_{rule.lifecycle_stage}"
            if rule.scope == StaleScope.LIFECYCLE
            else f"stage_{rule.stage_id}"
        )
        initial[key] = rule.days
    data = request.POST if request.method == "POST" else None
    form = AlertSettingsForm(data, initial=initial, lifecycle=lifecycle, stages=stages)
    if data is not None and form.is_valid():
        try:
            save_alert_settings(
                actor=request.user,
                channel=Channel.UI,
                lifecycle_days=form.lifecycle_days(),
                stage_days=form.stage_days(),
                lead_sla_minutes=form.cleaned_data["lead_sla_minutes"],
                due_soon_hours=form.cleaned_data["due_soon_hours"],
            )
        except ValidationFailed as exc:
            for name, problems in exc.field_errors.items():
                field = name.replace(".", "_")
                for problem in problems:
                    form.add_error(field if field in form.fields else None, problem)
        else:
            messages.success(request, "Alert settings saved.")
            return redirect("activities:settings")
    context = {
        "form": form,
        "lifecycle_fields": [form[n] for n in form.lifecycle_names],
        "stage_fields": [form[n] for n in form.stage_names],
    }
    return render(request, "activities/settings.html", context, status=400 if form.errors else 200)
