from django.contrib import admin

from tidycrm.contacts.models import Contact
from tidycrm.core.admin_readonly import ReadOnlyAdmin


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("display_name", "lifecycle_stage", "owner", "country", "updated_at")
    search_fields = ("display_name", "external_id")
