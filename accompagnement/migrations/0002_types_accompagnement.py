"""Default kinds of accompaniment (seeds 000, 003) read from fixtures/pas-de-calais/types_accompagnement.csv;
each Département adjusts them in the admin (get_or_create keyed by code: adjustments are kept)."""

from django.db import migrations

from accompagnement.catalogue import ensure_types


def create_types(apps, schema_editor):
    ensure_types(apps.get_model("accompagnement", "TypeAccompagnement"))


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
