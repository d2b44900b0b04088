"""The label's home-page panels: the requests, opinions, charters and withdrawals waiting for
each role, counted in SQL (a fixed number of queries whatever the number of requests)."""

import datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from label import services
from label.echeances import charter_due_of, next_charter_year
from label.enums import EtatDemande, EtatRetrait, NatureFormation, TypeDemande
from label.models import CharteQualite, DemandeLabel, FormationReferent, Label, RetraitLabel
from label.selectors import DEMANDE_QUEUES, renewal_windows, renewal_windows_text
from portal.core.formats import format_date
from portal.core.home import Panel, PanelCount, PanelItem, PanelTable, count_per_row, register_panel
from portal.referentiels.models import Territoire

FIRST_ITEMS = 5
IN_INSTRUCTION = (EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, EtatDemande.AVIS_SLAI)
CHARTER_NOTICE_DAYS = 30  # a charter appears on the structure's queue a month before it is due


def _queue_url(key):
    return reverse("label:home") + f"?file={key}"


def _instruction_detail(demande, today):
    deadline = demande.instruction_deadline
    if deadline < today:
        return f"délai d'instruction dépassé depuis le {format_date(deadline)}"
    return f"déposée le {format_date(demande.deposee_at)}, à instruire avant le {format_date(deadline)}"


@register_panel
def dpid_queue(request):
    """The DPID controls, evaluates and decides the requests, answers the recours, examines the
    charters and the earlier trainings, and decides the withdrawals once the observations are in."""
    if not request.scope.is_dpid:
        return None
    today = timezone.localdate()
    user = request.user
    demandes = DemandeLabel.objects.visible_to(user)
    figures = demandes.aggregate(
        **{key: Count("pk", filter=DEMANDE_QUEUES[key][1]) for key in ("controle", "decision", "recours")}
    )
    chartes = CharteQualite.objects.visible_to(user).filter(examinee_le__isnull=True).count()
    equivalences = (
        FormationReferent.objects.visible_to(user)
        .filter(nature=NatureFormation.EQUIVALENCE, equivalence_acceptee_at__isnull=True)
        .count()
    )
    retraits = RetraitLabel.objects.visible_to(user).aggregate(
        a_decider=Count(
            "pk",
            filter=Q(etat=EtatRetrait.CONTRADICTOIRE)
            & (Q(observations_at__isnull=False) | Q(observations_avant__lt=today)),
        ),
        a_etudier=Count(
            "pk",
            filter=Q(etat=EtatRetrait.ACCOMPAGNEMENT, accompagnement_fin__lte=today)
            | Q(etat=EtatRetrait.ETUDE, etude__etat=EtatDemande.DEPOSEE),
        ),
    )
    first = (
        demandes.filter(DEMANDE_QUEUES["controle"][1] | DEMANDE_QUEUES["decision"][1])
        .select_related("structure")
        .order_by("deposee_at", "pk")[:FIRST_ITEMS]
    )
    items = [
        PanelItem(
            label=f"{'À contrôler' if demande.etat == EtatDemande.DEPOSEE else 'À décider'} – {demande.structure.nom}",
            url=demande.get_absolute_url(),
            detail=_instruction_detail(demande, today),
            overdue=demande.instruction_deadline < today,
        )
        for demande in first
    ]
    return Panel(
        title="Label Référent 62 : à instruire",
        counts=[
            PanelCount(figures["controle"], "demande à contrôler", "demandes à contrôler", _queue_url("controle")),
            PanelCount(figures["decision"], "demande à décider", "demandes à décider", _queue_url("decision")),
            PanelCount(
                figures["recours"], "recours gracieux à répondre", "recours gracieux à répondre", _queue_url("recours")
            ),
            PanelCount(
                retraits["a_decider"] + retraits["a_etudier"],
                "retrait à décider ou à réétudier",
                "retraits à décider ou à réétudier",
                reverse("label:home") + "#retraits",
            ),
            PanelCount(
                chartes,
                "charte qualité à examiner",
                "chartes qualité à examiner",
                reverse("label:chartes") + "?a_examiner=1",
            ),
            PanelCount(
                equivalences,
                "équivalence de formation à examiner",
                "équivalences de formation à examiner",
                reverse("label:formations") + "#titre-equivalences",
            ),
        ],
        items=items,
        items_title="Les demandes les plus anciennes" if items else "",
        more_url=reverse("label:home"),
        more_label="Toutes les demandes de label",
        order=2,
    )


