"""Settings pages: pipelines, their stages, and the loss reasons (for settings managers)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from tidycrm.accounts.choices import Permission
from tidycrm.accounts.services import require
from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import DomainError
from tidycrm.core.views import domain_errors
from tidycrm.deals import services
from tidycrm.deals.forms import LossReasonForm, PipelineForm, ServiceErrorsMixin, StageForm
from tidycrm.deals.selectors import (
    get_loss_reason,
    get_pipeline,
    get_stage,
    loss_reasons,
    pipelines,
)


def _settings_user(request: AuthedRequest) -> None:
    require(request.user, Permission.MANAGE_SETTINGS)


def _submit(form: forms.Form, save: Callable[[dict[str, Any]], object]) -> bool:
    """Validate, call the service, put its errors on the form; True when saved."""
    if not form.is_valid():
        return False
    data = {k: v for k, v in form.cleaned_data.items() if k != "version" and v is not None}
    try:
        save(data)
    except DomainError as exc:
        assert isinstance(form, ServiceErrorsMixin)
        form.add_service_errors(exc.field_errors or {"__all__": [exc.message]})
        return False
    return True


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def settings_home(request: AuthedRequest) -> HttpResponse:
    """Pipelines with their stages, the loss reasons, and forms to add each."""
    _settings_user(request)
    pipeline_form = PipelineForm(initial=PipelineForm.initial_for(None), prefix="pipeline")
    reason_form = LossReasonForm(prefix="reason")
    if request.method == "POST" and "pipeline-name" in request.POST:
        pipeline_form = PipelineForm(request.POST, prefix="pipeline")
        if _submit(pipeline_form, lambda d: services.save_pipeline(d, actor=request.user)):
            messages.success(request, "Pipeline added.")
            return redirect("deals:settings")
    elif request.method == "POST":
        reason_form = LossReasonForm(request.POST, prefix="reason")
        if _submit(reason_form, lambda d: services.save_loss_reason(d, actor=request.user)):
            messages.success(request, "Loss reason added.")
            return redirect("deals:settings")
    context = {
        "pipelines": pipelines().prefetch_related("stages"),
        "reasons": loss_reasons(),
        "pipeline_form": pipeline_form,
        "reason_form": reason_form,
    }
    status = 400 if pipeline_form.errors or reason_form.errors else 200
    return render(request, "deals/settings/home.html", context, status=status)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def pipeline_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _settings_user(request)
    pipeline = get_pipeline(pk)
    form = PipelineForm(initial=PipelineForm.initial_for(pipeline))
    stage_form = StageForm(prefix="stage", initial={"kind": "open", "probability": 0})
    if request.method == "POST" and "stage-name" in request.POST:
        stage_form = StageForm(request.POST, prefix="stage")
        saved = _submit(
            stage_form,
            lambda d: services.save_stage(d, actor=request.user, pipeline=pipeline),
        )
        if saved:
            messages.success(request, "Stage added.")
            return redirect("deals:pipeline_edit", pk=pk)
    elif request.method == "POST":
        form = PipelineForm(request.POST)
        version = request.POST.get("version", "")
        saved = _submit(
            form,
            lambda d: services.save_pipeline(
                d,
                actor=request.user,
                pipeline=pipeline,
                expected_version=int(version) if version.isdigit() else None,
            ),
        )
        if saved:
            messages.success(request, "Pipeline saved.")
            return redirect("deals:pipeline_edit", pk=pk)
    context = {"pipeline": pipeline, "form": form, "stage_form": stage_form}
    status = 400 if form.errors or stage_form.errors else 200
    return render(request, "deals/settings/pipeline.html", context, status=status)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def stage_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _settings_user(request)
    stage = get_stage(pk)
    fields = ("name", "position", "probability", "kind")
    form = StageForm(initial={name: getattr(stage, name) for name in fields})
    if request.method == "POST":
        form = StageForm(request.POST)
        if _submit(form, lambda d: services.save_stage(d, actor=request.user, stage=stage)):
            messages.success(request, "Stage saved.")
            return redirect("deals:pipeline_edit", pk=stage.pipeline_id)
    context = {"stage": stage, "form": form}
    return render(request, "deals/settings/stage.html", context, status=400 if form.errors else 200)


@login_required
@domain_errors
@require_http_methods(["GET", "POST"])
def reason_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    _settings_user(request)
    reason = get_loss_reason(pk)
    fields = ("name", "position", "is_active")
    form = LossReasonForm(initial={name: getattr(reason, name) for name in fields})
    if request.method == "POST":
        form = LossReasonForm(request.POST)
        saved = _submit(
            form, lambda d: services.save_loss_reason(d, actor=request.user, reason=reason)
        )
        if saved:
            messages.success(request, "Loss reason saved.")
            return redirect("deals:settings")
    context = {"reason": reason, "form": form}
    return render(
        request, "deals/settings/reason.html", context, status=400 if form.errors else 200
    )


@login_required
@domain_errors
@require_POST
def settings_delete(request: AuthedRequest, kind: str, pk: int) -> HttpResponse:
    """Delete a pipeline, stage or loss reason nothing depends on; else say what to do."""
    _settings_user(request)
    back = redirect("deals:settings")
    try:
        if kind == "pipeline":
            services.delete_pipeline(get_pipeline(pk), actor=request.user)
        elif kind == "stage":
            stage = get_stage(pk)
            back = redirect("deals:pipeline_edit", pk=stage.pipeline_id)
            services.delete_stage(stage, actor=request.user)
        else:
            services.delete_loss_reason(get_loss_reason(pk), actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return back
    messages.success(request, "Deleted.")
    return back
