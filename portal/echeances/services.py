import logging
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from types import SimpleNamespace

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import IntegrityError, connections, transaction
from django.db.models import BooleanField, Case, Count, IntegerField, Q, Sum, Value, When, Window
from django.utils import timezone

from portal.core.formats import format_date
from portal.echeances import registry
from portal.echeances.models import Notification, PreferenceNotification, Rappel

logger = logging.getLogger(__name__)
HOME_HORIZON_DAYS = 30


def wants_digest(user) -> bool:
    return PreferenceNotification.objects.filter(user=user, resume_quotidien=True).exists()


def notify(*, recipient, title, body, url="", reason="", rappel=None, email=True) -> Notification:
    """An in-app notification; its e-mail leaves after commit unless the person chose the
    daily digest (then the digest task sends it)."""
    from portal.echeances.tasks import send_notification_email

    notification = Notification.objects.create(
        recipient=recipient, title=title, body=body, url=url, reason=reason, rappel=rappel, wants_email=email
    )
    if email and not wants_digest(recipient):
        send_notification_email.delay_on_commit(notification.pk)
    return notification


def applicable_offset(echeance, due: date, today: date) -> int | None:
    """The latest offset already reached today: a deadline discovered late sends one reminder,
    not all the earlier ones at once."""
    reached = [offset for offset in echeance.offsets if due + timedelta(days=offset) <= today]
    return max(reached) if reached else None


def offset_label(offset: int) -> str:
    """-15 → "J-15", 0 → "jour J", 7 → "J+7"."""
    return "jour J" if offset == 0 else f"J{offset:+d}"


def _days(n: int) -> str:
    return f"{n} jour{'s' if n > 1 else ''}"


def reminder_text(echeance, obj, due: date, today: date, *, public=False) -> tuple[str, str]:
    days = (due - today).days
    what = echeance.describe_public(obj) if public else echeance.describe(obj)
    when = format_date(due)
    if days > 0:
        title = f"Échéance dans {_days(days)} : {what}"
        detail = f"échéance le {when}, dans {_days(days)}"
    elif days == 0:
        title = f"Échéance aujourd'hui : {what}"
        detail = f"échéance aujourd'hui, {when}"
    else:
        title = f"Échéance dépassée de {_days(-days)} : {what}"
        detail = f"échéance dépassée depuis {_days(-days)} (elle était fixée au {when})"
    return title[:200], f"{echeance.rule(obj)}.\n{what} : {detail}."


@dataclass(frozen=True)
class DueReminder:
    echeance: object
    obj: object
    due_date: date
    offset: int
    recipient: object


def reminders_due(*, today: date) -> list[DueReminder]:
    """What the daily run would send today (met deadlines and reminders already sent excluded)."""
    due_reminders = []
    for echeance in registry.all_echeances():
        for obj in echeance.candidates(today):
            if echeance.is_met(obj):  # obj comes fresh from the database
                continue
            due = echeance.due_date(obj)
            offset = applicable_offset(echeance, due, today)
            if offset is None:
                continue
            content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
            already = set(
                Rappel.objects.filter(
                    code=echeance.code, content_type=content_type, object_id=obj.pk, offset_days=offset, due_date=due
                ).values_list("recipient_id", flat=True)
            )
            due_reminders.extend(
                DueReminder(echeance=echeance, obj=obj, due_date=due, offset=offset, recipient=recipient)
                for recipient in echeance.recipients(obj)
                if recipient.pk not in already
            )
    return due_reminders


def reminders_send_due(*, today: date | None = None) -> int:
    """Send each due reminder exactly once per deadline, object, recipient and offset.

    Safe to run twice, or on two workers at once: the unique constraint on `Rappel` decides who
    sends, and a met deadline sends nothing.
    """
    today = today or timezone.localdate()
    sent = 0
    for reminder in reminders_due(today=today):
        echeance, obj = reminder.echeance, reminder.obj
        title, body = reminder_text(echeance, obj, reminder.due_date, today)
        try:
            with transaction.atomic():
                rappel = Rappel.objects.create(
                    code=echeance.code,
                    content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
                    object_id=obj.pk,
                    recipient=reminder.recipient,
                    offset_days=reminder.offset,
                    due_date=reminder.due_date,
                )
                notify(
                    recipient=reminder.recipient,
                    title=title,
                    body=body,
                    url=echeance.url(obj),
                    reason=f"Rappel automatique ({offset_label(reminder.offset)}) : {echeance.rule(obj)}.",
                    rappel=rappel,
                )
        except IntegrityError:
            continue  # sent meanwhile by another worker
        sent += 1
    return sent


