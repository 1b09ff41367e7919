"""Search tokens indexed by (contact, token): a search whose words are all common checks each
candidate's own words in this index alone, instead of reading its token rows (at a million
contacts on PostgreSQL, "van der" read 6,726 candidates' rows in ~360 ms). The foreign key's
single-column index goes: the new index begins with its column."""

import django.db.models.deletion
from django.db import migrations, models

from tidycrm.core.migration_ops import drop_single_column_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0007_drop_second_match_key_owner_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="contactsearchtoken",
            index=models.Index(fields=["contact", "token"], name="contact_token_by_contact"),
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="contactsearchtoken",
                    name="contact",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
            ],
            database_operations=[
                drop_single_column_indexes("contacts", "ContactSearchToken", ("contact_id",))
            ],
        ),
    ]
