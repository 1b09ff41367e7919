from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "tidycrm.activities"
    label = "activities"
