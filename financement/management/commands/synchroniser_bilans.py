from django.core.management.base import BaseCommand

from financement import bilans
from financement.models import Convention


class Command(BaseCommand):
    help = (
        "Crée les bilans dus des conventions signées (conventions signées avant l'arrivée des bilans dans le "
        "portail) et reporte sur les bilans encore à produire les périodes changées par un avenant. Sans effet "
        "la seconde fois."
    )

    def handle(self, *args, **options):
        total = 0
        for convention in Convention.objects.signees().order_by("pk"):
            total += len(bilans.synchroniser(convention))
        self.stdout.write(f"{total} bilan(s) à jour pour les conventions signées.")
