"""The training catalogue of seed 001 §5-1 and annexe 1: referential data every environment needs,
read from fixtures/pas-de-calais/modules_formation.csv (upsert keyed by code)."""

from django.db import migrations

from label.catalogue import ensure_modules, modules


def create_modules(apps, schema_editor):
    ensure_modules(apps.get_model("label", "ModuleFormation"))


def remove_modules(apps, schema_editor):
    codes = [module["code"] for module in modules()]
    apps.get_model("label", "ModuleFormation").objects.filter(code__in=codes).delete()


class Migration(migrations.Migration):
    dependencies = [("label", "0001_initial")]

    operations = [migrations.RunPython(create_modules, remove_modules)]
