"""The match keys' owner column had two indexes: the foreign key's own and a named one. Each
key written paid for both; the foreign key's serves every look-up by owner."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0006_period_indexes_by_owner_and_team"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contactmatchkey",
            name="contact_match_key_owner",
        ),
    ]
