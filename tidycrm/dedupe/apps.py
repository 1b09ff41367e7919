from django.apps import AppConfig

from tidycrm.core.extensions import NavItem, RecordPanel


class DedupeConfig(AppConfig):
    name = "tidycrm.dedupe"
    label = "dedupe"
    nav_items = (NavItem("Duplicates", "dedupe:queue", order=60),)
    record_panels = (
        RecordPanel("contact", "dedupe:contact_panel", order=50),
        RecordPanel("company", "dedupe:company_panel", order=50),
    )

    def ready(self) -> None:
        # The contacts door asks dedupe's check without importing dedupe (a lower layer).
        from tidycrm.contacts import duplicates
        from tidycrm.dedupe.services.entry import ContactEntryCheck

        duplicates.register(ContactEntryCheck())