def _target(notification: Notification):
    """(deadline, object as it is now) of a reminder's notification, read once per notification;
    (None, None) when the deadline is no longer declared or the object is gone."""
    if not hasattr(notification, "_target_cache"):
        rappel, target = notification.rappel, (None, None)
        try:
            echeance = registry.get(rappel.code)
        except KeyError:
            echeance = None
        if echeance is not None:
            target = (echeance, rappel.content_type.model_class()._default_manager.filter(pk=rappel.object_id).first())
        notification._target_cache = target
    return notification._target_cache


def still_relevant(notification: Notification) -> bool:
    """Re-check the deadline at send time: nothing leaves about a deadline already met."""
    if notification.rappel is None:
        return True
    echeance, obj = _target(notification)
    return obj is not None and not echeance.is_met(obj)


def items_for(user, *, today: date | None = None, horizon_days: int | None = HOME_HORIZON_DAYS):
    """Open deadlines in the user's scope: overdue first, then the next ones within the horizon."""
    today = today or timezone.localdate()
    until = None if horizon_days is None else today + timedelta(days=horizon_days)
    items = []
    for echeance in registry.all_echeances():
        for obj in echeance.visible(user, today, until):
            if echeance.is_met(obj):
                continue
            due = echeance.due_date(obj)
            if until is None or due <= until:
                items.append(registry.Item(echeance=echeance, obj=obj, due_date=due, today=today))
    return sorted(items, key=lambda item: (item.due_date, item.label))


@dataclass
class Summary:
    """What a home panel shows of the open deadlines: how many are overdue, how many come within
    the horizon, and the first few (overdue first)."""

    overdue: int
    upcoming: int
    first: list


def summary_for(user, *, first: int, today: date | None = None, horizon_days: int = HOME_HORIZON_DAYS) -> Summary:
    """The home panel's figures without loading every open deadline: the presence test (one
    query), then at most one query per deadline it finds, whatever the number of rows. A deadline
    with `due_order` returns only its first `first` objects,
    with its two counts computed over all of them in the same query (window aggregates); the
    others are read as `items_for` does."""
    today = today or timezone.localdate()
    until = today + timedelta(days=horizon_days)
    overdue = upcoming = 0
    items = []
    batches = {}
    echeances = registry.all_echeances()
    # The presence test first (one query, as items_page): most deadlines are empty for a given
    # person, and each would cost its own query.
    absent = _absent(user, echeances, today, until)
    for echeance in echeances:
        if echeance.code in absent:
            continue
        if echeance.batch and echeance.due_order and echeance.due_fields:
            parts = echeance.batch_parts(user, today, until)
            if parts is not None:
                batches.setdefault(echeance.batch, []).append((echeance, *parts))
            continue
        found = echeance.visible(user, today, until)
        if _is_empty(found):
            continue
        if echeance.due_order and hasattr(found, "annotate"):
            late = Case(When(echeance.overdue_q(today), then=Value(1)), default=Value(0), output_field=IntegerField())
            rows = list(
                found.annotate(
                    _total=Window(Count("pk")), _overdue=Window(Sum(late), output_field=IntegerField())
                ).order_by(echeance.due_order, "pk")[:first]
            )
            if rows:
                overdue += rows[0]._overdue or 0
                upcoming += rows[0]._total - (rows[0]._overdue or 0)
            objs = rows
        else:
            objs = []
            for obj in found:
                if echeance.is_met(obj):
                    continue
                due = echeance.due_date(obj)
                if due <= until:
                    objs.append(obj)
                    if due < today:
                        overdue += 1
                    else:
                        upcoming += 1
        items.extend(
            registry.Item(echeance=echeance, obj=obj, due_date=echeance.due_date(obj), today=today) for obj in objs
        )
    for batch in batches.values():
        for echeance, objs, batch_overdue, batch_upcoming in _batch_first(batch, today, first):
            overdue += batch_overdue
            upcoming += batch_upcoming
            items.extend(
                registry.Item(echeance=echeance, obj=obj, due_date=echeance.due_date(obj), today=today) for obj in objs
            )
    items.sort(key=lambda item: (item.due_date, item.label))
    return Summary(overdue=overdue, upcoming=upcoming, first=items[:first])


