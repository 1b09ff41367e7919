from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tidycrm.core"
    label = "core"

    def ready(self) -> None:
        from tidycrm.core import planner, schedule

        schedule.register("refresh-planner-statistics", planner.EVERY, planner.refresh_due)
