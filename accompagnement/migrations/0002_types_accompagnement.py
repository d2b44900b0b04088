"""Default kinds of accompaniment (seeds 000, 003); each Département adjusts them in the admin."""

from django.db import migrations

from accompagnement.catalogue import ensure_types


def create_types(apps, schema_editor):
    ensure_types(apps.get_model("accompagnement", "TypeAccompagnement"))


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
