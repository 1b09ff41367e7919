from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "tidycrm.reports"
    label = "reports"
