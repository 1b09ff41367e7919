"""A first pipeline and loss reasons, so a new installation can log deals at once; admins
rename, reorder or replace them on the pipeline settings page."""

from django.db import migrations

STAGES = [
    ("Qualification", 10, "open"),
    ("Needs analysis", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]
LOSS_REASONS = [
    "Price",
    "Lost to a competitor",
    "No budget",
    "No decision",
    "Timing",
    "Product fit",
    "Stopped responding",
]


def create(apps, schema_editor):
    Pipeline = apps.get_model("deals", "Pipeline")
    Stage = apps.get_model("deals", "Stage")
    LossReason = apps.get_model("deals", "LossReason")
    if not Pipeline.objects.exists():
        pipeline = Pipeline.objects.create(name="Sales", position=0)
        for position, (name, probability, kind) in enumerate(STAGES):
            Stage.objects.create(
                pipeline=pipeline, name=name, position=position, probability=probability, kind=kind
            )
    if not LossReason.objects.exists():
        for position, name in enumerate(LOSS_REASONS):
            LossReason.objects.create(name=name, position=position)


class Migration(migrations.Migration):
    dependencies = [("deals", "0001_initial")]

    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
