"""Speed of the calls for projects at a Département's scale, measured (never asserted in tests).

    /work/main/.venv/bin/python benchmarks/aap.py          # SQLite in /tmp, 5 000 applications
    BENCH_APPLICATIONS=20000 DATABASE_URL=postgres://… python benchmarks/aap.py

Loads the demo, adds applications in every instruction state over the nine territories, then times
the DPID's and the SLAI's queues, an application's page and the exports, with their SQL query
counts (which must not grow with the data)."""

import datetime
import io
import logging
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/portail-bench-aap.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

APPLICATIONS = int(os.environ.get("BENCH_APPLICATIONS", "5000"))
STATES = ["deposee", "recevable", "en_instruction", "avis_rendu", "proposee", "retenue", "non_retenue"]


def measure(label, func):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
    print(f"{label:<55} {elapsed * 1000:>9.0f} ms {len(queries):>6} requêtes")
    return result


def seed(count):
    """Applications to a bench call: one dispositif per 500 applications, structures × territories."""
    from decimal import Decimal

    from django.utils import timezone

    from aap.models import AppelAProjets, Candidature, Dispositif, FenetreDepot
    from portal.referentiels.models import Structure, Territoire

    appel = AppelAProjets.objects.create(annee=2030, titre="Appel de mesure", etat="publie", publie_at=timezone.now())
    FenetreDepot.objects.create(appel=appel, ouverture=datetime.date(2030, 1, 1), cloture=datetime.date(2030, 2, 1))
    dispositifs = Dispositif.objects.bulk_create(
        Dispositif(appel=appel, code=f"B.{i}", libelle=f"Dispositif {i}") for i in range(count // 100 + 1)
    )
    structures, territoires = list(Structure.objects.all()), list(Territoire.objects.all())
    now = timezone.now()
    rows, n = [], 0
    for dispositif in dispositifs:
        for structure in structures:
            for territoire in territoires:
                if n >= count:
                    break
                state = STATES[n % len(STATES)]
                proposed = state in ("proposee", "retenue")
                rows.append(
                    Candidature(
                        dispositif=dispositif,
                        structure=structure,
                        territoire=territoire,
                        etat=state,
                        deposee_at=now,
                        decision_at=now if state in ("retenue", "non_retenue") else None,
                        proposee_at=now if proposed else None,
                        montant_propose=Decimal("12000.00") if proposed else None,
                    )
                )
                n += 1
    Candidature.objects.bulk_create(rows, batch_size=1000)
    return rows[0]


def main():
    from aap.models import Candidature
    from portal.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    measure(f"Création de {APPLICATIONS} candidatures", lambda: seed(APPLICATIONS))
    sample = Candidature.objects.filter(dispositif__appel__annee=2030, territoire__code="arrageois").first()
    client = Client()
    logging.getLogger("django.request").setLevel(logging.ERROR)
    for email in ("dpid@demo.rsa62.test", "slai@demo.rsa62.test"):
        client.force_login(User.objects.get(email=email))
        for label, url in [
            ("File d'instruction", "/aap/file/"),
            ("File d'instruction, page 20", "/aap/file/?page=20"),
            ("File filtrée (en instruction)", "/aap/file/?etat=en_instruction"),
            ("Export CSV", "/aap/file/export/?format=csv"),
            ("Export XLSX", "/aap/file/export/?format=xlsx"),
            ("Page d'une candidature", f"/aap/candidatures/{sample.pk}/"),
            ("Accueil", "/"),
        ]:
            response = measure(f"{label} ({email.split('@')[0]})", lambda url=url: client.get(url))
            assert response.status_code == 200, (url, response.status_code)


if __name__ == "__main__":
    main()
