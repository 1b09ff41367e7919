from django.apps import AppConfig

from tidycrm.core.extensions import NavItem, RecordPanel


class ActivitiesConfig(AppConfig):
    name = "tidycrm.activities"
    label = "activities"
    nav_items = (NavItem("My day", "activities:my_day", order=20),)
    record_panels = (
        RecordPanel("contact", "activities:contact_panel", order=10),
        RecordPanel("company", "activities:company_panel", order=10),
        RecordPanel("deal", "activities:deal_panel", order=10),
    )

    def ready(self) -> None:
        from tidycrm.activities import timeline
        from tidycrm.activities.services import alerts, reactions

        timeline.register_sources()
        alerts.register_periodic()
        reactions.subscribe()