def _light_object(echeance, pk, values):
    """A light deadline's object: a namespace of the values of its due fields, and its pk (what
    due_date() reads; the page loads the full objects of the rows it shows)."""
    return SimpleNamespace(pk=pk, **dict(zip(echeance.due_fields, values, strict=True)))


# The due dates of the light deadlines (`Echeance.due_fields`) per deadline and values of their due
# fields, kept per process: due_date() reads these columns alone (`Echeance.due_fields`), so a
# date once computed holds for every row and page (a structure's page computed ~500 of them, each
# from a namespace of its columns). Bounded: a deadline's dates emptied when full.
_DUES: dict[str, dict] = {}
_DUES_MAX = 20_000


def _dues(echeance) -> dict:
    dues = _DUES.setdefault(echeance.code, {})
    if len(dues) >= _DUES_MAX:
        dues.clear()
    return dues


def _batch_first(batch, today, first):
    """The deadlines of one batch (`Echeance.batch`): for each, its first `first` objects by due
    order, how many are overdue and how many are not. The due dates' columns of every open row
    (one query, as the deadlines page sorts them: `_batch_rows`) give the counts and the first
    few in Python; then only those few are loaded in full (one query for the batch). Window
    counts and ranks in SQL cost the home more to build and plan than these few hundred rows."""
    found = _batch_rows(batch)
    chosen, wanted = [], set()
    for echeance, rows in found:
        dues, due_date = _dues(echeance), echeance.due_date
        order = echeance.due_fields.index(echeance.due_order)
        late = 0
        for pk, values in rows:
            due = dues.get(values)
            if due is None:
                due = dues[values] = due_date(_light_object(echeance, pk, values))
            late += due < today
        # The due order's column, then the pk: the order the deadline's own query gives.
        head = sorted(rows, key=lambda row, i=order: (row[1][i], row[0]))[:first]
        wanted.update(pk for pk, _ in head)
        chosen.append((echeance, [pk for pk, _ in head], late, len(rows) - late))
    objects = {obj.pk: obj for obj in batch[0][1].filter(pk__in=wanted)} if wanted else {}
    return [(echeance, [objects[pk] for pk in pks], late, upcoming) for echeance, pks, late, upcoming in chosen]


WRITTEN = "written"  # a row of items_page written from its columns (Echeance.row_cells)


