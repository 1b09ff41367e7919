"""The birth-month blocking key (given-name root with birth year and month) for contacts that
exist already: only contacts with a birthday gain keys, so only theirs are recomputed."""

from django.db import migrations

CHUNK = 2000


def add_birth_month_keys(apps, schema_editor):
    # The blocking rules are the matching library's current ones (historical models cannot
    # compute them), as `tidycrm duplicates rebuild-keys` does.
    from tidycrm.contacts.services.match_keys import refresh_match_keys

    contact = apps.get_model("contacts", "Contact")
    ids = list(
        contact.objects.filter(birthday__isnull=False).order_by("pk").values_list("pk", flat=True)
    )
    for start in range(0, len(ids), CHUNK):
        refresh_match_keys(ids[start : start + CHUNK])


class Migration(migrations.Migration):
    dependencies = [("contacts", "0004_match_keys_aliases")]

    operations = [migrations.RunPython(add_birth_month_keys, migrations.RunPython.noop)]
