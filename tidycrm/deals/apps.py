from django.apps import AppConfig

from tidycrm.core.extensions import NavItem, RecordPanel


class DealsConfig(AppConfig):
    name = "tidycrm.deals"
    label = "deals"
    nav_items = (NavItem("Deals", "deals:board_default", order=30),)
    record_panels = (
        RecordPanel("contact", "deals:contact_panel", order=20),
        RecordPanel("company", "deals:company_panel", order=20),
    )

    def ready(self) -> None:
        from tidycrm.deals.timeline import register_sources

        register_sources()
