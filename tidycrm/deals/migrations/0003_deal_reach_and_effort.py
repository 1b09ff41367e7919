"""Derived columns the reports read: the furthest open stage each deal reached (backfilled
here from the stage history) and its activity counters (backfilled by activities 0007)."""

from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery


def backfill_reach(apps, schema_editor):
    Deal = apps.get_model("deals", "Deal")
    StageChange = apps.get_model("deals", "StageChange")
    furthest = (
        StageChange.objects.filter(deal_id=OuterRef("pk"), to_stage__kind="open")
        .order_by()
        .values("deal_id")
        .annotate(m=Max("to_stage__position"))
        .values("m")
    )
    Deal.objects.update(reached_position=Subquery(furthest))


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0002_default_pipeline"),
    ]

    operations = [
        migrations.AddField(
            model_name="deal",
            name="activity_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="deal",
            name="conversation_count",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="deal",
            name="reached_position",
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.RunPython(backfill_reach, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=[
                    "status",
                    "closed_at",
                    "pipeline",
                    "owner",
                    "team",
                    "stage",
                    "currency",
                    "amount",
                    "loss_reason",
                    "created_at",
                    "activity_count",
                    "conversation_count",
                ],
                name="deal_figures",
            ),
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["pipeline", "created_at", "reached_position", "status"],
                name="deal_pipeline_reach",
            ),
        ),
    ]