@register_panel
def slai_queue(request):
    """The SLAI gives its opinion on the requests of structures working on its territory and
    accompanies, for 6 months, a labelled structure whose CER quality is no longer assured."""
    if not request.scope.is_slai:
        return None
    today = timezone.localdate()
    opinions = (
        DemandeLabel.objects.visible_to(request.user)
        .filter(DEMANDE_QUEUES["avis_slai"][1])
        .select_related("structure")
        .order_by("deposee_at", "pk")
    )
    first = opinions[:FIRST_ITEMS]
    count = opinions.count()
    accompagnements = RetraitLabel.objects.visible_to(request.user).filter(etat=EtatRetrait.ACCOMPAGNEMENT).count()
    return Panel(
        title="Label Référent 62 : avis du SLAI",
        counts=[
            PanelCount(count, "avis du SLAI à donner", "avis du SLAI à donner", _queue_url("avis_slai")),
            PanelCount(
                accompagnements,
                "structure accompagnée par le SLAI (6 mois)",
                "structures accompagnées par le SLAI (6 mois)",
                reverse("label:home") + "#retraits",
            ),
        ],
        items=[
            PanelItem(
                label=f"Avis à donner – {demande.structure.nom}",
                url=demande.get_absolute_url(),
                detail=_instruction_detail(demande, today),
                overdue=demande.instruction_deadline < today,
            )
            for demande in first
        ],
        empty_text="Aucune demande de label n'attend l'avis du SLAI.",
        more_url=reverse("label:home"),
        more_label="Toutes les demandes de label du territoire",
        order=2,
    )


def _structure_steps(request, today):
    """What the label procedure expects from the structure now, as panel items."""
    scope = request.scope
    steps = []
    for demande in DemandeLabel.objects.visible_to(request.user).filter(etat=EtatDemande.BROUILLON):
        steps.append(
            PanelItem(
                label=f"{demande.get_type_display()} à compléter et déposer",
                url=demande.get_absolute_url(),
                detail=f"brouillon créé le {format_date(demande.created_at)}",
            )
        )
    retraits = RetraitLabel.objects.visible_to(request.user).filter(
        etat=EtatRetrait.CONTRADICTOIRE, observations_at__isnull=True
    )
    for retrait in retraits:
        steps.append(
            PanelItem(
                label="Observations sur le retrait envisagé du label",
                url=retrait.get_absolute_url(),
                detail=f"à envoyer avant le {format_date(retrait.observations_avant)}",
                overdue=retrait.observations_avant < today,
            )
        )
    label = (
        Label.objects.filter(structure_id=scope.structure_id)
        .valid_on(today)
        .annotate(annee_charte_due=next_charter_year())  # the charter due, in the same query
        .order_by("-date_fin")
        .first()
    )
    if label is not None:
        year, due = charter_due_of(label)
        if due is not None and due <= today + datetime.timedelta(days=CHARTER_NOTICE_DAYS):
            steps.append(
                PanelItem(
                    label=f"Charte qualité de l'année {year} à déposer",
                    url=reverse("label:charte_deposer", args=[label.pk]),
                    detail=f"attendue le {format_date(due)}",
                    overdue=due < today,
                )
            )
        # Whether the renewal was asked matters only while its window is open (no query otherwise).
        if (
            services.renewal_window_open(label, today)
            and not DemandeLabel.objects.filter(
                structure_id=scope.structure_id,
                type=TypeDemande.RENOUVELLEMENT,
                created_at__date__gte=renewal_windows(label)[0][0],
            ).exists()
        ):
            steps.append(
                PanelItem(
                    label="Renouvellement du label à demander",
                    url=reverse("label:home"),
                    detail=f"{renewal_windows_text(label)}, le label finit le {format_date(label.date_fin)}",
                )
            )
    return steps


@register_panel
def structure_queue(request):
    """The responsable files the requests, the observations and the charters of the structure."""
    if not request.scope.is_responsable or request.scope.structure_id is None:
        return None
    steps = _structure_steps(request, timezone.localdate())
    return Panel(
        title="Label Référent 62 : à faire par la structure",
        counts=[PanelCount(len(steps), "démarche à faire", "démarches à faire", reverse("label:home"))],
        items=steps,
        empty_text="Aucune démarche du label n'attend la structure.",
        more_url=reverse("label:home"),
        more_label="Le label de la structure",
        order=7,
    )


@register_panel
def label_summary(request):
    """The read-only manager watches the labelled structures, by territory of intervention (a
    structure working on several territories counts in each; the total counts it once)."""
    if request.scope.can_write or not request.scope.sees_departement:
        return None
    today = timezone.localdate()
    labels = Label.objects.valid_on(today)
    instruction = DemandeLabel.objects.visible_to(request.user).filter(etat__in=IN_INSTRUCTION)
    territoires = Territoire.objects.visible_to(request.user).annotate(
        labellisees=count_per_row(labels, "structure__territoires", distinct="structure"),
        en_instruction=count_per_row(instruction, "structure__territoires", distinct="structure"),
    )
    rows = [(t.nom, [t.labellisees, t.en_instruction]) for t in territoires.order_by("nom")]
    totals = [
        labels.values("structure").distinct().count(),
        instruction.values("structure").distinct().count(),
    ]
    return Panel(
        title="Label Référent 62 par territoire",
        table=PanelTable(
            row_header="Territoire",
            columns=["Structures labellisées", "Demandes en instruction"],
            rows=rows,
            total=totals,
            caption=f"Au {format_date(today)} ; une structure compte dans chaque territoire où elle intervient.",
        ),
        more_url=reverse("label:remise"),
        more_label="Remise annuelle des labels",
        order=2,
    )
