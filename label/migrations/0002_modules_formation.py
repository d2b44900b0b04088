"""The training catalogue of seed 001 §5-1 and annexe 1: referential data every environment needs."""

from django.db import migrations

from label.catalogue import MODULES, ensure_modules



def create_modules(apps, schema_editor):
    ensure_modules(apps.get_model("label", "ModuleFormation"))


def remove_modules(apps, schema_editor):
    apps.get_model("label", "ModuleFormation").objects.filter(code__in=[m[0] for m in MODULES]).delete()


class Migration(migrations.Migration):
    dependencies = [("label", "0001_initial")]

    operations = [migrations.RunPython(create_modules, remove_modules)]
