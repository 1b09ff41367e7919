"""The version of each calendar month of deal history (decision 0055); the months in which
existing deals were created or closed start at version 1."""

import datetime as dt

from django.db import migrations, models


def existing_months(apps, schema_editor):
    Deal = apps.get_model("deals", "Deal")
    DealMonth = apps.get_model("deals", "DealMonth")
    months = {m.date() for m in Deal.objects.datetimes("created_at", "month", tzinfo=dt.UTC)}
    closed = Deal.objects.filter(closed_at__isnull=False)
    months |= {m.date() for m in closed.datetimes("closed_at", "month", tzinfo=dt.UTC)}
    DealMonth.objects.bulk_create([DealMonth(month=m) for m in sorted(months)])


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0004_funnel_index_covers_visibility"),
    ]

    operations = [
        migrations.CreateModel(
            name="DealMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(unique=True)),
                ("version", models.PositiveBigIntegerField(default=1)),
            ],
        ),
        migrations.RunPython(existing_months, migrations.RunPython.noop),
    ]
