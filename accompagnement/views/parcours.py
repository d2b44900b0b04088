"""From the first CER to the exit: the referent's records, the requests to the SLAI, and the
SLAI's (or the DPID's) decisions."""

import datetime
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from accompagnement import perms
from accompagnement.enums import DecisionSuspension, EtatDemande, MomentDiagnostic, TypeCer
from accompagnement.forms import DiagnosticForm
from accompagnement.forms.parcours import (
    ActiviteForm,
    DecisionForm,
    PrescriptionForm,
    PrescriptionSuiteForm,
    RenouvellementForm,
    ReorientationDecisionForm,
    ReorientationForm,
    SortieForm,
    SuspensionForm,
)
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    DemandeReorientation,
    Orientation,
    Prescription,
    ProcedureSuspension,
)
from accompagnement.selectors import (
    current_cer,
    decisions_a_traiter,
    next_steps,
    physical_appointments,
    renouvellements_visible_to,
)
from accompagnement.services import AccompagnementError
from accompagnement.services import parcours as services
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.formats import de, format_date, format_number, plural_suffix, pluriel
from portal.core.forms import page_with_forms
from portal.echeances.base import reverse_pk
from portal.referentiels.models import Structure, Territoire

A_TRAITER_LIMIT = 20  # rows shown per block, oldest first; the block says how many wait in all


def _followed(request, pk):
    orientation = get_object_or_404(
        Orientation.objects.visible_to(request.user).select_related(
            "beneficiaire__territoire", "structure", "type_accompagnement", "referent"
        ),
        pk=pk,
    )
    if not perms.can_follow(request.user, orientation):
        raise PermissionDenied
    if request.method == "GET":  # the form pages show the person's record (diagnostics, hours, CER)
        access_record(user=request.user, obj=orientation.beneficiaire, action=Action.LECTURE, request=request)
    return orientation


def _to_record(orientation):
    return redirect("accompagnement:beneficiaire_detail", pk=orientation.beneficiaire_id)


def _structures_of(beneficiaire):
    return Structure.objects.filter(territoires=beneficiaire.territoire_id).order_by("nom")


def _url(name, pk):
    return reverse(f"accompagnement:{name}", args=[pk])


def _form_page(request, template, form, orientation, **extra):
    return render(request, f"accompagnement/{template}", {"form": form, "orientation": orientation, **extra})


def diagnostic_create(request, pk):
    orientation = _followed(request, pk)
    form = DiagnosticForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            diagnostic = services.diagnostic_create(
                orientation=orientation, data=form.cleaned_data, user=request.user, request=request
            )
            messages.success(
                request,
                f"Diagnostic ({diagnostic.get_moment_display().lower()}) du {format_date(diagnostic.date)} "
                "enregistré.",
            )
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return _form_page(request, "diagnostic_form.html", form, orientation)


def prescription_create(request, pk):
    orientation = _followed(request, pk)
    form = PrescriptionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            prescription = services.prescription_create(
                orientation=orientation, data=form.cleaned_data, user=request.user, request=request
            )
            messages.success(request, f"Prescription « {prescription.action} » enregistrée.")
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return _form_page(request, "prescription_form.html", form, orientation)


def prescription_update(request, pk):
    prescription = get_object_or_404(
        Prescription.objects.visible_to(request.user).select_related("orientation__beneficiaire"), pk=pk
    )
    orientation = prescription.orientation
    if not perms.can_follow(request.user, orientation):
        raise PermissionDenied
    form = PrescriptionSuiteForm(request.POST or None, initial={"statut": prescription.statut})
    if request.method == "POST" and form.is_valid():
        try:
            services.prescription_update(
                prescription=prescription, statut=form.cleaned_data["statut"], user=request.user, request=request
            )
            messages.success(
                request, f"Prescription « {prescription.action} » : {prescription.get_statut_display().lower()}."
            )
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return _form_page(request, "prescription_suite_form.html", form, orientation, prescription=prescription)


def reorientation_create(request, pk):
    orientation = _followed(request, pk)
    form = ReorientationForm(request.POST or None, structures=_structures_of(orientation.beneficiaire))
    if request.method == "POST" and form.is_valid():
        try:
            services.reorientation_create(
                orientation=orientation, user=request.user, request=request, **form.cleaned_data
            )
            messages.success(request, "Demande de réorientation transmise au SLAI.")
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return _form_page(
        request,
        "reorientation_form.html",
        form,
        orientation,
        diagnostic_a_jour=services.has_final_diagnostic(orientation),
    )


