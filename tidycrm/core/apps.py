from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "tidycrm.core"
    label = "core"
