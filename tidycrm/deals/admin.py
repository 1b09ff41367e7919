from django.contrib import admin

from tidycrm.core.admin_readonly import ReadOnlyAdmin
from tidycrm.deals.models import Deal, LossReason, Pipeline


@admin.register(Deal)
class DealAdmin(ReadOnlyAdmin):
    list_display = ("name", "pipeline", "stage", "status", "amount", "currency", "owner")
    search_fields = ("name",)


@admin.register(Pipeline)
class PipelineAdmin(ReadOnlyAdmin):
    list_display = ("name", "currency", "position", "is_active")


@admin.register(LossReason)
class LossReasonAdmin(ReadOnlyAdmin):
    list_display = ("name", "position", "is_active")
