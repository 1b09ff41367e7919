from django.apps import AppConfig

from tidycrm.core.extensions import NavItem


class ReportsConfig(AppConfig):
    name = "tidycrm.reports"
    label = "reports"
    nav_items = (NavItem("Reports", "reports:dashboard", order=60),)
