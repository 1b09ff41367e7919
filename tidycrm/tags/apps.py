from django.apps import AppConfig


class TagsConfig(AppConfig):
    name = "tidycrm.tags"
    label = "tags"
