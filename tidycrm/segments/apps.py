from django.apps import AppConfig


class SegmentsConfig(AppConfig):
    name = "tidycrm.segments"
    label = "segments"
