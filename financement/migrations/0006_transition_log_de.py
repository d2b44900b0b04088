from django.db import migrations


class Migration(migrations.Migration):
    """The transition logs adopt `portal.core.transitions.TransitionLog`: `depuis` becomes `de`."""

    dependencies = [("financement", "0005_bilans_candidature_regle")]

    operations = [
        migrations.RenameField(model_name="transitionacte", old_name="depuis", new_name="de"),
        migrations.RenameField(model_name="transitionbilan", old_name="depuis", new_name="de"),
    ]
