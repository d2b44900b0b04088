"""The caseload writes its lines from values the view reads once (`caseload_line`), its links from
the pk, and reads what `next_steps` needs with plain queries handed to the orientations
(`caseload_rows`): for every account of the demo, with filters and on every page, the page must
read exactly as the former template wrote it from fully prefetched model instances."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.paginator import Paginator
from django.db import transaction
from django.template import engines
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accompagnement import perms
from accompagnement.cerp import INDEPENDANTS
from accompagnement.forms import FileActiveFilter
from accompagnement.models import (
    Cer,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Orientation,
    TypeAccompagnement,
)
from accompagnement.selectors import (
    NEXT_STEPS_PREFETCH,
    caseload_rows,
    file_active_scope,
    late_first,
    next_steps,
    referents_partis,
)
from portal.accounts.models import User
from portal.core.views import PAGE_SIZE, querystring_without_page

# The page as the former template wrote it.
FORMER = (Path(__file__).parent / "caseload_former.html").read_text()
DEMO = {"DEMO_MODE": True, "PORTAL_2FA_REQUIRED": False}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo, with a referent who has left (their people are "sans référent") and a person whose
    name needs escaping."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with override_settings(**DEMO):
                call_command("load_demo", stdout=io.StringIO())
            orientation = Orientation.objects.filter(date_fin__isnull=True, referent__isnull=False).order_by("pk")[0]
            referent = orientation.referent
            referent.date_depart = timezone.localdate() - datetime.timedelta(days=3)
            referent.save(update_fields=["date_depart"])
            beneficiaire = orientation.beneficiaire
            beneficiaire.prenom, beneficiaire.nom = "Élodie", "O'Neil <& Fils>"
            beneficiaire.save(update_fields=["prenom", "nom"])
            _requests_and_final_diagnostics()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _requests_and_final_diagnostics():
    """What the demo lacks, on people with a signed CER (outside the CERP steps) and no renewal
    request: a final diagnostic, a refused renewal request, a reorientation request waiting."""
    current = {}
    cers = Cer.objects.filter(signe_le__isnull=False, orientation__date_fin__isnull=True).exclude(
        orientation__type_accompagnement__code=INDEPENDANTS
    )
    for cer in cers.select_related("orientation").order_by("date_debut", "pk"):
        current[cer.orientation_id] = cer  # the latest signed CER of each
    first, second, third = [
        cer for cer in current.values() if not DemandeRenouvellement.objects.filter(cer=cer).exists()
    ][:3]
    Diagnostic.objects.create(orientation=first.orientation, date=first.date_debut, moment="final", synthese="Bilan.")
    DemandeRenouvellement.objects.create(
        cer=second, date_demande=second.date_debut, argumentaire="Suite.", etat="refusee", decidee_le=second.date_debut
    )
    DemandeReorientation.objects.create(
        orientation=third.orientation,
        date_demande=third.date_debut,
        type_souhaite=third.orientation.type_accompagnement,
        argumentaire="Autre accompagnement.",
    )


def former_page(request, params):
    """The page as the former view built it: the whole file active in the caseload's order with
    every relation `next_steps` reads prefetched in full, a Paginator over it, the former template."""
    user, today = request.user, timezone.localdate()
    scope = file_active_scope(user)
    filterset = FileActiveFilter(params, queryset=scope)
    ordered = late_first(
        filterset.qs.select_related("beneficiaire", "structure", "type_accompagnement", "referent").prefetch_related(
            *NEXT_STEPS_PREFETCH
        ),
        today,
    )
    page = Paginator(ordered, PAGE_SIZE).get_page(params.get("page"))
    context = {
        "filter": filterset,
        "page": page,
        "rows": [(orientation, next_steps(orientation, today)) for orientation in page.object_list],
        "querystring": querystring_without_page(request),
        "can_orient": perms.can_orient(user),
        "can_import": perms.can_import(user),
        "can_import_cer": perms.can_import_cer(user),
        "sans_referent": scope.sans_referent(today).count() if request.scope.is_responsable else None,
        "departs": referents_partis(user, today) if request.scope.is_responsable else [],
    }
    return engines["django"].from_string(FORMER).render(context, request)


def comparable(content):
    """The page, CSRF tokens left out (masked anew at each rendering), whitespace collapsed."""
    content = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", content)
    return " ".join(content.split())


def variants():
    kind = TypeAccompagnement.objects.get(code=INDEPENDANTS).pk
    return [
        {},
        {"q": "", "en_retard": ""},  # empty filters: the whole scope (both counts in one query)
        {"en_retard": "on"},
        {"sans_referent": "on"},
        {"q": "a"},
        {"type_accompagnement": str(kind)},
    ]


@override_settings(**DEMO)
def test_every_demo_account_reads_its_caseload_as_the_former_template_wrote_it(demo, db, client):
    url = reverse("accompagnement:caseload")
    seen, pages = "", 0
    for user in User.objects.filter(is_active=True).order_by("pk"):
        client.force_login(user)
        for params in variants():
            number, last = 1, 1
            while number <= last:
                response = client.get(url, {**params, "page": number} if number > 1 else params)
                assert response.status_code == 200, user.email
                page = response.context["page"]
                expected = comparable(former_page(response.wsgi_request, response.wsgi_request.GET))
                assert comparable(response.content.decode()) == expected, (user.email, params, number)
                seen += expected
                pages += 1
                last = page.paginator.num_pages
                number += 1
    # The comparison is worth something: several pages, and every kind of cell.
    assert pages > 100
    for cell in (
        "En retard",
        "Aucune échéance",
        "Sans référent",
        "a quitté la structure le",
        "Changer de référent",
        "Désigner le référent",
        "O&#x27;Neil &lt;&amp; Fils&gt; Élodie",
        "CERP",
        "Page 2 sur",
    ):
        assert cell in seen, cell


def test_caseload_rows_read_the_steps_the_full_prefetch_gives(demo, db, django_assert_num_queries):
    """`next_steps` on a caseload page's orientations (the few columns and relations it reads)
    gives what it gives on fully loaded ones (the person's record, the home panels), for every
    active orientation of the demo, the self-employed's CERP steps included, without a query of
    its own (`caseload_rows` handed it all it reads)."""
    today = timezone.localdate()
    pks = list(Orientation.objects.filter(date_fin__isnull=True).order_by("pk").values_list("pk", flat=True))
    full = Orientation.objects.select_related("type_accompagnement", "referent").prefetch_related(*NEXT_STEPS_PREFETCH)
    full = {orientation.pk: orientation for orientation in full.filter(pk__in=pks)}
    labels = set()
    for start in range(0, len(pks), PAGE_SIZE):
        chunk = pks[start : start + PAGE_SIZE]
        rows = caseload_rows(chunk)
        assert [orientation.pk for orientation in rows] == chunk
        for orientation in rows:
            with django_assert_num_queries(0):
                steps = [(step.label, step.due, step.is_late) for step in next_steps(orientation, today)]
            assert steps == [(s.label, s.due, s.is_late) for s in next_steps(full[orientation.pk], today)]
            labels |= {label for label, _, _ in steps}
    assert {
        "Référent à désigner",
        "Premier rendez-vous",
        "CER à signer",
        "Demande de renouvellement",
        "Demande de renouvellement ou de réorientation",  # a final diagnostic
        "Demande de réorientation ou sortie",  # a refused renewal
        "Bilan final",
        "CERP n°1 (diagnostic de 3 mois) à signer",
    } <= labels, labels
