"""Speed of the portal at a Département's scale, against PostgreSQL and a real gunicorn (issue 11).

    make bench-scale                                  # factor 1 (52 700 people) in portail_scale
    BENCH_FACTOR=2 BENCH_DB=portail_scale2 make bench-scale

Steps (see BENCHMARKS.md): creates the database and runs `seed_scale` when it holds no scale data;
counts each key page's SQL queries in-process (test client); starts gunicorn (BENCH_WORKERS
workers, loopback) and times every key page and the two references — a bare signed-in view and
the base template alone — in interleaved rounds, so the shared machine's load weighs on all
alike; then grades 10 000 CERs with `grade_cer`, imports a 10 000-line orientation file (rolled
back), scans the day's reminders, renders 50 convention PDFs through a real Celery worker, and
runs locust headless (50 users across roles). Prints a
Markdown report (also written to BENCH_OUTPUT if set). Never part of the test suite.

Settings (environment): BENCH_DB (portail_scale), BENCH_FACTOR (1), BENCH_ROUNDS (15),
BENCH_WORKERS (3), BENCH_PORT (8765), BENCH_LOCUST_USERS (50), BENCH_LOCUST_TIME (120s),
BENCH_SKIP (comma-separated: pages, grade, import, reminders, pdf, locust), BENCH_REDIS (the documents'
worker's broker, redis://127.0.0.1:6379/0; a queue of its own).
"""

import csv
import datetime
import http.client
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = os.environ.get("BENCH_DB", "portail_scale")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
os.environ.setdefault("DATABASE_URL", f"{PG}/{DB_NAME}")
os.environ.setdefault("DEBUG", "1")  # in-process only (seeding, query counts); gunicorn runs with DEBUG=0
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ["BENCHMARK"] = "1"
# The scale accounts have no authenticator: the pages are measured without the two-factor step
# (a verified session costs one more query per page in production, the device's).
os.environ.setdefault("PORTAL_2FA_REQUIRED", "0")
# One key for the sessions made in-process and read by gunicorn.
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

