from django.apps import AppConfig

from tidycrm.core.extensions import NavItem


class ReportsConfig(AppConfig):
    name = "tidycrm.reports"
    label = "reports"
    nav_items = (NavItem("Reports", "reports:dashboard", order=60),)

    def ready(self) -> None:
        from tidycrm.core import schedule
        from tidycrm.reports import training
        from tidycrm.reports.services import rollups

        schedule.register("retrain-forecast", training.EVERY, training.retrain_due)
        schedule.register("build-month-figures", rollups.EVERY, rollups.build_due)
