"""Data at a Département's scale (`seed_scale`) and the bulk-load helpers behind it.

Each room or domain registers a seeder from its AppConfig.ready() (like the demo loaders of
portal/core/demo.py); `seed_scale` runs them in order with one shared `ScaleContext`: the factor,
one random generator per seeder (derived from the seed, so adding a seeder does not change the
data of the others), "today", and what earlier seeders produced (`ctx.shared`). A seeder returns a
short French summary. Calls for projects and funding add theirs the same way.

Bulk loads end with `analyze_tables`: right after a load PostgreSQL's planner has no statistics on
the new rows (autovacuum comes later) and picks nested loops over tens of thousands of rows — the
132 s "Échéances" pages of issue 11.
"""

import contextlib
import datetime
import operator
import random
import time
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

DEFAULT_BATCH = 2000


@dataclass(frozen=True)
class Seeder:
    order: int
    name: str
    func: object


_seeders: dict[str, Seeder] = {}


def register(name, order):
    def decorator(func):
        _seeders[name] = Seeder(order=order, name=name, func=func)
        return func

    return decorator


def autodiscover():
    """Import `<app>.scale` of every installed app that has one (the seeders register on import):
    a domain adds its data by adding that module, as calls for projects and funding do."""
    import importlib
    import importlib.util

    from django.apps import apps

    for app in apps.get_app_configs():
        name = f"{app.name}.scale"
        if importlib.util.find_spec(name) is not None:
            importlib.import_module(name)


def seeders():
    autodiscover()
    return sorted(_seeders.values(), key=lambda seeder: seeder.order)


@dataclass
class ScaleContext:
    factor: float
    seed: int
    today: object
    out: object = None  # a callable printing one line of progress
    shared: dict = field(default_factory=dict)
    filled: set = field(default_factory=set)  # models written, for ANALYZE
    counts: dict = field(default_factory=dict)  # model label -> rows written

    def rng(self, name: str) -> random.Random:
        # Deterministic synthetic data for the benchmark, not a secret.
        return random.Random(f"{self.seed}-{name}")  # nosec B311

    def scaled(self, number: int, minimum: int = 1) -> int:
        return max(minimum, round(number * self.factor))

    def say(self, message: str):
        if self.out:
            self.out(message)

    def insert(self, model, objs, batch_size=DEFAULT_BATCH):
        """Bulk-insert `objs` (primary keys set on PostgreSQL and SQLite), counted for the
        summary and remembered for ANALYZE."""
        objs = list(objs)
        if not objs:
            return objs
        start = time.monotonic()
        if connection.vendor == "postgresql":
            copy_insert(model, objs)
        else:
            model.objects.bulk_create(objs, batch_size=batch_size)
        self.filled.add(model)
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + len(objs)
        elapsed = time.monotonic() - start
        if len(objs) >= 5000:
            self.say(f"    {len(objs):>9} {model._meta.verbose_name_plural} ({elapsed:.1f} s)")
        return objs

    def update(self, model, objs, fields, batch_size=DEFAULT_BATCH):
        objs = list(objs)
        if objs:
            model.objects.bulk_update(objs, fields, batch_size=batch_size)
            self.filled.add(model)
        return objs


def _copy_getters(fields):
    """One function per column turning an object's attribute into what COPY writes. psycopg
    adapts dates, numbers, text and booleans itself: only the fields whose Python value is not the
    column's (JSON, auto_now stamps, custom types) go through Django's conversion — the per-row
    `get_db_prep_save` of every field was most of the Python time of seed_scale."""
    from django.db import models

    plain = (
        models.AutoField,
        models.BigAutoField,
        models.BooleanField,
        models.CharField,
        models.DateField,  # DateTimeField too (aware datetimes)
        models.DecimalField,
        models.IntegerField,
        models.TextField,
        models.ForeignKey,
    )
    getters = []
    for f in fields:
        special = getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        if isinstance(f, plain) and not special and not isinstance(f, (models.FileField, models.JSONField)):
            getters.append(operator.attrgetter(f.attname))
        else:
            getters.append(lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), connection))
    return getters


def _relink(objs, fields):
    """Foreign keys to objects inserted just before: take their new ids (what Django's
    `_prepare_related_fields_for_save` does, for the cached relations only)."""
    links = [(f.attname, f.cache_name) for f in fields if f.is_relation and (f.many_to_one or f.one_to_one)]
    for obj in objs:
        cache, values = obj._state.fields_cache, obj.__dict__
        for attname, name in links:
            related = cache.get(name)
            if related is not None and values.get(attname) != related.pk:
                # Not setattr: the descriptor would drop the cached object, and every later
                # `row.orientation` would cost a query (68 s of the factor-0.1 profile).
                values[attname] = related.pk


def copy_insert(model, objs):
    """Insert `objs` with PostgreSQL's COPY, their primary keys drawn from the table's sequence
    first (so rows inserted later can point to them, as with bulk_create). About three times
    faster than multi-row INSERTs for the hundreds of thousands of rows of factor 1."""
    opts = model._meta
    fields = list(opts.concrete_fields)
    quote = connection.ops.quote_name
    _relink(objs, fields)
    getters = _copy_getters(fields)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [opts.db_table, opts.pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(quote(f.column) for f in fields)
        alias = connection.alias
        with cursor.cursor.copy(f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN") as copy:
            for obj, pk in zip(objs, ids, strict=True):
                obj.pk = pk
                copy.write_row([get(obj) for get in getters])
                obj._state.adding, obj._state.db = False, alias


def at(day, hour=10):
    """An aware datetime on `day` (Paris time), for timestamps of the generated history."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=timezone.get_current_timezone())


@contextlib.contextmanager
def historical(model, *names):
    """Let bulk inserts keep the dates given to auto_now_add fields (a year of history)."""
    fields = [model._meta.get_field(name) for name in names]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


def analyze_tables(models, *, vacuum=False) -> list[str]:
    """ANALYZE the tables of `models` (and their many-to-many tables) on PostgreSQL, so the planner
    knows their size right after a bulk load. Does nothing on other databases. Returns the tables.

    `vacuum` (outside a transaction only: `seed_scale`): VACUUM (ANALYZE), which also marks the
    freshly written pages all-visible, so that covering indexes answer alone (index-only scans) as
    they do on a database that autovacuum has visited — the steady state the benchmark measures."""
    if connection.vendor != "postgresql":
        return []
    tables = []
    for model in models:
        tables.append(model._meta.db_table)
        tables.extend(
            m2m.remote_field.through._meta.db_table
            for m2m in model._meta.local_many_to_many
            if m2m.remote_field.through._meta.auto_created
        )
    tables = sorted(set(tables))
    if tables:
        with connection.cursor() as cursor:  # one statement (PostgreSQL >= 11 takes a list)
            command = "VACUUM (ANALYZE) " if vacuum and not connection.in_atomic_block else "ANALYZE "
            cursor.execute(command + ", ".join(connection.ops.quote_name(table) for table in tables))
    return tables
