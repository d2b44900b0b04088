# The person's territory kept on each orientation, so that a SLAI's caseload and "À traiter" read
# their territory's orientations from an index; the archived people in a partial index.

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each orientation takes its person's territory (one UPDATE)."""
    Orientation = apps.get_model("accompagnement", "Orientation")
    Beneficiaire = apps.get_model("accompagnement", "Beneficiaire")
    Orientation.objects.update(
        territoire_id=Subquery(Beneficiaire.objects.filter(pk=OuterRef("beneficiaire_id")).values("territoire_id")[:1])
    )


class Migration(migrations.Migration):

    dependencies = [
        ("accompagnement", "0016_indicateurs_gardes"),
        ("referentiels", "0002_referent_coaching_familial"),
    ]

    operations = [
        migrations.AddField(
            model_name="orientation",
            name="territoire",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referentiels.territoire",
                verbose_name="territoire de la personne (SLAI)",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="orientation",
            name="territoire",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="referentiels.territoire",
                verbose_name="territoire de la personne (SLAI)",
            ),
        ),
        migrations.RemoveIndex(
            model_name="orientation",
            name="orientation_scope",
        ),
        migrations.AddIndex(
            model_name="orientation",
            index=models.Index(
                fields=["id"], include=("beneficiaire", "date_fin", "territoire"), name="orientation_scope"
            ),
        ),
        migrations.AddIndex(
            model_name="orientation",
            index=models.Index(fields=["territoire", "date_orientation"], name="orientation_territoire_date"),
        ),
        migrations.AddIndex(
            model_name="orientation",
            index=models.Index(
                condition=models.Q(("date_fin__isnull", True)),
                fields=["territoire", "date_orientation", "id"],
                include=("beneficiaire",),
                name="orientation_active_territoire",
            ),
        ),
        migrations.AddIndex(
            model_name="beneficiaire",
            index=models.Index(
                condition=models.Q(("archive_le__isnull", False)), fields=["id"], name="beneficiaire_archivee"
            ),
        ),
    ]