def reorientation_decider(request, pk):
    demande = get_object_or_404(
        DemandeReorientation.objects.visible_to(request.user).select_related(
            "orientation__beneficiaire__territoire",
            "orientation__structure",
            "orientation__type_accompagnement",
            "orientation__referent",
            "type_souhaite",
            "structure_proposee",
            "decidee_par",
            "nouvelle_orientation__structure",
        ),
        pk=pk,
    )
    orientation = demande.orientation
    if not perms.can_decide_parcours(request.user, orientation.beneficiaire):
        raise PermissionDenied
    form = ReorientationDecisionForm(
        request.POST or None, structures=_structures_of(orientation.beneficiaire), demande=demande
    )
    if request.method == "GET":
        access_record(user=request.user, obj=orientation.beneficiaire, action=Action.LECTURE, request=request)
    elif form.is_valid():
        try:
            demande = services.reorientation_decide(
                demande=demande,
                accepte=form.accepte,
                motif=form.cleaned_data["motif"],
                type_accompagnement=form.cleaned_data["type_accompagnement"],
                structure=form.cleaned_data["structure"],
                user=request.user,
                request=request,
            )
            if form.accepte:
                messages.success(
                    request,
                    f"Réorientation acceptée : orientation vers {demande.nouvelle_orientation.structure}.",
                )
            else:
                messages.success(request, "Demande de réorientation refusée.")
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    diagnostic = orientation.diagnostics.filter(moment=MomentDiagnostic.FINAL).order_by("-date", "-pk").first()
    context = {"demande": demande, "orientation": orientation, "form": form, "diagnostic": diagnostic}
    return render(request, "accompagnement/reorientation_decider.html", context)


def renouvellement_create(request, pk):
    cer = get_object_or_404(
        Cer.objects.visible_to(request.user).select_related("orientation__beneficiaire", "demande_renouvellement"),
        pk=pk,
    )
    orientation = cer.orientation
    if not perms.can_follow(request.user, orientation):
        raise PermissionDenied
    form = RenouvellementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.renouvellement_create(
                cer=cer, argumentaire=form.cleaned_data["argumentaire"], user=request.user, request=request
            )
            messages.success(request, "Demande de renouvellement transmise au SLAI.")
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    context = {
        "form": form,
        "orientation": orientation,
        "cer": cer,
        "ouvre_le": services.renewal_opens_on(cer),
        "deja_demande": hasattr(cer, "demande_renouvellement"),
    }
    return render(request, "accompagnement/renouvellement_form.html", context)


def renouvellement_decider(request, pk):
    demande = get_object_or_404(
        renouvellements_visible_to(request.user).select_related(
            "cer__orientation__beneficiaire__territoire", "cer__orientation__structure", "decidee_par"
        ),
        pk=pk,
    )
    orientation = demande.cer.orientation
    if not perms.can_decide_parcours(request.user, orientation.beneficiaire):
        raise PermissionDenied
    form = DecisionForm(request.POST or None)
    if request.method == "GET":
        access_record(user=request.user, obj=orientation.beneficiaire, action=Action.LECTURE, request=request)
    elif form.is_valid():
        try:
            services.renouvellement_decide(
                demande=demande,
                accepte=form.accepte,
                motif=form.cleaned_data["motif"],
                user=request.user,
                request=request,
            )
            messages.success(
                request, "Renouvellement accepté." if form.accepte else "Demande de renouvellement refusée."
            )
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    context = {"demande": demande, "orientation": orientation, "form": form, "cer_url": demande.cer.get_absolute_url()}
    return render(request, "accompagnement/renouvellement_decider.html", context)


def beneficiaire_page(request, beneficiaire, bound=None):
    """The person's record: identity, accompaniments in progress with what the user may do, and
    one timeline of everything (bounded queries: all prefetched). After a bad suspension
    decision, `bound` = (procedure pk, the bound form)."""
    access_record(user=request.user, obj=beneficiaire, action=Action.LECTURE, request=request)
    orientations = list(
        Orientation.objects.visible_to(request.user)
        .filter(beneficiaire=beneficiaire)
        .select_related("structure", "type_accompagnement", "referent", "sortie", "issue_de_reorientation")
        .prefetch_related(*RECORD_PREFETCH)
        .order_by("date_orientation", "pk")
    )
    for orientation in orientations:
        orientation.beneficiaire = beneficiaire
    record_cards = cards(request.user, orientations, timezone.localdate())
    context = {
        "beneficiaire": beneficiaire,
        "timeline": timeline(orientations),
        "cards": record_cards,
        "cible": ActiviteHebdomadaire.CIBLE_HEURES,
        "can_export": perms.can_export_beneficiaire(request.user, beneficiaire),
        "beneficiaire_content_type": ContentType.objects.get_for_model(Beneficiaire).pk,
    }
    forms = {
        procedure.pk: SuspensionForm(procedure=procedure) if card.can_decide else None
        for card in record_cards
        for procedure in card.suspensions
    }
    fallback = reverse("accompagnement:beneficiaire_detail", args=[beneficiaire.pk])
    return page_with_forms(
        request, "accompagnement/beneficiaire_detail.html", context, forms=forms, bound=bound, fallback=fallback
    )