def items_page(user, *, number, per_page, today: date | None = None, horizon_days: int | None = None, keep=None):
    """One page of the open deadlines of the user's scope (as `items_for`), by due date, then
    deadline and object. Deadlines marked `many` are sorted from their own columns and only the
    page's objects are loaded with what their label and link read: a structure of a thousand
    people has thousands of open deadlines (home panels: `number=1, per_page=10`). `keep(due, today)`,
    when given, keeps only the deadlines whose due date it accepts. The deadlines of one `batch`
    are sorted from one query, and the page's objects of a batch loaded in one more. Deadlines
    with `row_fields` are written from their columns (`row_cells`): no object is loaded. The
    sorting queries of the `many` deadlines are built and compiled once per process for a user's
    scope and day (`_LIGHT_SQL`), their due dates computed once per values (`_DUES`), and the
    page's objects of those with `page_fields` read as these columns alone (`page_object`)."""
    today = today or timezone.localdate()
    until = None if horizon_days is None else today + timedelta(days=horizon_days)
    rows = []

    def add(echeance, obj, pk, light):
        due = echeance.due_date(obj)
        if (until is None or due <= until) and (keep is None or keep(due, today)):
            rows.append((due, echeance.code, pk, echeance, obj, light))

    def add_light(echeance, found):
        """The rows of a light deadline from (pk, values of its due fields) pairs: its due date
        computed once per distinct values (thousands of rows share a few hundred dates) and
        process (`_DUES`); the object, a namespace of these columns, built for the page only."""
        dues, due_date, code = _dues(echeance), echeance.due_date, echeance.code
        append, every = rows.append, until is None and keep is None
        get = dues.get
        for pk, values in found:
            due = get(values)
            if due is None:
                due = dues[values] = due_date(_light_object(echeance, pk, values))
            if every or ((until is None or due <= until) and (keep is None or keep(due, today))):
                append((due, code, pk, echeance, values, True))

    def add_written(echeance, found):
        """The rows of a deadline written from its columns (`Echeance.row_cells`): no object."""
        cells, code = echeance.row_cells, echeance.code
        for row in found:
            written = cells(row)
            if written is None:
                continue
            due = written[0]
            if (until is None or due <= until) and (keep is None or keep(due, today)):
                rows.append((due, code, row["pk"], echeance, written, WRITTEN))

    batches, visibles, members = {}, {}, {}
    echeances = registry.all_echeances()
    absent = _absent(user, echeances, today, until)
    for echeance in echeances:
        if echeance.code in absent:
            continue
        light_columns = echeance.many and echeance.due_order and echeance.due_fields
        if light_columns and echeance.batch:
            members.setdefault(echeance.batch, []).append(echeance)
            continue
        if echeance.row_fields:
            # Only the columns the row's cells read: no model instance, no select_related; the
            # query's SQL kept per process (built and compiled once a day per person).
            add_written(echeance, _written_rows(echeance, user, today, until))
            continue
        if light_columns:
            # Only the due date's columns: no model instance for thousands of rows, and no
            # is_met (visible() already left out the met ones); the query's SQL kept per process.
            found, compiled = _light_query(echeance, user, today, until)
            if found is not None:
                add_light(echeance, ((row[0], row[1:]) for row in _fetch(compiled)))
                visibles[echeance.code] = found
            continue
        found = echeance.visible(user, today, until)
        if _is_empty(found):
            continue
        light = echeance.many and hasattr(found, "select_related")
        if light:
            visibles[echeance.code] = found
        for obj in found.select_related(None) if light else found:
            if not echeance.is_met(obj):
                add(echeance, obj, obj.pk, light)
    for name, kinds in members.items():
        batch, compiled = _batch_query(name, kinds, user, today, until)
        if batch:
            batches[name] = batch
            for echeance, found in _batch_split(batch, _fetch(compiled)):
                add_light(echeance, found)
    rows.sort(key=itemgetter(0, 1, 2))
    page = Paginator(rows, per_page).get_page(number)
    wanted = {}
    for _, _, pk, echeance, _, light in page.object_list:
        if light is True:
            in_batch = any(member is echeance for member, _, _ in batches.get(echeance.batch, ()))
            key = ("batch", echeance.batch) if in_batch else ("code", echeance.code)
            wanted.setdefault(key, (echeance, set()))[1].add(pk)
    full, values = {}, {}
    for (kind, name), (echeance, pks) in wanted.items():
        # One query for a batch (the base all its deadlines filter), else the queryset of the
        # sorting pass (built once), with its own select_related.
        kinds = [member for member, _, _ in batches[name]] if kind == "batch" else [echeance]
        found = (batches[name][0][1] if kind == "batch" else visibles[echeance.code]).filter(pk__in=pks)
        fields = echeance.page_fields
        if fields and all(member.page_fields == fields for member in kinds):
            # Only the columns the page's cells read (`Echeance.page_fields`): no model instance.
            found = found.select_related(None).order_by().values_list("pk", *fields)
            values |= {(member.code, row[0]): row[1:] for row in found for member in kinds}
        else:
            full |= {(member.code, obj.pk): obj for obj in found for member in kinds}
    page.object_list = [
        registry.Item.written(echeance, pk, due, today, *obj[1:])
        if light is WRITTEN
        else registry.Item(
            echeance=echeance, obj=_page_object(echeance, pk, obj, light, full, values), due_date=due, today=today
        )
        for due, code, pk, echeance, obj, light in page.object_list
    ]
    return page


