from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from tidycrm.activities.models import Activity, AlertSettings, Outcome, StaleRule
from tidycrm.activities.services.effort import recount_outcome
from tidycrm.core.admin_readonly import ReadOnlyAdmin


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("subject", "kind", "occurred_at", "owner", "completed_at")
    list_filter = ("kind",)
    search_fields = ("subject",)


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "kind", "is_connected", "is_active", "order")
    list_editable = ("is_connected", "is_active", "order")

    # Whether an outcome reached the person decides which calls count as conversations on
    # the deals they are linked to: recount those deals when it changes.
    def save_model(self, request: HttpRequest, obj: Outcome, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_connected" in form.changed_data:
            recount_outcome(obj.pk)


@admin.register(StaleRule)
class StaleRuleAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("scope", "lifecycle_stage", "stage", "days", "is_active")


@admin.register(AlertSettings)
class AlertSettingsAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("lead_sla_minutes", "lead_sla_window_days", "due_soon_hours")
