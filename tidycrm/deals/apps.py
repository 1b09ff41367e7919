from django.apps import AppConfig


class DealsConfig(AppConfig):
    name = "tidycrm.deals"
    label = "deals"
