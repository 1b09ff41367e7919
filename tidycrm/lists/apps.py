from django.apps import AppConfig

from tidycrm.core.extensions import NavItem


class ListsConfig(AppConfig):
    name = "tidycrm.lists"
    label = "lists"
    nav_items = (NavItem("Lists", "lists:index", order=35),)
