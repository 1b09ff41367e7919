from django.apps import AppConfig


class CustomfieldsConfig(AppConfig):
    name = "tidycrm.customfields"
    label = "customfields"
