import hashlib
import json

from django.db import migrations, models


def fill_fingerprints(apps, schema_editor):
    CerAnonymise = apps.get_model("label", "CerAnonymise")
    for cer in CerAnonymise.objects.all().iterator():
        canonical = json.dumps(cer.contenu, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        cer.empreinte = hashlib.sha256(canonical.encode()).hexdigest()
        cer.save(update_fields=["empreinte"])


class Migration(migrations.Migration):
    dependencies = [("label", "0004_charte_qualite")]

    operations = [
        migrations.RemoveConstraint(model_name="ceranonymise", name="cer_anonymise_unique"),
        migrations.AddField(
            model_name="ceranonymise",
            name="empreinte",
            field=models.CharField(default="", max_length=64, verbose_name="empreinte du contenu"),
            preserve_default=False,
        ),
        migrations.RunPython(fill_fingerprints, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="ceranonymise",
            constraint=models.UniqueConstraint(fields=("referent", "empreinte"), name="cer_anonymise_unique"),
        ),
    ]
