"""`python manage.py export_cer --structure ID [--depuis AAAA-MM-JJ] [--signes] [--sortie FICHIER]`: a structure's
CERs as a JSON list in the exchange format (the one `grade_cer` and the label's CER deposit read). Each exported
person is written to the audit trail."""

import datetime
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accompagnement.cer_json import cer_to_json
from accompagnement.models import Cer
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.textfiles import ensure_utf8
from portal.referentiels.models import Structure


def _day(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"date invalide « {value} » (attendu : AAAA-MM-JJ)") from None


class Command(BaseCommand):
    help = (
        "Exporte les CER d'une structure au format d'échange JSON (lisible par grade_cer et par le dépôt des CER "
        "du label). Chaque personne exportée est inscrite au journal d'accès."
    )

    def add_arguments(self, parser):
        parser.add_argument("--structure", type=int, required=True, help="identifiant de la structure")
        parser.add_argument("--depuis", help="seulement les CER débutant à cette date ou après (AAAA-MM-JJ)")
        parser.add_argument("--signes", action="store_true", help="seulement les CER signés")
        parser.add_argument("--sortie", help="fichier à écrire (par défaut : la sortie standard)")

    def handle(self, *args, **options):
        for stream in (self.stdout, self.stderr):
            ensure_utf8(stream)
        structure = Structure.objects.filter(pk=options["structure"]).first()
        if structure is None:
            raise CommandError(f"structure introuvable : {options['structure']}")
        cers = (
            Cer.objects.filter(orientation__structure=structure)
            .select_related("orientation__beneficiaire")
            .prefetch_related("actions")
            .order_by("orientation__beneficiaire__numero_caf", "date_debut", "pk")
        )
        if options["depuis"]:
            cers = cers.filter(date_debut__gte=_day(options["depuis"]))
        if options["signes"]:
            cers = cers.filter(signe_le__isnull=False)
        cers = list(cers)
        content = json.dumps([cer_to_json(cer) for cer in cers], ensure_ascii=False, indent=2)
        for cer in cers:
            access_record(
                user=None,
                obj=cer.orientation.beneficiaire,
                action=Action.EXPORT,
                detail=f"{cer} exporté (commande export_cer)",
            )
        if options["sortie"]:
            Path(options["sortie"]).write_text(content + "\n", encoding="utf-8")
            self.stderr.write(f"{len(cers)} CER exporté{'s' if len(cers) > 1 else ''} dans {options['sortie']}.")
        else:
            self.stdout.write(content)
