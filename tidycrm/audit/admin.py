from django.contrib import admin

from tidycrm.audit.models import ChangeRecord
from tidycrm.core.admin_readonly import ReadOnlyAdmin


@admin.register(ChangeRecord)
class ChangeRecordAdmin(ReadOnlyAdmin):
    list_display = ("at", "action", "object_repr", "channel", "actor")
    list_filter = ("action", "channel")
