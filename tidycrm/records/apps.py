from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "tidycrm.records"
    label = "records"
    verbose_name = "Record entry"
