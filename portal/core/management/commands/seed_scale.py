import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from portal.core import scale
from portal.referentiels.demo import load as load_referentiels
from portal.referentiels.scale import EMAIL_DOMAIN, is_loaded


class Command(BaseCommand):
    help = (
        "Charge un jeu de données à l'échelle d'un Département (52 700 bénéficiaires au facteur 1), "
        "déterministe à partir de la graine, par insertions groupées, puis met à jour les statistiques "
        "de PostgreSQL (ANALYZE). Sur une base vide ; refusé lorsque DEBUG est désactivé."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--factor",
            type=float,
            default=1.0,
            help="Facteur d'échelle (1 : Pas-de-Calais, 2 : le plus grand Département).",
        )
        parser.add_argument(
            "--seed", type=int, default=62, help="Graine du générateur (même graine, même jour : mêmes données)."
        )
        parser.add_argument(
            "--seulement",
            default="",
            help="Sur une base déjà chargée, ajouter seulement les données de ces applications (séparées par "
            "des virgules, par exemple « aap,financement » : un domaine arrivé après le chargement).",
        )

    def handle(self, *args, factor, seed, seulement="", **options):
        if not (settings.DEBUG or settings.DEMO_MODE):
            raise CommandError(
                "Les comptes créés partagent le mot de passe public de démonstration : lancez avec DEBUG=1."
            )
        if factor <= 0:
            raise CommandError("Le facteur doit être strictement positif.")
        only = [name.strip() for name in seulement.split(",") if name.strip()]
        if only and not is_loaded():
            raise CommandError("--seulement complète une base déjà chargée : lancez d'abord seed_scale sans.")
        if is_loaded() and not only:
            raise CommandError("Des données d'échelle sont déjà chargées : partez d'une base vide.")
        started, cpu = time.monotonic(), time.process_time()
        # The nine territories and their DPID sectors (and the demo's few structures) come from the
        # demo referentials; the demo's accounts and caseloads are not needed here.
        if not only:
            self.stdout.write(f"- Territoires : {load_referentiels()}")
        ctx = scale.ScaleContext(factor=factor, seed=seed, today=timezone.localdate(), out=self.stdout.write)
        chosen = [
            seeder
            for seeder in scale.seeders()
            if not only or any(seeder.func.__module__.split(".")[0] == name for name in only)
        ]
        with transaction.atomic():
            for seeder in chosen:
                step = time.monotonic()
                self.stdout.write(f"- {seeder.name}…")
                summary = seeder.func(ctx)
                self.stdout.write(f"  {summary} ({time.monotonic() - step:.0f} s)")
        tables = scale.analyze_tables(ctx.filled, vacuum=True)
        if tables:
            self.stdout.write(f"VACUUM (ANALYZE) de {len(tables)} tables.")
        total = sum(ctx.counts.values())
        self.stdout.write(
            self.style.SUCCESS(
                f"{total} lignes insérées en {time.monotonic() - started:.0f} s, "
                f"dont {time.process_time() - cpu:.0f} s de calcul Python (facteur {factor:g}, graine {seed})."
            )
        )
        self.stdout.write(
            f"Comptes : referent0001@{EMAIL_DOMAIN}, responsable001@…, slai-arrageois@…, dpid@… "
            "(mot de passe de démonstration)."
        )
