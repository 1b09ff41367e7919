from django.apps import AppConfig


class IntakeConfig(AppConfig):
    name = "tidycrm.intake"
    label = "intake"
    verbose_name = "Import"
