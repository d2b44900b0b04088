"""Deadlines skipped on their presence test (`Echeance.presence`, one query for all) are only those
the person has none of: the deadlines page shows exactly what it showed when every deadline ran its
own query, for every account of the demo."""

import datetime
import io
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from label.enums import TypeDemande
from label.models import DemandeLabel, Label
from portal.accounts.models import User
from portal.echeances import registry, services
from portal.echeances.views import _rows


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(DEMO_MODE=True):
                call_command("load_demo", stdout=io.StringIO())
            _renewal_due(timezone.localdate())
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _renewal_due(today):
    """The demo's labels end after next year: one of them ends next year, its renewal not asked
    (then every registered deadline has objects for someone)."""
    label = Label.objects.valid_on(today).filter(retire_le__isnull=True).order_by("pk").first()
    label.date_fin = datetime.date(today.year + 1, 3, 31)
    label.save(update_fields=["date_fin"])
    DemandeLabel.objects.filter(structure_id=label.structure_id, type=TypeDemande.RENOUVELLEMENT).delete()


def _page(user, **kwargs):
    page = services.items_page(user, number=1, per_page=100_000, **kwargs)
    return [
        (item.echeance.code, item.obj.pk, item.due_date, item.label, item.url, item.rule) for item in page.object_list
    ]


def _fresh(user):
    # The deadlines keep a few reads on the user object for one pass: each pass starts anew.
    return User.objects.get(pk=user.pk)


def _with_and_without_skipping(user, read):
    with mock.patch.object(services, "_absent", return_value=set()):
        every_query = read(_fresh(user))
    return read(_fresh(user)), every_query


def test_skipping_changes_no_page_nor_panel_of_any_demo_account(demo, db):
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    assert len(users) > 5
    kinds_shown, skipped = set(), set()
    for user in users:
        skipped |= services._absent(_fresh(user), registry.all_echeances(), timezone.localdate(), None)
        shown, expected = _with_and_without_skipping(user, _page)
        assert shown == expected, user.email
        kinds_shown |= {row[0] for row in shown}
        # The same as the reference list that loads every deadline in full (items_for), in the
        # page's order.
        reference = services.items_for(_fresh(user), horizon_days=None)
        reference.sort(key=lambda item: (item.due_date, item.echeance.code, item.obj.pk))
        assert shown == [(i.echeance.code, i.obj.pk, i.due_date, i.label, i.url, i.rule) for i in reference], (
            user.email
        )
        # The page's cells (some rows written from their columns, without objects) as well.
        page = services.items_page(_fresh(user), number=1, per_page=100_000)
        assert _rows(page.object_list) == _rows(reference), user.email
        overdue_only = _with_and_without_skipping(user, lambda u: _page(u, keep=lambda due, today: due < today))
        assert overdue_only[0] == overdue_only[1], user.email
    # The comparison is worth something: every deadline shows objects to someone, and the presence
    # test skips deadlines for others.
    assert kinds_shown == {echeance.code for echeance in registry.all_echeances()}
    assert skipped


def test_each_row_written_from_its_columns_says_what_its_object_says(demo, db):
    """The deadlines written from their columns on the deadlines page (`Echeance.row_fields`,
    `row_cells`): for every demo account, with and without a horizon, each row of visible() gives
    the due date, label, link and rule the loaded object gives (None for a met one)."""
    today = timezone.localdate()
    written = [echeance for echeance in registry.all_echeances() if echeance.row_fields]
    assert written
    compared = dict.fromkeys([echeance.code for echeance in written], 0)
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for until in (None, today + services.timedelta(days=services.HOME_HORIZON_DAYS)):
            for echeance in written:
                found = echeance.visible(_fresh(user), today, until)
                assert hasattr(found, "values"), echeance.code  # the page reads its columns
                expected = {
                    obj.pk: None
                    if echeance.is_met(obj)
                    else (echeance.due_date(obj), echeance.describe(obj), echeance.url(obj), echeance.rule(obj))
                    for obj in found
                }
                if services._is_empty(found):  # none(): the page reads no row either
                    assert not expected and services._written_rows(echeance, _fresh(user), today, until) == []
                    continue
                rows = list(echeance.visible(_fresh(user), today, until).order_by().values("pk", *echeance.row_fields))
                assert {row["pk"]: echeance.row_cells(row) for row in rows} == expected, (echeance.code, user.email)
                # The page's reading of them, its SQL compiled (first call) or kept (second call).
                services._LIGHT_SQL.clear()
                for _ in range(2):
                    assert services._written_rows(echeance, _fresh(user), today, until) == rows, echeance.code
                compared[echeance.code] += sum(cells is not None for cells in expected.values())
    assert all(compared.values()), compared  # every such deadline wrote rows for someone


