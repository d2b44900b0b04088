"""The accompaniment's home-page panels: what waits for each role, counted in SQL (a fixed
number of queries whatever the size of the caseload or of the département)."""

import datetime

from django.db.models import Case, Count, IntegerField, Min, Q, Sum, Value, When, Window
from django.urls import reverse
from django.utils import timezone

from accompagnement import indicateurs
from accompagnement.models import Cer, ImportOrientations, Orientation, Sortie, sans_referent_q
from accompagnement.selectors import REFERENT_DELAI_JOURS, decisions_a_traiter, file_active, late_condition, next_steps
from portal.core.formats import de_mois, format_date, mois_fr, pluriel
from portal.core.home import Panel, PanelCount, PanelItem, PanelTable, register_panel
from portal.referentiels.models import Structure, Territoire

FIRST_ITEMS = 5
# An uploaded file not confirmed within this many days is taken as abandoned (product choice:
# a file is checked and confirmed in one sitting; an old report no longer matches the data).
IMPORT_PENDING_DAYS = 30


def _days(n: int) -> str:
    return f"{n} jour{'s' if n > 1 else ''}"


def _waiting_since(oldest, today) -> str:
    if oldest is None:
        return ""
    days = (today - oldest).days
    return (
        "la plus ancienne attend depuis aujourd'hui" if days <= 0 else f"la plus ancienne attend depuis {_days(days)}"
    )


def _structure_caseload(request, today):
    """The responsable's caseload, read once per request (the caseload and departures panels):
    the first people, those still without a referent first, the oldest first, and the counts over
    the whole caseload on the same query (window aggregates): total, late, without a referent in
    post, and followed by a referent who has left."""
    cached = getattr(request, "_home_structure_caseload", None)
    if cached is not None:
        return cached
    one, zero = Value(1), Value(0)
    late_flag = Case(When(late_condition(today), then=one), default=zero, output_field=IntegerField())
    # Without a referent in post: none, or one who has left — the caseload's "sans référent" filter
    # the count links to, and its own alert.
    waiting_flag = Case(When(sans_referent_q(today), then=one), default=zero, output_field=IntegerField())
    left_flag = Case(When(referent__date_depart__lte=today, then=one), default=zero, output_field=IntegerField())
    first = list(
        Orientation.objects.visible_to(request.user)
        .actives()
        .select_related("beneficiaire")
        # Only the columns the items show: the window aggregates carry every row of the caseload.
        .only("pk", "date_orientation", "beneficiaire__prenom", "beneficiaire__nom")
        .annotate(
            _waiting=waiting_flag,
            _total=Window(Count("pk")),
            _late=Window(Sum(late_flag), output_field=IntegerField()),
            _sans_referent=Window(Sum(waiting_flag), output_field=IntegerField()),
            _referent_parti=Window(Sum(left_flag), output_field=IntegerField()),
        )
        .order_by("-_waiting", "date_orientation", "pk")[:FIRST_ITEMS]
    )
    figures = {
        key: (getattr(first[0], f"_{key}") or 0) if first else 0
        for key in ("total", "late", "sans_referent", "referent_parti")
    }
    request._home_structure_caseload = (first, figures)
    return first, figures


@register_panel
def caseload(request):
    """Referents and responsables: the people followed, those with a missed deadline, and (for
    the responsable) those still waiting for a referent, the oldest first."""
    scope = request.scope
    if not scope.is_structure_member:
        return None
    today = timezone.localdate()
    first_late = []
    if scope.is_responsable:
        first, figures = _structure_caseload(request, today)
        waiting = [orientation for orientation in first if orientation._waiting]
    else:  # the referent: the counts ride on the query of the first late people (window aggregates)
        late_flag = Case(When(late_condition(today), then=Value(1)), default=Value(0), output_field=IntegerField())
        first = list(
            file_active(request.user, today).annotate(
                _est_en_retard=late_flag,
                _total=Window(Count("pk")),
                _late=Window(Sum(late_flag), output_field=IntegerField()),
            )[:FIRST_ITEMS]
        )
        figures = {"total": first[0]._total if first else 0, "late": (first[0]._late or 0) if first else 0}
        first_late = [orientation for orientation in first if orientation._est_en_retard]
    url = reverse("accompagnement:caseload")
    counts = [
        PanelCount(
            figures["late"],
            "personne avec une échéance dépassée",
            "personnes avec une échéance dépassée",
            f"{url}?en_retard=on",
            urgent=True,
        )
    ]
    items = []
    if scope.is_responsable:
        counts.append(
            PanelCount(
                figures["sans_referent"],
                "personne sans référent",
                "personnes sans référent",
                f"{url}?sans_referent=on",
            )
        )
        for orientation in waiting:
            due = orientation.date_orientation + datetime.timedelta(days=REFERENT_DELAI_JOURS)
            items.append(
                PanelItem(
                    label=f"Référent à désigner – {orientation.beneficiaire.prenom} {orientation.beneficiaire.nom}",
                    url=reverse("accompagnement:orientation_assign", args=[orientation.pk]),
                    detail=f"orientée le {format_date(orientation.date_orientation)}",
                    overdue=due < today,
                )
            )
    else:  # the referent: the people whose deadline is missed, the oldest orientation first
        for orientation in first_late:  # late ones come first in the caseload's order
            missed = [step for step in next_steps(orientation, today) if step.is_late]
            items.append(
                PanelItem(
                    label=f"{orientation.beneficiaire.prenom} {orientation.beneficiaire.nom}",
                    url=reverse("accompagnement:beneficiaire_detail", args=[orientation.beneficiaire_id]),
                    detail=", ".join(f"{step.label} (échéance du {format_date(step.due)})" for step in missed),
                    overdue=True,
                )
            )
    total = figures["total"]
    plural = "s" if total > 1 else ""
    return Panel(
        title="Ma file active" if scope.is_referent else "File active de la structure",
        show_total=False,  # a person without referent is often late too
        counts=counts,
        items=items,
        items_title=("Les plus anciennes sans référent" if scope.is_responsable else "Échéances dépassées")
        if items
        else "",
        more_url=url,
        more_label=f"Voir la file active ({total} personne{plural} accompagnée{plural})",
        order=5,
    )


