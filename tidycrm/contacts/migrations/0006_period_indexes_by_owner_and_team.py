"""Indexes of the new contacts of a period by owner and by team (speed-to-lead for a sales user
or a team). The foreign keys' own single-column indexes go: the composite indexes that begin
with each of them serve the same look-ups. Dropped by name, so SQLite keeps its table rather
than copying it (what a plain AlterField does there)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tidycrm.core.migration_ops import drop_single_column_indexes

COLUMNS = ("owner_id", "team_id")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contacts", "0005_birth_month_match_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contact",
                    name="owner",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="contact",
                    name="team",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="accounts.team",
                    ),
                ),
            ],
            database_operations=[drop_single_column_indexes("contacts", "Contact", COLUMNS)],
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["owner", "created_at", "id"], name="contact_owner_created"),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["team", "created_at", "id"], name="contact_team_created"),
        ),
    ]
