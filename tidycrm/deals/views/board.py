"""The board of a pipeline: a column per stage, drag and drop between them (htmx)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from tidycrm.accounts.views import AuthedRequest
from tidycrm.core.exceptions import DomainError, NotFound
from tidycrm.core.views import domain_errors
from tidycrm.deals.selectors import (
    board,
    column_totals,
    deal_card,
    get_deal,
    get_pipeline,
    get_stage,
    loss_reasons,
    pipelines,
    stage_cards,
)
from tidycrm.deals.services import move_deal

CARDS_PER_COLUMN = 25


def deals_base() -> str:
    """ "/deals/": cards link to base + id + "/" (one reverse per page, not two per card)."""
    return reverse("deals:list").removesuffix("list/")


@login_required
@domain_errors
@require_http_methods(["GET"])
def board_default(request: AuthedRequest) -> HttpResponse:
    first = pipelines(active_only=True).first() or pipelines().first()
    if first is None:
        return redirect("deals:settings")
    return redirect("deals:board", pk=first.pk)


@login_required
@domain_errors
@require_http_methods(["GET"])
def board_view(request: AuthedRequest, pk: int) -> HttpResponse:
    pipeline = get_pipeline(pk)
    context = {
        "pipeline": pipeline,
        "pipelines": pipelines(),
        "columns": board(request.user, pipeline, CARDS_PER_COLUMN),
        "loss_reasons": loss_reasons(active_only=True),
        "deals_base": deals_base(),
    }
    return render(request, "deals/board.html", context)


@login_required
@domain_errors
@require_http_methods(["GET"])
def stage_more(request: AuthedRequest, pk: int) -> HttpResponse:
    """The next cards of a column, appended in place of its "more" button."""
    stage = get_stage(pk)
    try:
        page = stage_cards(request.user, stage, CARDS_PER_COLUMN, request.GET.get("cursor"))
    except DomainError as exc:
        return HttpResponse(exc.message, status=400)
    context = {"page": page, "stage": stage, "deals_base": deals_base()}
    return render(request, "deals/partials/cards.html", context)


@login_required
@domain_errors
@require_POST
def deal_move(request: AuthedRequest, pk: int) -> HttpResponse:
    """A dropped card: move the deal, answer with the card and both columns' new totals.

    A refused move (stale version, missing loss reason) answers 409/422 with the message; the
    board's script puts the card back where it was.
    """
    deal = get_deal(request.user, pk)
    before = deal.stage
    try:
        stage = get_stage(int(request.POST.get("stage", "0")))
        version = request.POST.get("version", "")
        reason = request.POST.get("loss_reason", "")
        result = move_deal(
            deal,
            stage,
            actor=request.user,
            channel="ui",
            expected_version=int(version) if version.isdigit() else None,
            loss_reason=int(reason) if reason.isdigit() else None,
            loss_note=request.POST.get("loss_note") or None,
        )
    except (NotFound, ValueError):
        return HttpResponse("That stage does not exist.", status=422)
    except DomainError as exc:
        return HttpResponse(exc.message, status=exc.status_code)
    after = result.record.stage
    columns = [before] if before.pk == after.pk else [before, after]
    context = {
        "deal": deal_card(request.user, deal.pk),
        "totals": [(s, *column_totals(request.user, s)) for s in columns],
        "deals_base": deals_base(),
    }
    return render(request, "deals/partials/moved.html", context)
