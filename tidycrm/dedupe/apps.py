from django.apps import AppConfig


class DedupeConfig(AppConfig):
    name = "tidycrm.dedupe"
    label = "dedupe"