def _page_object(echeance, pk, obj, light, full, values):
    """The object of a row of the page: loaded in full, written from its `page_fields`, or, for a
    light row neither read (none expected), the namespace of its due fields."""
    key = (echeance.code, pk)
    found = full.get(key)
    if found is not None:
        return found
    if key in values:
        return echeance.page_object(pk, values[key])
    return _light_object(echeance, pk, obj) if light else obj


def _is_empty(found) -> bool:
    """Whether visible() returned a queryset known empty without a query (`none()`, a deadline
    this person has none of) or an empty list."""
    return found.query.is_empty() if hasattr(found, "query") else not found


# The presence tests' SQL, kept per process for each (deadline group, user, scope, day, horizon):
# building and compiling a dozen tests cost ~6 ms a page while running them all costs ~0.5 ms. A
# test depends on nothing else (`Echeance.presence`): a change of role, structure, territory or
# referent record is a new scope, hence a new key; a new day, a new key. Bounded: emptied when full.
_PRESENCE_SQL = {}
_PRESENCE_SQL_MAX = 4096
_NO_TEST = "no-test"  # presence() is None: visible() is always read
_NEVER = "never"  # none(), or a condition known false: this person has none


def _presence_sql(echeance, user, today: date, until: date | None):
    """(database alias, "EXISTS(…)", params) of the deadline's presence test, _NO_TEST or _NEVER."""
    key = (echeance.presence_key or echeance.code, user.pk, user.scope, today, until)
    found = _PRESENCE_SQL.get(key)
    if found is None:
        probe = echeance.presence(user, today, until)
        if probe is None:
            found = _NO_TEST
        else:
            try:
                # Each test compiled alone (as `.exists()` would) and the EXISTS put side by side:
                # annotating them on a row made the ORM clone and relabel every subquery once
                # more, a third of the cost of this query (the EXISTS read no value to convert).
                sql, params = probe.query.exists().get_compiler(probe.db).as_sql()
                found = (probe.db, f"EXISTS({sql})", tuple(params))
            except EmptyResultSet:
                found = _NEVER
        if len(_PRESENCE_SQL) >= _PRESENCE_SQL_MAX:
            _PRESENCE_SQL.clear()
        _PRESENCE_SQL[key] = found
    return found


def _absent(user, echeances, today: date, until: date | None) -> set[str]:
    """The codes of the deadlines whose `presence()` test says this user has none of, from one
    query (`SELECT EXISTS(…), EXISTS(…)`) whatever the number of deadlines tested."""
    groups = {}
    for echeance in echeances:
        key = echeance.presence_key or echeance.code
        if key not in groups:
            groups[key] = (_presence_sql(echeance, user, today, until), [])
        groups[key][1].append(echeance.code)
    absent, tests = set(), {}
    for test, codes in groups.values():
        if test is _NO_TEST:
            continue
        if test is _NEVER:
            absent.update(codes)
            continue
        db, sql, params = test
        tests.setdefault(db, []).append((sql, params, codes))
    for db, found in tests.items():
        with connections[db].cursor() as cursor:
            cursor.execute(
                "SELECT " + ", ".join(sql for sql, _, _ in found), [p for _, params, _ in found for p in params]
            )
            row = cursor.fetchone()
        for present, (_, _, codes) in zip(row, found, strict=True):
            if not present:
                absent.update(codes)
    return absent


def _batch_values(batch):
    """The values_list() queryset of a batch's open rows: the pk, the due dates' columns of its
    deadlines, then one flag per deadline (whether the row is its)."""
    base = batch[0][1]
    fields = list(dict.fromkeys(field for echeance, _, _ in batch for field in echeance.due_fields))
    flags, combined = {}, Q()
    for i, (_, _, condition) in enumerate(batch):
        flags[f"_in_{i}"] = Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
        combined |= condition
    found = base.filter(combined).select_related(None).order_by().annotate(**flags)
    return found.values_list("pk", *fields, *flags)


