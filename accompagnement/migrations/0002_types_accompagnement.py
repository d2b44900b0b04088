"""Default kinds of accompaniment (seeds 000, 003); each Département adjusts them in the admin."""

from decimal import Decimal

from django.db import migrations

TYPES = [
    # code, label, places per ETP (ceiling), minimum, first appointment (days), CER (months)
    ("solidarite", "Référent solidarité", Decimal("250"), None, None, 2),
    ("equilibre", "Accompagnement équilibré social-professionnel", Decimal("70"), Decimal("55"), 15, 2),
    ("independants", "Travailleurs indépendants", Decimal("70"), None, None, 2),
]


def create_types(apps, schema_editor):
    TypeAccompagnement = apps.get_model("accompagnement", "TypeAccompagnement")
    for code, libelle, places, minimum, rdv, cer in TYPES:
        TypeAccompagnement.objects.get_or_create(
            code=code,
            defaults={
                "libelle": libelle,
                "places_par_etp": places,
                "places_par_etp_min": minimum,
                "delai_premier_rdv_jours": rdv,
                "delai_cer_mois": cer,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("accompagnement", "0001_initial")]

    operations = [migrations.RunPython(create_types, migrations.RunPython.noop)]
