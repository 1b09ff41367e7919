from django.apps import AppConfig

from tidycrm.core.extensions import NavItem, RecordPanel


class SegmentsConfig(AppConfig):
    name = "tidycrm.segments"
    label = "segments"
    nav_items = (NavItem("Segments", "segments:list", order=40),)
    record_panels = (
        # The contacts list is not one record: its panel is asked for with pk 0.
        RecordPanel("contact_list", "segments:contact_list_tools"),
        RecordPanel("list", "segments:list_panel"),
    )

    def ready(self) -> None:
        from tidycrm.segments.language.contact_fields import register_contact_fields
        from tidycrm.segments.language.related import register_related_fields

        register_contact_fields()
        register_related_fields()
