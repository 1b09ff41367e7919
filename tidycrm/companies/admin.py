from django.contrib import admin

from tidycrm.companies.models import Company
from tidycrm.core.admin_readonly import ReadOnlyAdmin


@admin.register(Company)
class CompanyAdmin(ReadOnlyAdmin):
    list_display = ("name", "industry", "size", "owner", "updated_at")
    search_fields = ("name", "external_id")