def _batch_split(batch, rows):
    """(deadline, its open objects as (pk, values of its due fields) pairs) for the deadlines of a
    batch, from the rows of `_batch_values(batch)`."""
    fields = list(dict.fromkeys(field for echeance, _, _ in batch for field in echeance.due_fields))
    members = [[] for _ in batch]
    # Per deadline: the position of its flag in the row, a getter of its due fields' values (as a
    # tuple), and where its rows go: a few operations a row (thousands of rows).
    readers = []
    for i, (echeance, _, _) in enumerate(batch):
        positions = [1 + fields.index(field) for field in echeance.due_fields]
        single = len(positions) == 1
        get = itemgetter(positions[0]) if single else itemgetter(*positions)
        readers.append((1 + len(fields) + i, get, single, members[i].append))
    for row in rows:
        pk = row[0]
        for flag, get, single, append in readers:
            if row[flag]:
                append((pk, (get(row),) if single else get(row)))
    return [(echeance, rows) for (echeance, _, _), rows in zip(batch, members, strict=True)]


def _batch_rows(batch):
    """(deadline, its open objects as (pk, values of its due fields) pairs) for the deadlines of a batch,
    from one query of the due dates' columns and one flag per deadline (whether the row is its)."""
    return _batch_split(batch, _batch_values(batch))


# The deadlines page's sorting queries of the `many` deadlines (`Echeance.due_fields`), kept per
# process as the presence tests' are, for the same key and on the same promise (`Echeance.many`):
# each batch's parts (`batch_parts`) and its query, each other deadline's visible() and its query;
# and the row queries of the deadlines written from their columns (`_written_rows`).
# Building and compiling them cost a structure's page more than a third of its Python time (the
# scope's orientations, four conditions, their flags: ~5 ms of ~35). The querysets kept are never
# evaluated: the page's objects are read from clones (`filter(pk__in=…)`). Bounded more tightly
# than the presence tests (a user's two entries weigh ~90 KB: querysets, not strings): emptied
# when 256 people's pages of the day are kept, a rebuild costing one page ~3 ms.
_LIGHT_SQL = {}
_LIGHT_SQL_MAX = 512


def _kept(key, build):
    found = _LIGHT_SQL.get(key)
    if found is None:
        found = build()
        if len(_LIGHT_SQL) >= _LIGHT_SQL_MAX:
            _LIGHT_SQL.clear()
        _LIGHT_SQL[key] = found
    return found


def _light_key(user, today: date, until: date | None):
    # The local day too: a condition may read it (sans_referent_q) whatever `today` is passed.
    return (user.pk, user.scope, today, until, timezone.localdate())


def _light_query(echeance, user, today: date, until: date | None):
    """(visible(user, today, until), the compiled query of its pk and due fields), or (None,
    _NEVER) when it is known empty; kept per process (`_LIGHT_SQL`)."""

    def build():
        found = echeance.visible(user, today, until)
        if _is_empty(found):
            return None, _NEVER
        return found, _compiled(found.select_related(None).order_by().values_list("pk", *echeance.due_fields))

    return _kept(("light", echeance.code, *_light_key(user, today, until)), build)


def _written_rows(echeance, user, today: date, until: date | None) -> list[dict]:
    """The rows of `visible(user, today, until)` as `values("pk", *row_fields)` gives them, the
    query kept per process as the sorting queries are (`_LIGHT_SQL`), on the same promise
    (`Echeance.row_fields`): building and compiling them cost the DPID's page more than running them."""

    def build():
        found = echeance.visible(user, today, until)
        if _is_empty(found):
            return _NEVER, ()
        values = found.order_by().values("pk", *echeance.row_fields)
        query = values.query
        names = (
            list(query.selected)
            if query.selected
            else [*query.extra_select, *query.values_select, *query.annotation_select]
        )
        return _compiled(values), names

    compiled, names = _kept(("rows", echeance.code, *_light_key(user, today, until)), build)
    return [dict(zip(names, row, strict=True)) for row in _fetch(compiled)]


def _batch_query(name, kinds, user, today: date, until: date | None):
    """(the batch as [(deadline, base, condition)], the compiled query of `_batch_values`) for the
    deadlines `kinds` of the batch `name` (those the presence test kept); kept per process."""

    def build():
        batch = []
        for echeance in kinds:
            parts = echeance.batch_parts(user, today, until)
            if parts is not None:
                batch.append((echeance, *parts))
        return batch, (_compiled(_batch_values(batch)) if batch else _NEVER)

    return _kept(("batch", name, tuple(e.code for e in kinds), *_light_key(user, today, until)), build)


