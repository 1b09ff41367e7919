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
        # The contacts and companies doors ask dedupe's checks without importing dedupe.
        from tidycrm.companies import duplicates as company_duplicates
        from tidycrm.contacts import duplicates
        from tidycrm.dedupe.services.entry import CompanyEntryCheck, ContactEntryCheck

        duplicates.register(ContactEntryCheck())
        company_duplicates.register(CompanyEntryCheck())