@register_panel
def reporting_to_validate(request):
    """The responsable validates each month's report by the 10th of the next (seed 004)."""
    scope = request.scope
    if not scope.is_responsable or scope.structure_id is None:
        return None
    today = timezone.localdate()
    months = indicateurs.reportings_a_valider(scope.structure_id, today)
    late = [month for month in months if indicateurs.reporting_is_late(month, today)]
    items = []
    for month in months[:FIRST_ITEMS]:
        due = indicateurs.reporting_date_limite(month)
        items.append(
            PanelItem(
                label=f"Reporting {de_mois(month)}",
                url=reverse(
                    "accompagnement:reporting_detail",
                    kwargs={"structure_pk": scope.structure_id, "annee": month.year, "mois": month.month},
                ),
                detail=f"à valider avant le {format_date(due)}" if due >= today else f"attendu le {format_date(due)}",
                overdue=due < today,
            )
        )
    url = reverse("accompagnement:reporting_list")
    return Panel(
        title="Reporting mensuel",
        counts=[
            PanelCount(len(late), "reporting en retard", "reportings en retard", url, urgent=True),
            PanelCount(
                len(months) - len(late),
                "reporting à valider dans les délais",
                "reportings à valider dans les délais",
                url,
            ),
        ],
        items=items,
        empty_text="Tous les reportings dus sont validés.",
        more_url=url,
        more_label="Tous les reportings de la structure",
        order=6,
    )


@register_panel
def slai_decisions(request):
    """The SLAI decides suspensions, reorientations and renewals for its territory's people."""
    if not request.scope.is_slai:
        return None
    today = timezone.localdate()
    pending = decisions_a_traiter(request.user)
    url = reverse("accompagnement:slai_a_traiter")
    kinds = (
        ("suspensions", "ouverte_le", "procédure de suspension", "procédures de suspension", "titre-suspensions"),
        (
            "reorientations",
            "date_demande",
            "demande de réorientation",
            "demandes de réorientation",
            "titre-reorientations",
        ),
        (
            "renouvellements",
            "date_demande",
            "demande de renouvellement de CER",
            "demandes de renouvellement de CER",
            "titre-renouvellements",
        ),
    )
    counts = []
    for key, date_field, singular, plural, anchor in kinds:
        figures = pending[key].aggregate(n=Count("pk"), oldest=Min(date_field))
        counts.append(
            PanelCount(
                figures["n"], singular, plural, f"{url}#{anchor}", detail=_waiting_since(figures["oldest"], today)
            )
        )
    return Panel(
        title="Décisions à prendre sur mon territoire",
        counts=counts,
        empty_text="Aucune procédure ni demande n'attend votre décision.",
        more_url=url,
        more_label="Tout traiter",
        order=1,
    )


@register_panel
def late_reports(request):
    """The DPID follows the structures late with their monthly report; the manager watches them."""
    scope = request.scope
    if not (scope.is_dpid or (scope.sees_departement and not scope.can_write)):
        return None
    today = timezone.localdate()
    mois = indicateurs.dernier_mois_exigible(today)
    late = indicateurs.reportings_en_retard(Structure.objects.visible_to(request.user), mois).order_by("nom")
    # The first few and the count in one query (window count): home pages hold to 25 queries.
    first = list(late.annotate(_total=Window(Count("pk")))[:FIRST_ITEMS])
    count = first[0]._total if first else 0
    url = reverse("accompagnement:reporting_list") + f"?mois={mois:%Y-%m}&retard=1"
    return Panel(
        title=f"Reporting {de_mois(mois)}",
        counts=[PanelCount(count, "structure en retard", "structures en retard", url, urgent=True)],
        items=[
            PanelItem(
                label=structure.nom,
                url=reverse(
                    "accompagnement:reporting_detail",
                    kwargs={"structure_pk": structure.pk, "annee": mois.year, "mois": mois.month},
                ),
                detail=f"attendu le {format_date(indicateurs.reporting_date_limite(mois))}",
                overdue=True,
            )
            for structure in first
        ],
        empty_text=f"Toutes les structures ont validé leur reporting {de_mois(mois)}.",
        more_url=url,
        more_label="Voir les structures en retard",
        order=4,
    )


