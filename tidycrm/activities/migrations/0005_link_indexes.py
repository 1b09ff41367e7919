"""Drop the link tables' single-column foreign-key indexes: (record, at, activity) and the
unique (activity, record) already serve every look-up. Only the indexes are dropped (an
AlterField would rebuild each table on SQLite and re-check every foreign key on PostgreSQL)."""

import django.db.models.deletion
from django.db import migrations, models


LINKS = {
    "activitycontact": ("activity", "contact"),
    "activitycompany": ("activity", "company"),
    "activitydeal": ("activity", "deal"),
}


def _indexes(apps, schema_editor):
    for model_name, fields in LINKS.items():
        model = apps.get_model("activities", model_name)
        table = model._meta.db_table
        for name in fields:
            column = model._meta.get_field(name).column
            yield table, column, schema_editor._create_index_name(table, [column], suffix="")


def drop_indexes(apps, schema_editor):
    for _, _, index in _indexes(apps, schema_editor):
        schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(index)}")


def create_indexes(apps, schema_editor):
    for table, column, index in _indexes(apps, schema_editor):
        schema_editor.execute(
            f"CREATE INDEX {schema_editor.quote_name(index)} ON "
            f"{schema_editor.quote_name(table)} ({schema_editor.quote_name(column)})"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_visible_link_relations"),
        ("companies", "0003_hygiene_fields"),
        ("contacts", "0004_match_keys_aliases"),
        ("deals", "0002_default_pipeline"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_indexes, create_indexes)],
            state_operations=[
                migrations.AlterField(
                    model_name="activitycompany",
                    name="activity",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="company_links",
                        to="activities.activity",
                    ),
                ),
                migrations.AlterField(
                    model_name="activitycompany",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_links",
                        to="companies.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="activitycontact",
                    name="activity",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="contact_links",
                        to="activities.activity",
                    ),
                ),
                migrations.AlterField(
                    model_name="activitycontact",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_links",
                        to="contacts.contact",
                    ),
                ),
                migrations.AlterField(
                    model_name="activitydeal",
                    name="activity",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="deal_links",
                        to="activities.activity",
                    ),
                ),
                migrations.AlterField(
                    model_name="activitydeal",
                    name="deal",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="activity_links",
                        to="deals.deal",
                    ),
                ),
            ],
        ),
    ]
