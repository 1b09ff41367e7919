from django.db import migrations

from tidycrm.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("contacts", "0001_initial")]

    operations = [binary_collation("contacts_contactsearchtoken", "token", 64)]
