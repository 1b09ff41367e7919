from django.db import migrations

from tidycrm.core.migration_ops import binary_collation


class Migration(migrations.Migration):
    dependencies = [("companies", "0001_initial")]

    operations = [binary_collation("companies_companysearchtoken", "token", 64)]