def test_a_presence_test_holds_whenever_the_deadline_has_objects(demo, db):
    """Kind by kind, for every demo account, with and without a horizon: a deadline with an open
    object in the person's scope never has an empty presence test."""
    today = timezone.localdate()
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for until in (None, today + services.timedelta(days=services.HOME_HORIZON_DAYS)):
            for echeance in registry.all_echeances():
                probe = echeance.presence(_fresh(user), today, until)
                if probe is None:
                    continue
                found = echeance.visible(_fresh(user), today, until)
                has_open = any(not echeance.is_met(obj) for obj in found)
                if has_open:
                    assert not probe.query.is_empty() and probe.exists(), (echeance.code, user.email, until)


def _panel(user):
    summary = services.summary_for(user, first=5)
    first = [(item.echeance.code, item.obj.pk, item.due_date, item.label, item.url) for item in summary.first]
    return summary.overdue, summary.upcoming, first


def test_skipping_changes_no_home_panel_of_any_demo_account(demo, db):
    """The home panel (summary_for) skips on the same presence test: the same counts and the same
    first deadlines as when every deadline ran its own query, for every account of the demo."""
    users = list(User.objects.filter(is_active=True).order_by("pk"))
    shown_somewhere = False
    for user in users:
        shown, expected = _with_and_without_skipping(user, _panel)
        assert shown == expected, user.email
        shown_somewhere = shown_somewhere or bool(shown[2])
    assert shown_somewhere


def _window_first(batch, today, first):
    """The former home panel's reading of a batch (window counts and ranks in SQL, one query),
    kept as the reference the present reading must equal."""
    from django.db.models import Case, IntegerField, Q, Sum, Value, When, Window
    from django.db.models.functions import RowNumber

    base = batch[0][1]
    one, zero = Value(1), Value(0)
    annotations, ranks, combined = {}, Q(), Q()
    for i, (echeance, _, condition) in enumerate(batch):
        member = Case(When(condition, then=one), default=zero, output_field=IntegerField())
        late = Case(When(condition & echeance.overdue_q(today), then=one), default=zero, output_field=IntegerField())
        annotations |= {
            f"_in_{i}": member,
            f"_total_{i}": Window(Sum(member), output_field=IntegerField()),
            f"_overdue_{i}": Window(Sum(late), output_field=IntegerField()),
            f"_rank_{i}": Window(RowNumber(), partition_by=[member], order_by=[echeance.due_order, "pk"]),
        }
        ranks |= Q(**{f"_rank_{i}__lte": first})
        combined |= condition
    rows = list(base.filter(combined).annotate(**annotations).filter(ranks))
    results = []
    for i, (echeance, _, _) in enumerate(batch):
        objs = [row for row in rows if getattr(row, f"_in_{i}") and getattr(row, f"_rank_{i}") <= first]
        objs.sort(key=lambda row, i=i: getattr(row, f"_rank_{i}"))
        total = (getattr(rows[0], f"_total_{i}") or 0) if rows else 0
        late = (getattr(rows[0], f"_overdue_{i}") or 0) if rows else 0
        results.append((echeance.code, [obj.pk for obj in objs], late, total - late))
    return results


def test_the_home_panel_reads_a_batch_as_the_former_window_query_did(demo, db):
    """The caseload deadlines of a home panel (one batch): the same counts and the same first
    objects, in the same order, as the window counts and ranks the panel read them with before,
    for every demo account, on several days, at the home's horizon and with a first few of 1, 3 and 5."""
    from accompagnement.models import Orientation

    # Today, and days on which some deadline falls due (the overdue count's boundary).
    days = {timezone.localdate()}
    days |= set(Orientation.objects.order_by("pk").values_list("date_limite_cer", flat=True)[:3])
    compared = 0
    for user, today in (
        (user, today) for user in User.objects.filter(is_active=True).order_by("pk") for today in days
    ):
        until = today + services.timedelta(days=services.HOME_HORIZON_DAYS)
        user = _fresh(user)
        batches = {}
        for echeance in registry.all_echeances():
            if echeance.batch and echeance.due_order and echeance.due_fields:
                parts = echeance.batch_parts(user, today, until)
                if parts is not None:
                    batches.setdefault(echeance.batch, []).append((echeance, *parts))
        for batch in batches.values():
            for first in (1, 3, 5):
                present = [
                    (echeance.code, [obj.pk for obj in objs], late, upcoming)
                    for echeance, objs, late, upcoming in services._batch_first(batch, today, first)
                ]
                assert present == _window_first(batch, today, first), (user.email, first)
                compared += sum(1 for row in present if row[1])
    assert compared  # some deadlines of the batch had objects to compare


