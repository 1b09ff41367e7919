from django.contrib import admin

from tidycrm.records.models import EntryPolicy


@admin.register(EntryPolicy)
class EntryPolicyAdmin(admin.ModelAdmin[EntryPolicy]):
    list_display = ("record_type", "field", "channel", "action")
    list_filter = ("record_type", "channel", "action")