@register_panel
def imports_to_confirm(request):
    """The DPID confirms the orientation files it uploaded and checked."""
    if not request.scope.is_dpid:
        return None
    since = timezone.now() - datetime.timedelta(days=IMPORT_PENDING_DAYS)
    pending = ImportOrientations.objects.filter(applique_le__isnull=True, created_at__gte=since)
    first = list(pending.annotate(_total=Window(Count("pk"))).order_by("created_at", "pk")[:FIRST_ITEMS])
    count = first[0]._total if first else 0
    return Panel(
        title="Imports d'orientations",
        counts=[PanelCount(count, "import vérifié à confirmer", "imports vérifiés à confirmer")],
        items=[
            PanelItem(
                label=upload.nom_fichier,
                url=reverse("accompagnement:import_detail", args=[upload.pk]),
                detail=f"déposé le {format_date(upload.created_at)}",
            )
            for upload in first
        ],
        empty_text="Aucun fichier en attente de confirmation.",
        more_url=reverse("accompagnement:import_upload"),
        more_label="Importer un fichier",
        order=5,
    )


@register_panel
def activity_summary(request):
    """The read-only manager acts on no deadline: it watches the activity, by territory of the
    people (one query for the whole table)."""
    if request.scope.can_write or not request.scope.sees_departement:
        return None
    today = timezone.localdate()
    month = today.replace(day=1)
    # One GROUP BY per table (3 queries) rather than a correlated count per territory and
    # column: at scale each of those re-read the 52 700 orientations (0.9 s, EXPLAIN). The
    # person's territory is the one kept on the orientation: no join on the people (87 → 43 ms at
    # 105 000 people).
    path = "territoire"
    people = {
        row[path]: row
        for row in Orientation.objects.visible_to(request.user)
        .order_by()
        .values(path)
        .annotate(
            accompagnees=Count("pk", filter=Q(date_fin__isnull=True)),
            orientees=Count("pk", filter=Q(date_orientation__gte=month)),
        )
    }
    cers = dict(
        Cer.objects.visible_to(request.user)
        .filter(signe_le__gte=month)
        .order_by()
        .values_list(f"orientation__{path}")
        .annotate(n=Count("pk"))
    )
    sorties = dict(
        Sortie.objects.visible_to(request.user)
        .filter(date__gte=month)
        .order_by()
        .values_list(f"orientation__{path}")
        .annotate(n=Count("pk"))
    )
    rows = []
    for territoire in Territoire.objects.visible_to(request.user).order_by("nom"):
        found = people.get(territoire.pk, {})
        rows.append(
            (
                territoire.nom,
                [
                    found.get("accompagnees", 0),
                    found.get("orientees", 0),
                    cers.get(territoire.pk, 0),
                    sorties.get(territoire.pk, 0),
                ],
            )
        )
    fields = ("accompagnees", "orientees", "cer", "sorties")
    return Panel(
        title="Accompagnement des bénéficiaires par territoire",
        table=PanelTable(
            row_header="Territoire",
            columns=[
                "Personnes accompagnées",
                f"Orientations en {mois_fr(month)}",
                f"CER signés en {mois_fr(month)}",
                f"Sorties en {mois_fr(month)}",
            ],
            rows=rows,
            total=[sum(values[i] for _, values in rows) for i in range(len(fields))],
            caption=f"Au {format_date(today)} ; chaque personne compte dans le territoire de son SLAI.",
        ),
        more_url=reverse("accompagnement:indicateurs"),
        more_label="Tous les indicateurs",
        order=1,
    )


@register_panel
def departs(request):
    """The structure's referents who have left while people were still assigned to them: those
    people are now "sans référent" (the responsable designates their new referent)."""
    if not request.scope.is_responsable:
        return None
    from accompagnement.selectors import referents_partis

    today = timezone.localdate()
    # The caseload panel's query already counts the people whose referent has left (a referent
    # follows people of their own structure only): most days there is none, and nothing to ask.
    if request.scope.structure_id is not None and not _structure_caseload(request, today)[1]["referent_parti"]:
        return None
    partis = referents_partis(request.user, today)
    if not partis:
        return None
    url = reverse("accompagnement:caseload") + "?sans_referent=on"
    items = [
        PanelItem(
            label=f"{referent.prenom} {referent.nom} a quitté la structure le {format_date(referent.date_depart)}",
            url=url,
            detail=f"{pluriel(referent.personnes, 'personne')} désormais sans référent : "
            "désignez leur nouveau référent.",
            overdue=True,
        )
        for referent in partis
    ]
    return Panel(title="Départs de référents", items=items, order=5)