@require_POST
def suspension_traiter(request, pk):
    procedure = get_object_or_404(
        ProcedureSuspension.objects.visible_to(request.user).select_related("entretien__orientation__beneficiaire"),
        pk=pk,
    )
    beneficiaire = procedure.entretien.orientation.beneficiaire
    if not perms.can_decide_parcours(request.user, beneficiaire):
        raise PermissionDenied
    from_a_traiter = request.POST.get("retour") == "a_traiter"
    form = SuspensionForm(request.POST, procedure=procedure)
    if form.is_valid():
        try:
            services.suspension_traiter(procedure=procedure, user=request.user, request=request, **form.cleaned_data)
        except AccompagnementError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Procédure de suspension {de(beneficiaire.nom_complet)} traitée.")
            if from_a_traiter:
                return redirect("accompagnement:slai_a_traiter")
            return redirect("accompagnement:beneficiaire_detail", pk=beneficiaire.pk)
    if from_a_traiter:
        return _a_traiter_page(request, bound=(procedure.pk, form))
    beneficiaire = get_object_or_404(
        Beneficiaire.objects.visible_to(request.user).select_related("territoire"), pk=beneficiaire.pk
    )
    return beneficiaire_page(request, beneficiaire, bound=(procedure.pk, form))


def _waiting(queryset, date_field, today, *, fields, row):
    """The oldest rows of a block and how many wait in all. A first narrow query takes the keys of
    the whole block in order (a SLAI's few hundred, read from covering indexes without the
    tables), a second one the columns shown for the first 20, as dicts (no model instances):
    `row(values)` turns each into what the template shows, its links formatted from the pk
    (`reverse_pk`, one `reverse()` per link name and page). No LIMIT on the first: with one,
    PostgreSQL walks the block in date order and probes each request of the Département for its
    territory (it expects to stop after 20 rows, but the count needs them all); without, it hashes
    the scope's orientations once (EXPLAIN on the scale data, SLAI renewals: 10 ms → 3.5 ms)."""
    keys = list(queryset.order_by(date_field, "pk").values_list("pk", flat=True))
    if not keys:
        return {"rows": [], "total": 0}
    values = (
        queryset.model.objects.filter(pk__in=keys[:A_TRAITER_LIMIT])
        .order_by(date_field, "pk")
        .values("pk", date_field, *fields)
    )
    rows = []
    for value in values:
        jours = (today - value[date_field]).days
        rows.append(
            {"pk": value["pk"], "jours": jours, "jours_label": f"{jours} jour{plural_suffix(jours)}", **row(value)}
        )
    return {"rows": rows, "total": len(keys)}


def _person(value, path):
    """The person of a row (name and record link) and their orientation's structure."""
    beneficiaire_id = value[f"{path}beneficiaire_id"]
    nom = f"{value[f'{path}beneficiaire__prenom']} {value[f'{path}beneficiaire__nom']}"
    return {
        "beneficiaire_id": beneficiaire_id,
        "nom": nom,
        "fiche_url": reverse_pk("accompagnement:beneficiaire_detail", beneficiaire_id),
        "structure": value[f"{path}structure__nom"],
    }


def _person_fields(path):
    return [
        f"{path}beneficiaire_id",
        f"{path}beneficiaire__prenom",
        f"{path}beneficiaire__nom",
        f"{path}structure__nom",
    ]


def _suspension_row(value):
    path = "orientation__"
    referent = None
    if value[f"{path}referent_id"] is not None:
        referent = f"{value[f'{path}referent__prenom']} {value[f'{path}referent__nom']}"
    return {
        **_person(value, path),
        "orientation_id": value["orientation_id"],
        "referent": referent,
        "absence": format_date(value["entretien__date"]),
        "decision_url": reverse_pk("accompagnement:suspension_traiter", value["pk"]),
        "form_id": f"suspension-{value['pk']}",  # SuspensionForm's auto_id prefix
    }


