"""Backfill the deals' activity and conversation counters from the links (kept from here on
by the activity services, `activities/services/effort.py`)."""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce


def backfill(apps, schema_editor):
    Deal = apps.get_model("deals", "Deal")
    ActivityDeal = apps.get_model("activities", "ActivityDeal")
    reached = Q(activity__kind__in=["conversation", "meeting"]) | Q(
        activity__kind="call", activity__outcome__is_connected=True
    )

    def count(links):
        rows = ActivityDeal.objects.filter(links, deal_id=OuterRef("pk")).order_by()
        counted = rows.values("deal_id").annotate(n=Count("id")).values("n")
        return Coalesce(Subquery(counted), Value(0), output_field=IntegerField())

    Deal.objects.update(activity_count=count(Q()), conversation_count=count(reached))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_notification_activity"),
        ("deals", "0003_deal_reach_and_effort"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
