from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from portal.core import demo


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent). Refusé hors du mode démonstration (PORTAL_DEMO=1)."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError(
                "Les données et comptes de démonstration ne peuvent être créés qu'en mode démonstration "
                "(leurs mots de passe sont publics). Lancez : make demo, ou PORTAL_DEMO=1 python manage.py load_demo"
            )
        with transaction.atomic():
            for loader in demo.loaders():
                summary = loader.func()
                self.stdout.write(f"- {loader.name} : {summary}")
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {demo.DEMO_PASSWORD}) :")
        from portal.accounts.demo import DEMO_ACCOUNTS

        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account['email']:<32} {account['description']}")
