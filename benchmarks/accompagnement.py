"""Speed of the accompaniment at a Département's scale, measured (never asserted in tests).

    make bench                      # SQLite in /tmp, 10 000 orientations
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portail_bench make bench

Loads the demo referentials, imports a 10 000-line orientations file through the same code as the
browser and `import_orientations`, then times the pages people open every day on that volume and
prints their SQL query counts (which must not grow with the data)."""

import datetime
import io
import logging
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("PORTAL_DEMO", "1")  # load_demo and the demo accounts
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/portail-bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

LINES = int(os.environ.get("BENCH_LINES", "10000"))


def measure(label, func):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = func()
        elapsed = time.perf_counter() - start
    print(f"{label:<55} {elapsed * 1000:>9.0f} ms {len(queries):>6} requêtes")
    return result


def orientation_file(lines):
    from portal.referentiels.models import Structure

    rng = random.Random("bench")
    structures = [
        (s.siret, t.nom) for s in Structure.objects.prefetch_related("territoires") for t in s.territoires.all()
    ]
    rows = [
        "numero_caf;nom;prenom;date_naissance;sexe;code_postal;commune;territoire;siret_structure;"
        "type_accompagnement;date_orientation"
    ]
    today = datetime.date.today()
    for n in range(lines):
        siret, territoire = rng.choice(structures)
        born = datetime.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        oriented = today - datetime.timedelta(days=rng.randint(1, 700))
        rows.append(
            f"77{n:08d};Nom{n};Prénom;{born:%d/%m/%Y};{rng.choice('FM')};62000;Arras;{territoire};{siret};"
            f"{rng.choice(['solidarite', 'equilibre'])};{oriented:%d/%m/%Y}"
        )
    return ("\n".join(rows) + "\n").encode("utf-8")


def main():
    from accompagnement import imports
    from portal.accounts.models import User

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0, stdout=io.StringIO())
    raw = orientation_file(LINES)
    report = measure(f"Vérification d'un fichier de {LINES} lignes", lambda: imports.check_file(raw))
    dpid = User.objects.get(email="dpid@demo.rsa62.test")
    result = measure(f"Import de {LINES} lignes (par lots)", lambda: imports.apply(report, user=dpid, partial=True))
    print("  " + " ; ".join(result.summary()))
    client = Client()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # pages a role may not open answer 403
    for email in (
        "dpid@demo.rsa62.test",
        "slai@demo.rsa62.test",
        "responsable@demo.rsa62.test",
        "referent@demo.rsa62.test",
    ):
        client.force_login(User.objects.get(email=email))
        for label, url in PAGES:
            response = measure(f"{label} ({email.split('@')[0]})", lambda url=url: client.get(url))
            assert response.status_code in (200, 403), (url, response.status_code)


PAGES = [
    ("File active", "/accompagnement/"),
    ("File active, page 20", "/accompagnement/?page=20"),
    ("Indicateurs (12 mois)", "/accompagnement/indicateurs/"),
    ("Indicateurs, export XLSX", "/accompagnement/indicateurs/export/?format=xlsx"),
    ("Personnes derrière les entrées", "/accompagnement/indicateurs/personnes/?population=entrees"),
    ("Reporting mensuel", "/accompagnement/reporting/"),
    ("À traiter (SLAI, DPID)", "/accompagnement/a-traiter/"),
    ("Échéances", "/echeances/"),
]

if __name__ == "__main__":
    main()