def _reorientation_row(value):
    return {
        **_person(value, "orientation__"),
        "orientation_id": value["orientation_id"],
        "proposition": value["type_souhaite__libelle"],
        "demandee_le": format_date(value["date_demande"]),
        "decider_url": reverse_pk("accompagnement:reorientation_decider", value["pk"]),
    }


def _renouvellement_row(value):
    debut, fin = format_date(value["cer__date_debut"]), format_date(value["cer__date_fin"])
    cer = f"{TypeCer(value['cer__type']).label} du {debut} au {fin}"
    return {
        **_person(value, "orientation__"),
        "orientation_id": value["orientation_id"],
        "cer": cer,
        "demandee_le": format_date(value["date_demande"]),
        "decider_url": reverse_pk("accompagnement:renouvellement_decider", value["pk"]),
    }


def slai_a_traiter(request):
    return _a_traiter_page(request)


def _a_traiter_page(request, bound=None):
    """What waits for the SLAI's decision; a bad suspension decision posted from it comes back
    bound (`bound` = (procedure pk, form))."""
    if not perms.can_see_a_traiter(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    territoires = Territoire.objects.order_by("nom") if request.scope.is_dpid else Territoire.objects.none()
    territoire = None
    if request.scope.is_dpid and request.GET.get("territoire", "").isdigit():
        territoire = territoires.filter(pk=request.GET["territoire"]).first()
    person = {"territoire": territoire} if territoire else {}  # the person's, kept on the orientation

    def scoped(queryset, path):
        return queryset.filter(**{f"{path}{key}": value for key, value in person.items()})

    pending = decisions_a_traiter(request.user)
    suspensions = _waiting(
        scoped(pending["suspensions"], "orientation__"),
        "ouverte_le",
        today,
        fields=[
            "entretien__date",
            "orientation_id",
            "orientation__referent_id",
            "orientation__referent__prenom",
            "orientation__referent__nom",
            *_person_fields("orientation__"),
        ],
        row=_suspension_row,
    )
    reorientations = _waiting(
        scoped(pending["reorientations"], "orientation__"),
        "date_demande",
        today,
        fields=["orientation_id", "type_souhaite__libelle", *_person_fields("orientation__")],
        row=_reorientation_row,
    )
    renouvellements = _waiting(
        scoped(pending["renouvellements"], "orientation__"),
        "date_demande",
        today,
        fields=[
            "cer__type",
            "cer__date_debut",
            "cer__date_fin",
            "orientation_id",
            *_person_fields("orientation__"),
        ],
        row=_renouvellement_row,
    )
    context = {
        "suspensions": suspensions,
        "reorientations": reorientations,
        "renouvellements": renouvellements,
        "territoires": territoires,
        "territoire": territoire,
        "limit": A_TRAITER_LIMIT,
        "decisions": DecisionSuspension.choices,
    }
    # SuspensionForm needs its procedure's pk alone (its ids); the rows are dicts.
    forms = {row["pk"]: SuspensionForm(procedure=SimpleNamespace(pk=row["pk"])) for row in suspensions["rows"]}
    fallback = reverse("accompagnement:slai_a_traiter")
    if territoire is not None:
        fallback += f"?territoire={territoire.pk}"
    return page_with_forms(
        request, "accompagnement/slai_a_traiter.html", context, forms=forms, bound=bound, fallback=fallback
    )


def activite_create(request, pk):
    orientation = _followed(request, pk)
    form = ActiviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activite = services.activite_create(
                orientation=orientation, user=request.user, request=request, **form.cleaned_data
            )
            messages.success(
                request,
                f"{format_number(activite.heures, 1)} h enregistrées pour la semaine du "
                f"{format_date(activite.semaine)}.",
            )
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    semaines = orientation.activites.order_by("-semaine")[:8]
    return _form_page(
        request,
        "activite_form.html",
        form,
        orientation,
        semaines=semaines,
        cible=ActiviteHebdomadaire.CIBLE_HEURES,
        offert=orientation.type_accompagnement.code == services.EQUILIBRE,
    )


def sortie_create(request, pk):
    orientation = _followed(request, pk)
    data = request.POST if request.method == "POST" else None
    form = SortieForm(data)
    diagnostic_form = None
    if not services.has_final_diagnostic(orientation):
        diagnostic_form = DiagnosticForm(data, prefix="diagnostic", moment=MomentDiagnostic.FINAL)
    if data is not None and form.is_valid() and (diagnostic_form is None or diagnostic_form.is_valid()):
        try:
            sortie = services.sortie_create(
                orientation=orientation,
                diagnostic_data=diagnostic_form.cleaned_data if diagnostic_form is not None else None,
                user=request.user,
                request=request,
                **form.cleaned_data,
            )
            messages.success(
                request,
                f"Sortie du {format_date(sortie.date)} enregistrée : {sortie.get_motif_display()} "
                f"({sortie.categorie.label}).",
            )
            return _to_record(orientation)
        except AccompagnementError as error:
            form.add_error(None, str(error))
    return _form_page(request, "sortie_form.html", form, orientation, diagnostic_form=diagnostic_form)


# --- the person's record (used by views.base.beneficiaire_detail) -------------------------------

RECORD_PREFETCH = (
    "entretiens__procedure_suspension",
    "cers__actions",
    "cers__demande_renouvellement",
    "diagnostics",
    "prescriptions",
    "demandes_reorientation__type_souhaite",
    "demandes_reorientation__structure_proposee",
    "demandes_reorientation__nouvelle_orientation__structure",
    "activites",
)
RECENT_WEEKS = 8


@dataclass
class Event:
    date: datetime.date
    label: str
    url: str | None = None
    link: str = ""
    order: int = 0


def _cer_label(cer):
    return f"{cer.get_type_display()} du {format_date(cer.date_debut)} au {format_date(cer.date_fin)}"


def _decision(prefix, demande):
    text = f"{prefix} : demande {demande.get_etat_display().lower()}"
    return text + (f" ({demande.decision_motif})" if demande.decision_motif else "")


def timeline(orientations) -> list[Event]:
    """Everything that happened, oldest first, from prefetched orientations (`RECORD_PREFETCH`)."""
    events = []
    for o in orientations:
        origin = " à la suite d'une réorientation" if getattr(o, "issue_de_reorientation", None) else ""
        events.append(Event(o.date_orientation, f"Orientée vers {o.structure} ({o.type_accompagnement}){origin}"))
        if o.date_affectation and o.referent:
            events.append(Event(o.date_affectation, f"Suivie par {o.referent}", order=1))
        for e in o.entretiens.all():
            label = f"{e.get_nature_display()} ({e.get_mode_display().lower()}) : {e.get_presence_display().lower()}"
            procedure = getattr(e, "procedure_suspension", None)
            if procedure:
                label += " – procédure de suspension ouverte"
                if procedure.traitee_le:
                    events.append(
                        Event(procedure.traitee_le, f"Procédure de suspension : {procedure.get_decision_display()}")
                    )
            events.append(Event(e.date, label))
        for d in o.diagnostics.all():
            events.append(Event(d.date, f"Diagnostic 360° – {d.get_moment_display().lower()}"))
        for p in o.prescriptions.all():
            events.append(
                Event(p.date, f"Prescription « {p.action} » ({p.organisme}) : {p.get_statut_display().lower()}")
            )
        for cer in o.cers.all():
            signed = f", signé le {format_date(cer.signe_le)}" if cer.signe_le else ", non signé"
            url = cer.get_absolute_url()
            count = len(cer.actions.all())
            events.append(
                Event(cer.date_edition, f"{_cer_label(cer)} – {pluriel(count, 'action')}{signed}", url, "Voir le CER")
            )
            if cer.cloture_le:
                events.append(
                    Event(cer.cloture_le, f"Clôture du {_cer_label(cer)} (diagnostic actualisé)", url, "Voir le CER")
                )
            demande = getattr(cer, "demande_renouvellement", None)
            if demande:
                events.append(Event(demande.date_demande, f"Demande de renouvellement du {_cer_label(cer)}"))
                if demande.decidee_le:
                    events.append(Event(demande.decidee_le, _decision("Renouvellement du CER", demande)))
        for demande in o.demandes_reorientation.all():
            events.append(Event(demande.date_demande, f"Demande de réorientation vers {demande.type_souhaite}"))
            if demande.decidee_le:
                label = _decision("Réorientation", demande)
                if demande.nouvelle_orientation:
                    label += f" – nouvelle orientation vers {demande.nouvelle_orientation.structure}"
                events.append(Event(demande.decidee_le, label, order=2))
        weeks = list(o.activites.all())
        if weeks:
            met = sum(1 for week in weeks if week.heures >= ActiviteHebdomadaire.CIBLE_HEURES)
            events.append(
                Event(
                    weeks[-1].semaine,
                    f"Heures d'activité : {pluriel(len(weeks), 'semaine')} saisie{plural_suffix(weeks)}, objectif de "
                    f"{ActiviteHebdomadaire.CIBLE_HEURES} h atteint {met} fois",
                )
            )
        sortie = getattr(o, "sortie", None)
        if sortie:
            events.append(
                Event(
                    sortie.date,
                    f"Sortie le {format_date(sortie.date)} : {sortie.get_motif_display()} ({sortie.categorie.label})",
                    order=3,
                )
            )
        elif o.date_fin:
            events.append(Event(o.date_fin, "Fin de l'accompagnement", order=3))
    return sorted(events, key=lambda event: (event.date, event.order))


@dataclass
class Card:
    """An accompaniment in progress on the record, with what the user may do on it."""

    orientation: Orientation
    steps: list
    can_assign: bool
    can_follow: bool
    can_decide: bool
    links: list = field(default_factory=list)
    pending: list = field(default_factory=list)  # (label, url) of requests awaiting the SLAI
    suspensions: list = field(default_factory=list)  # pending procedures
    prescriptions: list = field(default_factory=list)
    semaines: list = field(default_factory=list)
    is_equilibre: bool = False
    rdv_physiques: int = 0  # attended physical appointments of the accompaniment phase
    rdv_physiques_attendus: int | None = None  # équilibré: 12 (seed 003 l. 462)


def cards(user, orientations, today) -> list[Card]:
    result = []
    for o in orientations:
        if o.date_fin is not None:
            continue
        card = Card(
            orientation=o,
            steps=next_steps(o, today),
            can_assign=perms.can_assign(user, o),
            can_follow=perms.can_follow(user, o),
            can_decide=perms.can_decide_parcours(user, o.beneficiaire),
            is_equilibre=o.type_accompagnement.code == services.EQUILIBRE,
            prescriptions=list(o.prescriptions.all()),
            rdv_physiques=physical_appointments(o),
            rdv_physiques_attendus=o.type_accompagnement.rdv_physiques,
        )
        card.semaines = sorted(o.activites.all(), key=lambda week: week.semaine, reverse=True)[:RECENT_WEEKS]
        card.suspensions = [
            e.procedure_suspension
            for e in o.entretiens.all()
            if getattr(e, "procedure_suspension", None) and not e.procedure_suspension.traitee_le
        ]
        pending_reorientation = None
        for demande in o.demandes_reorientation.all():
            if demande.etat == EtatDemande.DEPOSEE:
                pending_reorientation = demande
                url = _url("reorientation_decider", demande.pk) if card.can_decide else None
                card.pending.append((f"Réorientation demandée le {format_date(demande.date_demande)}", url))
        current = current_cer(o)
        for cer in o.cers.all():
            demande = getattr(cer, "demande_renouvellement", None)
            if demande and demande.etat == EtatDemande.DEPOSEE:
                url = _url("renouvellement_decider", demande.pk) if card.can_decide else None
                card.pending.append((f"Renouvellement demandé le {format_date(demande.date_demande)}", url))
        if card.can_follow:
            follow = [
                ("Saisir un entretien", _url("entretien_create", o.pk)),
                ("Saisir un CER", _url("cer_create", o.pk)),
                ("Saisir un diagnostic", _url("diagnostic_create", o.pk)),
                ("Prescrire une action", _url("prescription_create", o.pk)),
            ]
            if card.is_equilibre:
                follow.append(("Saisir les heures de la semaine", _url("activite_create", o.pk)))
            if current is not None:
                demande = getattr(current, "demande_renouvellement", None)
                if demande is None:
                    follow.append(
                        (
                            "Demander le renouvellement du CER",
                            _url("renouvellement_create", current.pk),
                        )
                    )
                elif demande.etat == EtatDemande.ACCEPTEE and not any(
                    c.renouvelle_id == current.pk for c in o.cers.all()
                ):
                    follow.append(
                        (
                            "Saisir le CER de renouvellement",
                            _url("cer_renouveler", current.pk),
                        )
                    )
            if pending_reorientation is None:
                follow.append(("Demander une réorientation", _url("reorientation_create", o.pk)))
            follow.append(("Saisir la sortie", _url("sortie_create", o.pk)))
            card.links = follow
        result.append(card)
    return result
