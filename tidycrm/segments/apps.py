from django.apps import AppConfig

from tidycrm.core.extensions import NavItem, PagePanel, RecordPanel


class SegmentsConfig(AppConfig):
    name = "tidycrm.segments"
    label = "segments"
    nav_items = (NavItem("Segments", "segments:list", order=40),)
    record_panels = (RecordPanel("list", "segments:list_panel"),)
    page_panels = (PagePanel("contacts-list", "segments:contact_list_tools"),)

    def ready(self) -> None:
        from tidycrm.segments.language.contact_fields import register_contact_fields
        from tidycrm.segments.language.related import register_related_fields

        register_contact_fields()
        register_related_fields()