def _compiled(found):
    """(database alias, SQL, params, query, selected expressions) of a values_list() queryset,
    or _NEVER when it can hold no row."""
    query = found.query
    compiler = query.get_compiler(found.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:
        return _NEVER
    return found.db, sql, tuple(params), query, [column[0] for column in compiler.select[: compiler.col_count]]


def _fetch(compiled) -> list:
    """The rows of a compiled query (`_compiled`), as values_list() gives them (converted)."""
    if compiled is _NEVER:
        return []
    db, sql, params, query, fields = compiled
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    compiler = query.get_compiler(db)
    converters = compiler.get_converters(fields)
    if converters:
        rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
    return rows


def _absolute(url: str) -> str:
    from django.conf import settings

    return f"{settings.PORTAL_BASE_URL.rstrip('/')}{url}" if url.startswith("/") else url


def _send(*, to, template, context):
    from django.core.mail import EmailMultiAlternatives
    from django.template.loader import render_to_string

    subject = " ".join(render_to_string(f"echeances/email/{template}_subject.txt", context).split())
    text = render_to_string(f"echeances/email/{template}_body.txt", context)
    html = render_to_string(f"echeances/email/{template}_body.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()


CONFIDENTIAL_NOTE = "Par confidentialité, le nom de la personne n'est pas écrit dans les e-mails : ouvrez le lien."


def with_email_text(notification: Notification) -> Notification:
    """Set the title and body the e-mail carries: the notification's own, or, for a confidential
    deadline, the same reminder without the person (`Echeance.describe_public`)."""
    notification.email_title, notification.email_body = notification.title, notification.body
    rappel = notification.rappel
    if rappel is None:
        return notification
    echeance, obj = _target(notification)
    if echeance is None or not echeance.confidential:
        return notification
    if obj is None:  # nothing left to describe: say only what kind of deadline it was
        notification.email_title, notification.email_body = echeance.label, CONFIDENTIAL_NOTE
        return notification
    sent_on = timezone.localdate(notification.created_at)
    title, body = reminder_text(echeance, obj, rappel.due_date, sent_on, public=True)
    notification.email_title, notification.email_body = title, f"{body}\n{CONFIDENTIAL_NOTE}"
    return notification


def notification_email_send(*, notification_id: int) -> bool:
    """E-mail one notification, once. Returns False when nothing was sent."""
    claimed = Notification.objects.filter(pk=notification_id, emailed_at__isnull=True, wants_email=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient", "rappel__content_type").get(pk=notification_id)
    if not still_relevant(notification):
        Notification.objects.filter(pk=notification_id).update(emailed_at=None, wants_email=False)
        return False
    try:
        _send(
            to=notification.recipient.email,
            template="notification",
            context={
                "notification": with_email_text(notification),
                "user": notification.recipient,
                "link": _absolute(notification.url),
            },
        )
    except Exception:
        Notification.objects.filter(pk=notification_id).update(emailed_at=None)
        raise
    return True


def digests_send(*, today: date | None = None) -> int:
    """One e-mail per person who chose the daily digest, with what they have not received yet."""
    sent = 0
    users = PreferenceNotification.objects.filter(resume_quotidien=True).select_related("user")
    for preference in users:
        user = preference.user
        pending = Notification.objects.filter(recipient=user, emailed_at__isnull=True, wants_email=True)
        ids = list(pending.values_list("pk", flat=True))
        if not ids:
            continue
        now = timezone.now()
        Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).update(emailed_at=now)
        notifications = [
            n
            for n in Notification.objects.filter(pk__in=ids, emailed_at=now).select_related("rappel__content_type")
            if still_relevant(n)
        ]
        if not notifications:
            continue
        for notification in notifications:
            notification.link = _absolute(notification.url)
            with_email_text(notification)
        try:
            _send(
                to=user.email,
                template="digest",
                context={"user": user, "notifications": notifications, "today": today or timezone.localdate()},
            )
        except Exception:
            # One unreachable address must not stop everyone else's digest: log it, retry tomorrow.
            logger.exception("Résumé quotidien non envoyé à %s", user.email)
            Notification.objects.filter(pk__in=ids, emailed_at=now).update(emailed_at=None)
            continue
        sent += 1
    return sent
