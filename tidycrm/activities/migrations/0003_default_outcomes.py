"""The outcomes a new installation starts with; administrators edit the list afterwards."""

from django.db import migrations

DEFAULTS = [
    ("call", "Connected", True),
    ("call", "Left voicemail", False),
    ("call", "No answer", False),
    ("call", "Busy", False),
    ("call", "Wrong number", False),
    ("meeting", "Held", True),
    ("meeting", "No-show", False),
    ("meeting", "Rescheduled", False),
]


def add_outcomes(apps, schema_editor):
    outcome = apps.get_model("activities", "Outcome")
    for order, (kind, name, connected) in enumerate(DEFAULTS):
        outcome.objects.get_or_create(
            kind=kind, name=name, defaults={"order": order, "is_connected": connected}
        )


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_deal_links")]

    operations = [migrations.RunPython(add_outcomes, migrations.RunPython.noop)]
