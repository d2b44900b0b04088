"""The label request's pages, from the draft to the decision, its moratorium and its appeal."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from label import perms, services
from label.enums import EtatDemande, EtatRecours, Evaluateur, TypeDemande
from label.forms import (
    AvisSlaiForm,
    DecisionForm,
    DemandeForm,
    EvaluationDpidForm,
    EvaluationForm,
    MoratoireForm,
    PanelReduitForm,
    RecoursForm,
    RenvoiForm,
    ReponseRecoursForm,
)
from label.models import (
    CerAnonymise,
    DemandeLabel,
    EvaluationCer,
    TirageCer,
)
from label.selectors import (
    label_criteria,
    panel_summary,
    training_statuses,
)
from label.views.common import _control_is_visible, _fail, _submit
from portal.core.formats import format_date
from portal.core.forms import add_service_error, page_with_forms
from portal.documents.selectors import documents_panel
from portal.grille_cer import GRID, grade
from portal.referentiels.models import Referent, Structure

# --- requests --------------------------------------------------------------------------------


@require_POST
def demande_create(request):
    scope = request.scope
    if not scope.is_responsable:
        raise PermissionDenied
    structure = Structure.objects.get(pk=scope.structure_id)
    try:
        demande = services.demande_create(structure=structure, user=request.user)
    except services.LabelError as error:
        _fail(request, error)
        return redirect("label:home")
    messages.success(request, "Demande de label créée : complétez-la puis déposez-la.")
    return redirect("label:demande_detail", pk=demande.pk)


def _get_demande(request, pk):
    return get_object_or_404(DemandeLabel.objects.visible_to(request.user).select_related("structure"), pk=pk)


def demande_detail(request, pk):
    return _demande_page(request, _get_demande(request, pk))


def _demande_forms(user, demande):
    """The forms the request's page shows to this user in its current state (None: not shown)."""
    can_instruct = perms.can_instruct(user, demande)
    etat = demande.etat
    recours = getattr(demande, "recours", None)
    slai = perms.can_give_slai_opinion(user, demande) and etat == EtatDemande.AVIS_DPID
    return {
        "demande": DemandeForm(instance=demande) if perms.can_edit_demande(user, demande) else None,
        # A withdrawal's new study is concluded from the withdrawal's page, not evaluated here.
        "evaluation": EvaluationDpidForm()
        if can_instruct and etat == EtatDemande.DEPOSEE and demande.type != TypeDemande.ETUDE_RETRAIT
        else None,
        "panel_reduit": PanelReduitForm(tirages=_short_panels(demande))
        if can_instruct and etat == EtatDemande.DEPOSEE and _short_panels(demande).exists()
        else None,
        "renvoi": RenvoiForm() if can_instruct and etat in (EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID) else None,
        "slai": AvisSlaiForm(initial={"avis": demande.avis_dpid}) if slai else None,
        # A renewal (lighter procedure) is decided from the DPID's control, without the SLAI step.
        "decision": DecisionForm()
        if can_instruct
        and (
            etat == EtatDemande.AVIS_SLAI
            or (etat == EtatDemande.AVIS_DPID and demande.type == TypeDemande.RENOUVELLEMENT)
        )
        else None,
        "reponse": ReponseRecoursForm()
        if can_instruct and recours is not None and recours.etat == EtatRecours.DEPOSE
        else None,
    }


def _short_panels(demande):
    """Draws of fewer than 5 CERs the DPID has not accepted yet."""
    short = [t.pk for t in demande.tirages.all() if t.is_short and t.panel_reduit_accepte_le is None]
    return TirageCer.objects.filter(pk__in=short).select_related("referent").order_by("referent__nom")