FACTOR = float(os.environ.get("BENCH_FACTOR", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "15"))
WARMUP = 2
WORKERS = int(os.environ.get("BENCH_WORKERS", "3"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
LOCUST_USERS = int(os.environ.get("BENCH_LOCUST_USERS", "50"))
LOCUST_TIME = os.environ.get("BENCH_LOCUST_TIME", "120s")
SKIP = set(filter(None, os.environ.get("BENCH_SKIP", "").split(",")))
GRADE_CERS = 10_000
IMPORT_LINES = 10_000
BUDGETS = {"grade": 10.0, "import": 30.0, "reminders": 60.0}
DOCUMENTS = 50
# The documents' worker reads a queue of its own (nothing else is taken from, or left in, Redis).
DOCUMENTS_REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
DOCUMENTS_QUEUE = "bench-documents"


def ensure_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
            print(f"Base {DB_NAME} créée.")


ensure_database()

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.pages import (  # noqa: E402
    P95_BUDGET,
    PAGES,
    QUERY_BUDGET,
    REFERENCE_AUTH,
    REFERENCE_BASE,
    accounts,
)

LINES = []


def say(line=""):
    print(line, flush=True)
    LINES.append(line)


def seed_if_needed():
    from portal.referentiels.scale import is_loaded

    call_command("migrate", verbosity=0)
    if is_loaded():
        return
    say(f"Aucune donnée d'échelle : seed_scale --factor {FACTOR:g} (plusieurs minutes)…")
    start = time.monotonic()
    call_command("seed_scale", factor=FACTOR, stdout=io.StringIO())
    say(f"seed_scale --factor {FACTOR:g} : {time.monotonic() - start:.0f} s")


def session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


# --- Query counts (in-process) ---------------------------------------------------------------


def count_queries(pages, accts):
    counts = {}
    clients = {}
    for page in pages:
        client = clients.get(page.role)
        if client is None:
            client = clients[page.role] = Client()
            client.force_login(accts.users[page.role])
        path = page.path(accts)
        client.get(path)  # warm caches (content types, sessions) like a running server
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{page.label} ({path}) : HTTP {response.status_code}")
        counts[page.label] = len(queries)
    return counts


# --- The indicators' kept months, cold -------------------------------------------------------


def time_cold_indicators(accts):
    """The indicators keep the figures of closed months (accompagnement/gardes.py): the timed
    rounds read them warm. What a user pays when they are missing: the DPID's page after every
    kept month is forgotten (first view after a bulk load, without the nightly task), and after
    one write in the responsable's structure (the usual case during the day), for the DPID and for
    that structure. Each is measured once per repetition, under gunicorn."""
    from accompagnement import gardes

    url = "/accompagnement/indicateurs/"
    cookies = {role: session_cookie(accts.users[role]) for role in ("dpid", "responsable")}
    structure_id = accts.users["responsable"].structure_id
    results = []

    def forget_all():
        gardes.invalider()

    def forget_one():
        gardes.invalider([structure_id])

    for label, forget, role in (
        ("Indicateurs de la DPID, tous les mois à recalculer", forget_all, "dpid"),
        ("Indicateurs de la DPID après une écriture dans une structure", forget_one, "dpid"),
        ("Indicateurs de la structure après une de ses écritures", forget_one, "responsable"),
    ):
        times = []
        for _ in range(3):
            forget()
            status, elapsed = get(url, cookies[role])
            if status != 200:
                raise SystemExit(f"{label} : HTTP {status}")
            times.append(elapsed * 1000)
        get(url, cookies[role])  # leave them warm
        results.append((label, statistics.median(times)))
    return results


# --- Timing against gunicorn ------------------------------------------------------------------


def start_gunicorn():
    env = dict(
        os.environ,
        DEBUG="0",
        PYTHONWARNINGS="ignore::UserWarning",  # whitenoise: no collected static files, none requested
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        BENCHMARK="1",
    )
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "portal.wsgi",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
            "--timeout",
            "300",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            get("/sante/", None)
            return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn ne répond pas.")


def get(path, cookie):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
    headers = {"Cookie": f"sessionid={cookie}"} if cookie else {}
    start = time.perf_counter()
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    conn.close()
    return response.status, elapsed


def time_pages(pages, accts):
    cookies = {role: session_cookie(user) for role, user in accts.users.items()}
    paths = [(page, page.path(accts)) for page in pages]
    samples = {page.label: [] for page in pages}
    for round_number in range(WARMUP + ROUNDS):
        for page, path in paths:
            status, elapsed = get(path, cookies[page.role])
            if status != 200:
                raise SystemExit(f"{page.label} ({path}) : HTTP {status} sous gunicorn")
            if round_number >= WARMUP:
                samples[page.label].append(elapsed * 1000)
    return samples


def p95(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report_pages(counts, samples):
    auth_p95 = p95(samples[REFERENCE_AUTH.label])
    base_p95 = p95(samples[REFERENCE_BASE.label])
    say("| Page | Rôle | Requêtes SQL (≤ 25) | Médiane (ms) | p95 (ms) | p95 / auth | p95 / gabarit | Budget | |")
    say("|---|---|---:|---:|---:|---:|---:|---:|---|")
    misses = []
    for page in [REFERENCE_AUTH, REFERENCE_BASE, *PAGES]:
        values = samples[page.label]
        page_p95 = p95(values)
        ratio = page_p95 / base_p95
        budget = P95_BUDGET[page.kind]
        reference = page in (REFERENCE_AUTH, REFERENCE_BASE)
        ok = reference or (ratio <= budget and counts[page.label] <= QUERY_BUDGET)
        if not ok:
            misses.append(page.label)
        say(
            f"| {page.label} | {page.role} | {counts[page.label]} | {statistics.median(values):.0f} | "
            f"{page_p95:.0f} | {page_p95 / auth_p95:.1f} | {ratio:.1f} | "
            f"{'' if reference else f'≤ {budget}×'} | {'' if reference else ('✅' if ok else '❌')} |"
        )
    say()
    say(f"Pages hors budget : {', '.join(misses) if misses else 'aucune'}.")
    return misses


# --- Batch work ---------------------------------------------------------------------------------


class Rollback(Exception):
    pass


def bench_grade(accts):
    from accompagnement.models import Cer
    from label.scale import cer_content

    cers = Cer.objects.select_related("orientation__beneficiaire").prefetch_related("actions").order_by("pk")
    data = [cer_content(cer) for cer in cers[:GRADE_CERS]]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(data, handle, ensure_ascii=False)
    start, cpu = time.monotonic(), time.process_time()
    call_command("grade_cer", handle.name, stdout=io.StringIO())
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    os.unlink(handle.name)
    return f"{len(data)} CER évalués par `grade_cer`", elapsed, cpu, BUDGETS["grade"]


def orientation_file(lines):
    from portal.referentiels.models import Structure

    rng = random.Random("bench-scale")
    structures = [
        (s.siret, t.nom)
        for s in Structure.objects.filter(siret__startswith="9001").prefetch_related("territoires")
        for t in s.territoires.all()
    ]
    rows = [
        "numero_caf;nom;prenom;date_naissance;sexe;code_postal;commune;territoire;siret_structure;"
        "type_accompagnement;date_orientation"
    ]
    today = timezone.localdate()
    for n in range(lines):
        siret, territoire = rng.choice(structures)
        born = datetime.date(rng.randint(1960, 2004), rng.randint(1, 12), rng.randint(1, 28))
        oriented = today - datetime.timedelta(days=rng.randint(1, 60))
        rows.append(
            f"66{n:08d};Nom{n};Prénom;{born:%d/%m/%Y};{rng.choice('FM')};62000;Arras;{territoire};{siret};"
            f"{rng.choice(['solidarite', 'equilibre'])};{oriented:%d/%m/%Y}"
        )
    return ("\n".join(rows) + "\n").encode("utf-8")


def bench_import(accts):
    from accompagnement import imports

    raw = orientation_file(IMPORT_LINES)
    start, cpu = time.monotonic(), time.process_time()
    try:
        with transaction.atomic():
            report = imports.check_file(raw)
            imports.apply(report, user=accts.users["dpid"], partial=True)
            elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
            raise Rollback
    except Rollback:
        pass
    label = f"Import de {IMPORT_LINES} orientations (vérification et import, annulé ensuite)"
    return label, elapsed, cpu, BUDGETS["import"]


def bench_reminders(accts):
    from portal.echeances import services

    start, cpu = time.monotonic(), time.process_time()
    due = services.reminders_due(today=timezone.localdate())
    elapsed, cpu = time.monotonic() - start, time.process_time() - cpu
    return f"Balayage quotidien des échéances ({len(due)} rappels dus, à blanc)", elapsed, cpu, BUDGETS["reminders"]


def bench_documents(accts):
    """50 convention PDFs through a real Celery worker (prefork, 2 processes: one per core) fed by
    Redis, rendered by WeasyPrint and written to a temporary media folder: the time from the 50
    tasks queued to the 50 documents ready, worker already started. The documents are new versions
    of the scale conventions (drafts, never issued), deleted afterwards with their notifications."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import Max
    from django.urls import reverse

    from financement.models import Convention
    from portal.celery import app
    from portal.documents.enums import DocumentStatus
    from portal.documents.models import GeneratedDocument
    from portal.documents.tasks import render_document
    from portal.echeances.models import Notification

    conventions = list(Convention.objects.order_by("pk")[:DOCUMENTS])
    if not conventions:
        return None
    content_type = ContentType.objects.get_for_model(Convention)
    latest = dict(
        GeneratedDocument.objects.filter(content_type=content_type, kind="convention")
        .values_list("object_id")
        .annotate(v=Max("version"))
    )
    today, dpid = timezone.localdate(), accts.users["dpid"]
    documents = []
    for n in range(DOCUMENTS):
        convention = conventions[n % len(conventions)]
        version = latest.get(convention.pk, 0) + 1 + n // len(conventions)
        documents.append(
            GeneratedDocument(
                content_type=content_type,
                object_id=convention.pk,
                kind="convention",
                version=version,
                requested_by=dpid,
                date_document=today,
            )
        )
    app.conf.update(broker_url=DOCUMENTS_REDIS, result_backend=None, task_always_eager=False)
    media = tempfile.mkdtemp(prefix="bench-documents-")
    env = dict(os.environ, DEBUG="0", REDIS_URL=DOCUMENTS_REDIS, MEDIA_ROOT=media, PYTHONWARNINGS="ignore")
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "portal",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            str(os.cpu_count() or 2),
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--queues",
            DOCUMENTS_QUEUE,
        ],
        cwd=ROOT,
        env=env,
    )
    ids, tasks = [], []
    try:
        for _ in range(120):
            if app.control.ping(timeout=0.5):
                break
        else:
            raise SystemExit("Le worker Celery ne répond pas.")
        GeneratedDocument.objects.bulk_create(documents)
        ids = [document.pk for document in documents]
        start = time.monotonic()
        tasks = [render_document.apply_async((pk,), queue=DOCUMENTS_QUEUE).id for pk in ids]
        pending = GeneratedDocument.objects.filter(
            pk__in=ids, status__in=[DocumentStatus.EN_ATTENTE, DocumentStatus.EN_COURS]
        )
        while pending.exists() and time.monotonic() - start < 600:
            time.sleep(0.1)
        elapsed = time.monotonic() - start
        ready = GeneratedDocument.objects.filter(pk__in=ids, status=DocumentStatus.PRET)
        done, pages = ready.count(), sum(ready.values_list("page_count", flat=True))
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        if ids:
            links = [reverse("documents:detail", args=[pk]) for pk in ids]
            Notification.objects.filter(recipient=dpid, url__in=links).delete()
            GeneratedDocument.objects.filter(pk__in=ids).delete()
        shutil.rmtree(media, ignore_errors=True)
        # What the worker left in Redis: the tasks' results (kept a day otherwise) and the queue.
        import redis

        redis.Redis.from_url(DOCUMENTS_REDIS).delete(
            f"_kombu.binding.{DOCUMENTS_QUEUE}",
            f"_kombu.binding_permanent.{DOCUMENTS_QUEUE}",
            *[f"celery-task-meta-{task}" for task in tasks],
        )
    return done, pages, elapsed


# --- Load test ---------------------------------------------------------------------------------


def locust_plan(accts):
    """Per simulated user: a session and the pages of their role (home, lists, a record)."""
    from accompagnement.models import Orientation

    mix = ["referent"] * 6 + ["responsable"] * 2 + ["slai"] + ["dpid"]
    plan = []
    for n in range(LOCUST_USERS):
        role = mix[n % len(mix)]
        pool = accts.pools[role if role in accts.pools else "dpid"]
        user = pool[(n // len(mix)) % len(pool)]
        paths = [p.path(accts) for p in PAGES if p.role == role and not callable(p.url)]
        if role == "referent":
            people = Orientation.objects.filter(referent__user=user, date_fin__isnull=True).values_list(
                "beneficiaire_id", flat=True
            )[:20]
            paths += [f"/accompagnement/beneficiaires/{pk}/" for pk in people]
        plan.append({"role": role, "cookie": session_cookie(user), "paths": paths})
    return plan


def bench_locust(accts):
    plan = locust_plan(accts)
    with tempfile.TemporaryDirectory() as tmp:
        plan_file = Path(tmp) / "plan.json"
        plan_file.write_text(json.dumps(plan))
        command = [
            str(Path(sys.executable).with_name("locust")),
            "-f",
            str(ROOT / "benchmarks" / "locustfile.py"),
            "--headless",
            "--users",
            str(LOCUST_USERS),
            "--spawn-rate",
            "10",
            "--run-time",
            LOCUST_TIME,
            "--host",
            f"http://127.0.0.1:{PORT}",
            "--csv",
            str(Path(tmp) / "locust"),
            "--only-summary",
            "--stop-timeout",
            "10",
        ]
        subprocess.run(
            command, env=dict(os.environ, BENCH_LOCUST_PLAN=str(plan_file)), check=False, capture_output=True
        )
        with open(Path(tmp) / "locust_stats.csv", encoding="utf-8") as handle:
            rows = {row["Name"]: row for row in csv.DictReader(handle)}
    total = rows["Aggregated"]
    say(
        f"Locust, {LOCUST_USERS} utilisateurs ({LOCUST_TIME}, pauses de 1 à 3 s) : "
        f"{total['Request Count']} requêtes, {total['Failure Count']} erreur(s), "
        f"{float(total['Requests/s']):.1f} requêtes/s, médiane {total['50%']} ms, p95 {total['95%']} ms, "
        f"p99 {total['99%']} ms, max {float(total['Max Response Time']):.0f} ms."
    )
    say()
    say("| Page (locust) | Requêtes | Erreurs | Médiane (ms) | p95 (ms) |")
    say("|---|---:|---:|---:|---:|")
    for name, row in rows.items():
        if name != "Aggregated":
            say(f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} | {row['95%']} |")
    return int(total["Failure Count"])


def main():
    seed_if_needed()
    from accompagnement.models import Beneficiaire, Cer, Entretien

    started = time.monotonic()
    say(f"# Mesure à l'échelle — {timezone.localtime():%d/%m/%Y %H:%M}")
    say()
    say(
        f"Base {DB_NAME} : {Beneficiaire.objects.count()} bénéficiaires, {Cer.objects.count()} CER, "
        f"{Entretien.objects.count()} entretiens. gunicorn {WORKERS} workers, {ROUNDS} tours entrelacés "
        f"(+{WARMUP} d'échauffement), machine : {os.cpu_count()} cœurs, charge {os.getloadavg()[0]:.1f}."
    )
    say()
    accts = accounts()
    say(
        "Comptes : "
        + ", ".join(f"{role} = {user.email}" for role, user in accts.users.items())
        + f" ; dossier : bénéficiaire {accts.person_pk}."
    )
    say()
    pages = [REFERENCE_AUTH, REFERENCE_BASE, *PAGES]
    misses = []
    server = start_gunicorn()
    try:
        if "pages" not in SKIP:
            counts = count_queries(pages, accts)
            samples = time_pages(pages, accts)
            misses = report_pages(counts, samples)
            say()
            say("| Indicateurs sans leurs mois gardés | Médiane de 3 (ms) |")
            say("|---|---:|")
            for label, median in time_cold_indicators(accts):
                say(f"| {label} | {median:.0f} |")
            say()
        say("| Traitement | Durée (s) | dont calcul Python (s) | Budget (s) | |")
        say("|---|---:|---:|---:|---|")
        for name, func in (("grade", bench_grade), ("import", bench_import), ("reminders", bench_reminders)):
            if name in SKIP:
                continue
            label, elapsed, cpu, budget = func(accts)
            ok = elapsed <= budget
            misses += [] if ok else [label]
            say(f"| {label} | {elapsed:.1f} | {cpu:.1f} | {budget:.0f} | {'✅' if ok else '❌'} |")
        say()
        if "pdf" not in SKIP:
            result = bench_documents(accts)
            if result is not None:
                done, pages_rendered, elapsed = result
                if done < DOCUMENTS:
                    misses.append("documents")
                say(
                    f"Conventions en PDF par un vrai worker Celery ({os.cpu_count()} processus, Redis, WeasyPrint) : "
                    f"{done}/{DOCUMENTS} prêtes ({pages_rendered} pages) en {elapsed:.1f} s, "
                    f"soit {done / elapsed:.1f} documents/s ({60 * done / elapsed:.0f} par minute)."
                )
                say()
        if "locust" not in SKIP:
            errors = bench_locust(accts)
            if errors:
                misses.append("locust")
    finally:
        server.terminate()
        server.wait(timeout=30)
    say()
    say(f"Durée de la mesure : {time.monotonic() - started:.0f} s. Hors budget : {', '.join(misses) or 'rien'}.")
    output = os.environ.get("BENCH_OUTPUT")
    if output:
        Path(output).write_text("\n".join(LINES) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
