from django.contrib import admin

from tidycrm.tags.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin[Tag]):
    list_display = ("name", "key", "color")
    readonly_fields = ("key",)

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        from tidycrm.hygiene.text import fold

        obj.key = fold(obj.name)
        super().save_model(request, obj, form, change)