def _demande_page(request, demande, bound=None):
    """The request's page; after a bad submission of one of its forms, `bound` = (key, form)."""
    today = timezone.localdate()
    referents = Referent.objects.filter(structure=demande.structure).actifs().order_by("nom", "prenom")
    if request.scope.is_referent:
        # A referent sees the request, but only their own training and CERs.
        referents = referents.filter(pk=request.scope.referent_id)
    tirages = {t.referent_id: t for t in demande.tirages.all()}
    evaluations = list(
        demande.evaluations.filter(cer__in=CerAnonymise.objects.visible_to(request.user))
        .select_related("cer", "cer__referent")
        .order_by("cer__referent__nom", "cer__numero_caf")
    )
    user = request.user
    context = {
        "demande": demande,
        "today": today,
        "statuses": training_statuses(referents, today),
        "tirages": tirages,
        "referents": referents,
        "evaluations_structure": [e for e in evaluations if e.evaluateur == Evaluateur.STRUCTURE],
        "evaluations_dpid": [e for e in evaluations if e.evaluateur == Evaluateur.DPID]
        if _control_is_visible(user, demande)
        else [],
        "summary": panel_summary(demande),
        # The verdict on both criteria, for those who instruct or decide (not for a referent, who
        # sees only their own line).
        "criteria": None if request.scope.is_referent else label_criteria(demande, today),
        "transitions": demande.transitions.select_related("user"),
        "can_edit": perms.can_edit_demande(user, demande),
        "can_file_recours": perms.can_file_recours(user, demande),
        "recours_deadline": services.recours_deadline(demande),
        "can_fill_moratoire": perms.can_instruct(user, demande) or perms.can_give_slai_opinion(user, demande),
        "documents_panel": documents_panel(user, demande),
    }
    context["label"] = getattr(demande, "label", None)
    context["etude_retrait"] = getattr(demande, "etude_retrait", None)
    context["moratoire"] = getattr(demande, "moratoire", None)
    recours = getattr(demande, "recours", None)
    if recours is not None:
        context["recours"] = recours
        context["recours_answer_deadline"] = services.recours_answer_deadline(recours)
        context["contentieux_deadline"] = services.contentieux_deadline(recours)
    return page_with_forms(
        request,
        "label/demande_detail.html",
        context,
        forms=_demande_forms(user, demande),
        bound=bound,
        fallback=reverse("label:demande_detail", args=[demande.pk]),
    )


def _submit_demande(request, pk, *, check, form, key, action):
    demande = _get_demande(request, pk)
    return _submit(request, demande, check=check, form=form, key=key, action=action, page=_demande_page)


@require_POST
def demande_update(request, pk):
    demande = _get_demande(request, pk)

    def action(demande, data):
        services.demande_update(demande=demande, user=request.user, **data)
        return "Demande enregistrée."

    form = DemandeForm(request.POST, instance=demande)
    return _submit(
        request, demande, check=perms.can_edit_demande, form=form, key="demande", action=action, page=_demande_page
    )


@require_POST
def tirage_create(request, pk, referent_pk):
    demande = _get_demande(request, pk)
    if not perms.can_edit_demande(request.user, demande):
        raise PermissionDenied
    referent = get_object_or_404(Referent.objects.filter(structure=demande.structure), pk=referent_pk)
    try:
        tirage = services.tirage_create(demande=demande, referent=referent, user=request.user)
        messages.success(request, f"{len(tirage.selection)} CER tirés au sort pour {referent} (graine {tirage.seed}).")
    except services.LabelError as error:
        _fail(request, error)
    return redirect("label:demande_detail", pk=pk)


def evaluation(request, pk):
    evaluation = get_object_or_404(
        EvaluationCer.objects.select_related("demande__structure", "cer__referent"),
        pk=pk,
        demande__in=DemandeLabel.objects.visible_to(request.user),
        cer__in=CerAnonymise.objects.visible_to(request.user),
    )
    demande = evaluation.demande
    if evaluation.evaluateur == Evaluateur.DPID and not _control_is_visible(request.user, demande):
        raise Http404
    can_grade = (
        perms.can_edit_demande(request.user, demande)
        if evaluation.evaluateur == Evaluateur.STRUCTURE
        else perms.can_instruct(request.user, demande) and demande.etat == EtatDemande.DEPOSEE
    )
    form = EvaluationForm(request.POST or None, instance=evaluation)
    if request.method == "POST":
        if not can_grade:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.evaluation_save(evaluation=evaluation, values=form.cleaned_data, user=request.user)
                messages.success(request, f"Évaluation du CER {evaluation.cer.numero_caf} enregistrée.")
                return redirect("label:demande_detail", pk=demande.pk)
            except services.LabelError as error:
                add_service_error(form, error)
    cer = evaluation.cer.cer
    context = {
        "evaluation": evaluation,
        "demande": demande,
        "cer": cer,
        "result": grade(cer),
        "grid": GRID,
        "form": form,
        "can_grade": can_grade,
    }
    return render(request, "label/evaluation.html", context)


