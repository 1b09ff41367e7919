"""The funnel's index also holds owner and team, so a scoped user's funnel reads it alone."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0003_deal_reach_and_effort"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="deal",
            name="deal_pipeline_reach",
        ),
        migrations.AddIndex(
            model_name="deal",
            index=models.Index(
                fields=["pipeline", "created_at", "reached_position", "status", "owner", "team"],
                name="deal_funnel",
            ),
        ),
    ]
