from django.contrib import admin

from tidycrm.customfields.models import CustomFieldDefinition


@admin.register(CustomFieldDefinition)
class CustomFieldDefinitionAdmin(admin.ModelAdmin[CustomFieldDefinition]):
    list_display = ("record_type", "key", "label", "field_type", "required", "position")
    list_filter = ("record_type", "field_type")
