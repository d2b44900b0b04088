# The parent's orientation kept on each renewal request (the CER's) and suspension procedure (the
# interview's), so that the SLAI's pending rows are read with their orientation from one index (no
# probe of the CER or interview of each pending row of the Département).

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill(apps, schema_editor):
    """Each request takes its CER's orientation, each procedure its interview's (one UPDATE each)."""
    for model, parent, column in (
        ("DemandeRenouvellement", "Cer", "cer_id"),
        ("ProcedureSuspension", "Entretien", "entretien_id"),
    ):
        Parent = apps.get_model("accompagnement", parent)
        apps.get_model("accompagnement", model).objects.update(
            orientation_id=Subquery(Parent.objects.filter(pk=OuterRef(column)).values("orientation_id")[:1])
        )


class Migration(migrations.Migration):

    dependencies = [
        ("accompagnement", "0017_orientation_territoire"),
    ]

    operations = [
        migrations.AddField(
            model_name="demanderenouvellement",
            name="orientation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="demandes_renouvellement",
                to="accompagnement.orientation",
            ),
        ),
        migrations.AddField(
            model_name="proceduresuspension",
            name="orientation",
            field=models.ForeignKey(
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="procedures_suspension",
                to="accompagnement.orientation",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="proceduresuspension",
            name="orientation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="procedures_suspension",
                to="accompagnement.orientation",
            ),
        ),
        migrations.RemoveIndex(
            model_name="proceduresuspension",
            name="procedure_a_traiter",
        ),
        migrations.AddIndex(
            model_name="proceduresuspension",
            index=models.Index(
                condition=models.Q(("traitee_le__isnull", True)),
                fields=["ouverte_le", "id"],
                include=("orientation",),
                name="procedure_a_traiter",
            ),
        ),
        migrations.AlterField(
            model_name="demanderenouvellement",
            name="orientation",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="demandes_renouvellement",
                to="accompagnement.orientation",
            ),
        ),
        migrations.RemoveIndex(
            model_name="demanderenouvellement",
            name="renouvellement_depose",
        ),
        migrations.AddIndex(
            model_name="demanderenouvellement",
            index=models.Index(
                condition=models.Q(("etat", "deposee")),
                fields=["date_demande", "id"],
                include=("orientation",),
                name="renouvellement_depose",
            ),
        ),
    ]