@require_POST
def demande_deposer(request, pk):
    """A button without input: what prevents the deposit is said in a message on the page."""
    demande = _get_demande(request, pk)
    if not perms.can_edit_demande(request.user, demande):
        raise PermissionDenied
    try:
        services.demande_deposer(demande=demande, user=request.user)
        messages.success(request, "Demande déposée : elle est transmise à la DPID et ne peut plus être modifiée.")
    except services.LabelError as error:
        _fail(request, error)
    return redirect("label:demande_detail", pk=pk)


@require_POST
def panel_reduit_accepter(request, pk):
    demande = _get_demande(request, pk)

    def action(demande, data):
        tirage = services.panel_reduit_accepter(tirage=data["tirage"], motif=data["motif"], user=request.user)
        return f"Panel réduit accepté pour {tirage.referent.nom_complet}."

    form = PanelReduitForm(request.POST, tirages=_short_panels(demande))
    return _submit(
        request, demande, check=perms.can_instruct, form=form, key="panel_reduit", action=action, page=_demande_page
    )


@require_POST
def demande_renvoyer(request, pk):
    def action(demande, data):
        services.demande_renvoyer(demande=demande, user=request.user, motif=data["motif"])
        return "Demande renvoyée à la structure pour correction."

    form = RenvoiForm(request.POST)
    return _submit_demande(request, pk, check=perms.can_instruct, form=form, key="renvoi", action=action)


@require_POST
def demande_evaluer(request, pk):
    def action(demande, data):
        services.demande_evaluer(demande=demande, user=request.user, **data)
        return "Évaluation enregistrée : l'avis est transmis au SLAI."

    form = EvaluationDpidForm(request.POST)
    return _submit_demande(request, pk, check=perms.can_instruct, form=form, key="evaluation", action=action)


@require_POST
def demande_avis_slai(request, pk):
    def action(demande, data):
        services.demande_avis_slai(demande=demande, user=request.user, **data)
        return "Avis du SLAI enregistré : la DPID peut décider."

    form = AvisSlaiForm(request.POST)
    return _submit_demande(request, pk, check=perms.can_give_slai_opinion, form=form, key="slai", action=action)


@require_POST
def demande_decider(request, pk):
    def action(demande, data):
        if data["decision"] == "accord":
            label = services.demande_accorder(demande=demande, user=request.user, motifs=data["motifs"])
            return (
                f"Label Référent 62 accordé jusqu'au {format_date(label.date_fin)}. Préparez le courrier de décision."
            )
        services.demande_refuser(demande=demande, user=request.user, motifs=data["motifs"])
        return "Refus enregistré. Préparez le courrier de notification."

    form = DecisionForm(request.POST)
    return _submit_demande(request, pk, check=perms.can_instruct, form=form, key="decision", action=action)


def moratoire_update(request, pk):
    demande = _get_demande(request, pk)
    moratoire = getattr(demande, "moratoire", None)
    if moratoire is None:
        raise Http404
    if not (perms.can_instruct(request.user, demande) or perms.can_give_slai_opinion(request.user, demande)):
        raise PermissionDenied
    form = MoratoireForm(request.POST or None, instance=moratoire)
    if request.method == "POST" and form.is_valid():
        services.moratoire_update(moratoire=moratoire, user=request.user, **form.cleaned_data)
        messages.success(request, "Fiche de suivi du moratoire enregistrée.")
        return redirect("label:demande_detail", pk=pk)
    return render(request, "label/moratoire_form.html", {"form": form, "demande": demande, "moratoire": moratoire})


def recours_deposer(request, pk):
    demande = _get_demande(request, pk)
    if not perms.can_file_recours(request.user, demande):
        raise PermissionDenied
    form = RecoursForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.recours_deposer(demande=demande, user=request.user, **form.cleaned_data)
            messages.success(request, "Recours gracieux déposé : le Département dispose de deux mois pour y répondre.")
            return redirect("label:demande_detail", pk=pk)
        except services.LabelError as error:
            form.add_error(None, str(error))
    context = {"form": form, "demande": demande, "deadline": services.recours_deadline(demande)}
    return render(request, "label/recours_form.html", context)


@require_POST
def recours_repondre(request, pk):
    def action(demande, data):
        recours = getattr(demande, "recours", None)
        if recours is None:
            raise services.LabelError("Aucun recours n'a été déposé.")
        services.recours_repondre(recours=recours, user=request.user, **data)
        return "Réponse au recours enregistrée."

    form = ReponseRecoursForm(request.POST)
    return _submit_demande(request, pk, check=perms.can_instruct, form=form, key="reponse", action=action)
