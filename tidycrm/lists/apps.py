from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "tidycrm.lists"
    label = "lists"
