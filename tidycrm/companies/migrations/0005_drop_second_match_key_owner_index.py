"""The match keys' owner column had two indexes: the foreign key's own and a named one. Each
key written paid for both; the foreign key's serves every look-up by owner."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("companies", "0004_company_match_keys"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="companymatchkey",
            name="company_match_key_owner",
        ),
    ]