def test_a_person_moved_to_another_structure_gets_the_presence_tests_of_their_new_scope(demo, db):
    """The presence tests' SQL is kept per process for a user's scope and day: a responsable moved
    to another structure is tested on the new one the very next page, not on the one kept."""
    from portal.accounts.enums import Role

    today = timezone.localdate()
    responsables = list(User.objects.filter(role=Role.RESPONSABLE, is_active=True).order_by("pk"))
    absent = {user.pk: services._absent(_fresh(user), registry.all_echeances(), today, None) for user in responsables}
    mover, other = next(
        (a, b)
        for a in responsables
        for b in responsables
        if a.structure_id != b.structure_id and absent[a.pk] != absent[b.pk]
    )
    mover.structure_id = other.structure_id
    mover.save(update_fields=["structure"])
    moved = services._absent(_fresh(mover), registry.all_echeances(), today, None)
    services._PRESENCE_SQL.clear()
    assert moved == services._absent(_fresh(mover), registry.all_echeances(), today, None)
    # The same deadlines as anyone of that structure, not those of the structure left.
    assert moved == absent[other.pk] != absent[mover.pk]


def test_the_kept_rows_query_follows_the_data_and_the_persons_scope(demo, db):
    """The row queries' SQL is kept per process for a user's scope and day (`_written_rows`): a
    deadline created since is on the next page, and a responsable moved to another structure
    reads the new structure's rows, not those of the structure left."""
    from portal.accounts.enums import Role
    from portal.echeances.models import EcheanceManuelle

    today = timezone.localdate()
    fixee = registry.get("echeance_fixee")
    responsables = list(User.objects.filter(role=Role.RESPONSABLE, is_active=True).order_by("pk"))
    rows = {user.pk: services._written_rows(fixee, _fresh(user), today, None) for user in responsables}
    mover, other = next(
        (a, b)
        for a in responsables
        for b in responsables
        if a.structure_id != b.structure_id and rows[a.pk] != rows[b.pk]
    )
    created = EcheanceManuelle.objects.create(structure_id=other.structure_id, titre="Nouvelle", date_echeance=today)
    assert created.pk in {row["pk"] for row in services._written_rows(fixee, _fresh(other), today, None)}
    mover.structure_id = other.structure_id
    mover.save(update_fields=["structure"])
    assert services._written_rows(fixee, _fresh(mover), today, None) == services._written_rows(
        fixee, _fresh(other), today, None
    )
    assert created.pk in {row["pk"] for row in services._written_rows(fixee, _fresh(mover), today, None)}


def test_the_kept_sorting_queries_follow_the_data_and_the_persons_scope(demo, db):
    """The sorting queries of the caseload's deadlines are kept per process for a user's scope and
    day (`services._LIGHT_SQL`): a deadline met since leaves the next page, one come since is on
    it, and a responsable moved to another structure reads the new structure's deadlines, not
    those of the structure left; each page is the one built from scratch."""
    from accompagnement.models import Orientation
    from portal.accounts.enums import Role

    def page(user):
        return _page(_fresh(user))

    def from_scratch(user):
        services._LIGHT_SQL.clear()
        return page(user)

    responsables = list(User.objects.filter(role=Role.RESPONSABLE, is_active=True).order_by("pk"))
    pages = {user.pk: page(user) for user in responsables}
    mover, other = next(
        (a, b)
        for a in responsables
        for b in responsables
        if a.structure_id != b.structure_id and pages[a.pk] != pages[b.pk]
    )
    cer = registry.get("accompagnement_cer_2_mois").code
    due = next(row for row in pages[other.pk] if row[0] == cer)
    Orientation.objects.filter(pk=due[1]).update(premier_cer_le=timezone.localdate())
    after = page(other)
    assert (cer, due[1]) not in {(row[0], row[1]) for row in after}
    assert after == from_scratch(other)
    Orientation.objects.filter(pk=due[1]).update(premier_cer_le=None)
    assert page(other) == pages[other.pk]
    assert page(mover) == pages[mover.pk]  # its queries kept again (from_scratch emptied them)
    mover.structure_id = other.structure_id
    mover.save(update_fields=["structure"])
    assert page(mover) == page(other) == from_scratch(mover)


def test_the_page_objects_written_from_their_columns_say_what_the_objects_say(demo, db):
    """The caseload's deadlines (`Echeance.page_fields`): for every demo account, the label, link
    and rule written from the page's columns (`page_object`) are those of the object loaded in
    full, for every open deadline of the kind."""
    today = timezone.localdate()
    kinds = [echeance for echeance in registry.all_echeances() if echeance.page_fields]
    assert kinds
    compared = dict.fromkeys([echeance.code for echeance in kinds], 0)
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for echeance in kinds:
            found = echeance.visible(_fresh(user), today)
            if services._is_empty(found):
                continue
            objects = {obj.pk: obj for obj in found}
            rows = found.select_related(None).order_by().values_list("pk", *echeance.page_fields)
            for pk, *values in rows:
                written, obj = echeance.page_object(pk, tuple(values)), objects[pk]
                assert (echeance.describe(written), echeance.url(written), echeance.rule(written)) == (
                    echeance.describe(obj),
                    echeance.url(obj),
                    echeance.rule(obj),
                ), echeance.code
                compared[echeance.code] += 1
    assert all(compared.values()), compared
