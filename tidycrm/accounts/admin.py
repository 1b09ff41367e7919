from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from tidycrm.accounts.models import ApiToken, RolePolicy, Team, User


@admin.register(User)
class TidyUserAdmin(UserAdmin[User]):
    list_display = ("username", "email", "first_name", "last_name", "role", "team", "is_active")
    list_filter = ("role", "team", "is_active")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("CRM", {"fields": ("role", "team", "default_region")}),
    )


admin.site.register(Team)
admin.site.register(RolePolicy)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "digest", "created_at", "last_used_at")
