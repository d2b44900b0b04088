from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from label import perms, services
from label.enums import EtatDemande, EtatRecours, EtatRetrait, Evaluateur, TypeDemande
from label.forms import (
    AvisSlaiForm,
    CerImportForm,
    CharteForm,
    DecisionForm,
    DecisionRetraitForm,
    DemandeForm,
    EvaluationDpidForm,
    EvaluationForm,
    ExamenCharteForm,
    FormationForm,
    MoratoireForm,
    ObservationsForm,
    PanelReduitForm,
    RecoursForm,
    RenvoiForm,
    ReponseRecoursForm,
    RetraitForm,
)
from label.models import (
    CerAnonymise,
    CharteQualite,
    DemandeLabel,
    EvaluationCer,
    FormationReferent,
    Label,
    RapportAnnuel,
    RetraitLabel,
    TirageCer,
)
from label.selectors import (
    DEMANDE_QUEUES,
    charter_due,
    current_label,
    label_criteria,
    panel_summary,
    training_statuses,
    yearly_report,
)
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core.cer_grid import GRID, grade
from portal.core.formats import format_date
from portal.core.forms import add_service_error, page_with_forms
from portal.core.uploads import serve_upload
from portal.core.views import paginate, querystring_without_page
from portal.documents.selectors import documents_panel
from portal.documents.services import document_request
from portal.referentiels.models import Referent, Structure


def _fail(request, error):
    messages.error(request, str(error))


# --- overview --------------------------------------------------------------------------------


def label_home(request):
    today = timezone.localdate()
    scope = request.scope
    context = {"today": today}
    if scope.is_structure_member:
        structure = Structure.objects.get(pk=scope.structure_id)
        label = current_label(structure, today)
        context.update(
            structure=structure,
            label=label,
            renewal_open=label is not None and services.renewal_window_open(label, today),
            charter=charter_due(label) if label is not None else (None, None),
            demandes=DemandeLabel.objects.visible_to(request.user).order_by("-created_at"),
            retraits=RetraitLabel.objects.visible_to(request.user).select_related("label"),
            can_request=perms.can_request_label(request.user, structure)
            and (label is None or services.renewal_window_open(label, today)),
        )
        return render(request, "label/home_structure.html", context)
    demandes = DemandeLabel.objects.visible_to(request.user).select_related("structure").order_by("deposee_at", "pk")
    etat = request.GET.get("etat", "")
    if etat in EtatDemande.values:
        demandes = demandes.filter(etat=etat)
    queue = request.GET.get("file", "")
    if queue in DEMANDE_QUEUES:  # the home page's counts link here
        demandes = demandes.filter(DEMANDE_QUEUES[queue][1])
    labels = (
        Label.objects.valid_on(today)
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("structure")
    )
    context.update(
        retraits=RetraitLabel.objects.visible_to(request.user)
        .filter(etat__in=[EtatRetrait.ACCOMPAGNEMENT, EtatRetrait.ETUDE, EtatRetrait.CONTRADICTOIRE])
        .select_related("label__structure"),
        can_withdraw=perms.can_manage_withdrawal(request.user),
        page=paginate(request, demandes),
        querystring=querystring_without_page(request),
        etat=etat,
        etats=EtatDemande.choices,
        queue=DEMANDE_QUEUES[queue][0] if queue in DEMANDE_QUEUES else "",
        labels=labels.order_by("structure__nom")[:200],
    )
    return render(request, "label/home_departement.html", context)


# --- training --------------------------------------------------------------------------------


def formations(request):
    today = timezone.localdate()
    referents = (
        Referent.objects.visible_to(request.user)
        .actifs()
        .select_related("structure")
        .order_by("structure__nom", "nom", "prenom")
    )
    structure_id = request.GET.get("structure")
    if structure_id and structure_id.isdigit():
        referents = referents.filter(structure_id=structure_id)
    page = paginate(request, referents)
    on_page = Referent.objects.filter(pk__in=[r.pk for r in page.object_list]).select_related("structure")
    statuses = training_statuses(on_page.order_by("structure__nom", "nom", "prenom"), today)
    context = {
        "page": page,
        "statuses": statuses,
        "querystring": querystring_without_page(request),
        "structures": []
        if request.scope.is_structure_member
        else Structure.objects.visible_to(request.user).order_by("nom"),
        "structure_id": structure_id or "",
        "pending": FormationReferent.objects.visible_to(request.user)
        .filter(nature="equivalence", equivalence_acceptee_at__isnull=True)
        .select_related("referent__structure", "module")[:50]
        if perms.can_accept_equivalence(request.user)
        else [],
    }
    return render(request, "label/formations.html", context)


def formation_add(request, referent_pk):
    referent = get_object_or_404(Referent.objects.visible_to(request.user).select_related("structure"), pk=referent_pk)
    if not perms.can_manage_training(request.user, referent):
        raise PermissionDenied
    form = FormationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        formation = form.save(commit=False)
        formation.referent = referent
        formation.created_by = request.user
        formation.save()
        access_record(user=request.user, obj=referent, action=Action.MODIFICATION, detail=f"formation : {formation}")
        messages.success(request, f"Formation enregistrée pour {referent}.")
        return redirect("label:formations")
    return render(request, "label/formation_form.html", {"form": form, "referent": referent})


@require_POST
def formation_accept(request, pk):
    get_object_or_404(FormationReferent.objects.visible_to(request.user), pk=pk, nature="equivalence")
    if not perms.can_accept_equivalence(request.user):
        raise PermissionDenied
    updated = FormationReferent.objects.filter(pk=pk, equivalence_acceptee_at__isnull=True).update(
        equivalence_acceptee_at=timezone.now(), equivalence_acceptee_par=request.user
    )
    messages.success(request, "Équivalence acceptée." if updated else "Action déjà effectuée.")
    return redirect("label:formations")


def formation_piece(request, pk):
    formation = get_object_or_404(FormationReferent.objects.visible_to(request.user), pk=pk)
    if not formation.piece:
        raise Http404
    access_record(user=request.user, obj=formation.referent, action=Action.TELECHARGEMENT, request=request)
    return serve_upload(formation.piece, f"justificatif-formation-{formation.pk}")


# --- CERs ------------------------------------------------------------------------------------


def cer_import(request):
    scope = request.scope
    if not scope.is_responsable:
        raise PermissionDenied
    structure = Structure.objects.get(pk=scope.structure_id)
    referents = Referent.objects.filter(structure=structure).actifs().order_by("nom", "prenom")
    form = CerImportForm(request.POST or None, request.FILES or None, referents=referents)
    if request.method == "POST" and form.is_valid():
        try:
            created = services.cers_import(
                structure=structure,
                referent=form.cleaned_data["referent"],
                data=form.cleaned_data["fichier"],
                user=request.user,
            )
        except services.LabelError as error:
            form.add_error("fichier", str(error))
        else:
            messages.success(
                request, f"{created} CER anonymisé{'s' if created > 1 else ''} ajouté{'s' if created > 1 else ''}."
            )
            return redirect("label:cer_import")
    counts = referents.annotate(nb_cer=Count("cers_anonymises"))
    return render(request, "label/cer_import.html", {"form": form, "counts": counts})


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


def _control_is_visible(user, demande):
    """The DPID's control grading is its working document until it gives its opinion."""
    return perms.can_instruct(user, demande) or demande.etat not in (EtatDemande.BROUILLON, EtatDemande.DEPOSEE)


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


def _submit(request, obj, *, check, form, key, action, page):
    """The shape of every form posted from a detail page: check the right, validate, run the
    service and say what happened; a bad submission shows the page again with the form bound
    (errors next to their field, what was typed kept) instead of a banner."""
    if not check(request.user, obj):
        raise PermissionDenied
    if form.is_valid():
        try:
            message = action(obj, form.cleaned_data)
        except services.LabelError as error:
            add_service_error(form, error)
        else:
            messages.success(request, message)
            return redirect(obj.get_absolute_url())
    return page(request, obj, bound=(key, form))


def _submit_demande(request, pk, *, check, form, key, action):
    demande = _get_demande(request, pk)
    return _submit(request, demande, check=check, form=form, key=key, action=action, page=_demande_page)


@require_POST
def demande_update(request, pk):
    demande = _get_demande(request, pk)

    def action(demande, data):
        form.save()
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
        form.save()
        access_record(user=request.user, obj=demande, action=Action.MODIFICATION, detail="fiche de suivi du moratoire")
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


# --- withdrawal ------------------------------------------------------------------------------


def retrait_create(request, label_pk):
    label = get_object_or_404(Label.objects.visible_to(request.user).select_related("structure"), pk=label_pk)
    if not perms.can_manage_withdrawal(request.user):
        raise PermissionDenied
    form = RetraitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            retrait = services.retrait_engager(label=label, user=request.user, **form.cleaned_data)
            messages.success(request, f"Procédure de retrait : {retrait.get_etat_display()}.")
            return redirect("label:retrait_detail", pk=retrait.pk)
        except services.LabelError as error:
            form.add_error(None, str(error))
    return render(request, "label/retrait_form.html", {"form": form, "label": label})


def retrait_detail(request, pk):
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    return _retrait_page(request, retrait)


def _retrait_forms(user, retrait, today):
    """The forms the withdrawal's page shows to this user in its current state (None: not shown)."""
    can_manage = perms.can_manage_withdrawal(user)
    can_observe = (
        perms.can_send_observations(user, retrait)
        and retrait.etat == EtatRetrait.CONTRADICTOIRE
        and retrait.observations_at is None
        and today <= retrait.observations_avant
    )
    decision_due = retrait.etat == EtatRetrait.CONTRADICTOIRE and (
        retrait.observations_at is not None or today > retrait.observations_avant
    )
    return {
        "observations": ObservationsForm() if can_observe else None,
        "decision": DecisionRetraitForm() if can_manage and decision_due else None,
    }


def _retrait_page(request, retrait, bound=None):
    today = timezone.localdate()
    user = request.user
    etude = retrait.etude
    context = {
        "retrait": retrait,
        "today": today,
        "can_manage": perms.can_manage_withdrawal(user),
        "study_due": retrait.etat == EtatRetrait.ACCOMPAGNEMENT and today >= retrait.accompagnement_fin,
        "etude": etude,
        # The new study's figures: the DPID's control, once the structure has filed its panel.
        "etude_summary": panel_summary(etude) if etude is not None else None,
        "etude_control_visible": etude is not None and _control_is_visible(user, etude),
        "documents_panel": documents_panel(user, retrait),
    }
    return page_with_forms(
        request,
        "label/retrait_detail.html",
        context,
        forms=_retrait_forms(user, retrait, today),
        bound=bound,
        fallback=reverse("label:retrait_detail", args=[retrait.pk]),
    )


def _submit_retrait(request, pk, *, check, form, key, action):
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    return _submit(request, retrait, check=check, form=form, key=key, action=action, page=_retrait_page)


def _can_manage_withdrawal(user, retrait):
    return perms.can_manage_withdrawal(user)


def _retrait_step(request, pk, step, success):
    """A button without input on the withdrawal's page: what prevents the step is said in a
    message on the page."""
    retrait = get_object_or_404(
        RetraitLabel.objects.visible_to(request.user).select_related("label__structure"), pk=pk
    )
    if not perms.can_manage_withdrawal(request.user):
        raise PermissionDenied
    try:
        step(retrait=retrait, user=request.user)
    except services.LabelError as error:
        _fail(request, error)
    else:
        retrait.refresh_from_db()
        messages.success(request, success(retrait))
    return redirect("label:retrait_detail", pk=pk)


@require_POST
def retrait_etude(request, pk):
    """After the SLAI support, open the new study: a new draw graded on the grid."""
    return _retrait_step(
        request,
        pk,
        services.retrait_ouvrir_etude,
        lambda retrait: (
            "Nouvelle étude ouverte : la structure tire au sort 5 CER par référent, les auto-évalue "
            "et dépose l'étude, puis la DPID les contrôle."
        ),
    )


@require_POST
def retrait_conclure(request, pk):
    """The new study's result decides: label maintained, or withdrawal notified."""
    return _retrait_step(
        request,
        pk,
        services.retrait_conclure_etude,
        lambda retrait: (
            "Nouvelle étude conclue : le label est maintenu."
            if retrait.etat == EtatRetrait.ABANDONNE
            else "Nouvelle étude conclue : qualité insuffisante, le retrait envisagé est notifié à la structure."
        ),
    )


@require_POST
def retrait_observations(request, pk):
    def action(retrait, data):
        services.retrait_observations(retrait=retrait, user=request.user, **data)
        return "Vos observations sont transmises au Département, qui y répondra dans sa décision."

    form = ObservationsForm(request.POST)
    return _submit_retrait(
        request, pk, check=perms.can_send_observations, form=form, key="observations", action=action
    )


@require_POST
def retrait_decider(request, pk):
    def action(retrait, data):
        services.retrait_decider(retrait=retrait, user=request.user, **data)
        return "Décision enregistrée. Préparez le courrier de décision."

    form = DecisionRetraitForm(request.POST)
    return _submit_retrait(request, pk, check=_can_manage_withdrawal, form=form, key="decision", action=action)


def remise(request):
    """The yearly handover of labels, territory by territory (seed 001 §7-3)."""
    today = timezone.localdate()
    try:
        annee = min(max(int(request.GET.get("annee", today.year)), 2000), 2100)
    except ValueError:
        annee = today.year
    labels = (
        Label.objects.visible_to(request.user)
        .filter(date_decision__year=annee, retire_le__isnull=True)
        .filter(structure__in=Structure.objects.visible_to(request.user))
        .select_related("structure")
        .prefetch_related("structure__territoires")
        .order_by("structure__nom")
    )
    by_territory = {}
    for label in labels:
        for territoire in label.structure.territoires.all():
            by_territory.setdefault(territoire.nom, []).append(label)
    context = {"annee": annee, "territoires": sorted(by_territory.items()), "count": len(labels)}
    return render(request, "label/remise.html", context)


def rapport_annuel(request):
    """The yearly report to the Commission Permanente (seed 001 l. 588), for the Département."""
    if not request.scope.sees_departement:
        raise PermissionDenied
    today = timezone.localdate()
    try:
        annee = min(max(int(request.GET.get("annee", today.year)), 2025), 2100)
    except ValueError:
        annee = today.year
    rapport = RapportAnnuel.objects.filter(annee=annee).first()
    context = {
        "report": yearly_report(annee),
        "annee": annee,
        "rapport": rapport,
        "documents_panel": documents_panel(request.user, rapport) if rapport is not None else [],
        "can_produce": request.scope.is_dpid,
    }
    return render(request, "label/rapport_annuel.html", context)


@require_POST
def rapport_annuel_pdf(request):
    """Produce the yearly report's PDF (documents engine): the year's report row is created the
    first time, then each request makes a new version."""
    if not request.scope.is_dpid:
        raise PermissionDenied
    try:
        annee = int(request.POST.get("annee", ""))
    except ValueError:
        annee = None
    if annee is None or not 2025 <= annee <= timezone.localdate().year:
        messages.error(request, "Choisissez une année entre 2025 et l'année en cours.")
        return redirect("label:rapport_annuel")
    rapport, _ = RapportAnnuel.objects.get_or_create(annee=annee)
    document_request(owner=rapport, kind_code="label_rapport_annuel", user=request.user)
    messages.success(request, f"Rapport annuel {annee} demandé : le PDF est en cours de production.")
    return redirect(rapport.get_absolute_url())


# --- yearly quality charter ------------------------------------------------------------------


def charte_deposer(request, label_pk):
    label = get_object_or_404(Label.objects.visible_to(request.user).select_related("structure"), pk=label_pk)
    if not perms.can_request_label(request.user, label.structure):
        raise PermissionDenied
    year, due = charter_due(label)
    form = CharteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            charte = services.charte_deposer(label=label, user=request.user, **form.cleaned_data)
            messages.success(request, f"Charte qualité de l'année {charte.annee} déposée.")
            return redirect("label:home")
        except services.LabelError as error:
            form.add_error(None, str(error))
    return render(request, "label/charte_form.html", {"form": form, "label": label, "year": year, "due": due})


@require_POST
def charte_examiner(request, pk):
    charte = get_object_or_404(CharteQualite.objects.visible_to(request.user), pk=pk)
    if not perms.can_manage_withdrawal(request.user):
        raise PermissionDenied
    form = ExamenCharteForm(request.POST, prefix=f"c{charte.pk}")
    if form.is_valid():
        try:
            services.charte_examiner(charte=charte, user=request.user, **form.cleaned_data)
        except services.LabelError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Examen de la charte enregistré.")
            return redirect(reverse("label:chartes") + _page_query(request))
    return _chartes_page(request, bound=(charte.pk, form))


def _page_query(request):
    page = request.GET.get("page", "")
    return f"?page={page}" if page.isdigit() else ""


def chartes(request):
    return _chartes_page(request)


def _chartes_page(request, bound=None):
    """Quality charters in scope, the latest first; the DPID examines them. The examination form
    of a charter posts back with the page number, so a bad submission shows the same page
    (?a_examiner=1: only those not examined yet, the home page's count links here)."""
    items = CharteQualite.objects.visible_to(request.user).select_related("label__structure").order_by("-deposee_le")
    a_examiner = request.GET.get("a_examiner") == "1"
    if a_examiner:
        items = items.filter(examinee_le__isnull=True)
    page = paginate(request, items)
    can_examine = perms.can_manage_withdrawal(request.user)
    forms = {
        charte.pk: ExamenCharteForm(prefix=f"c{charte.pk}") if can_examine and charte.examinee_le is None else None
        for charte in page.object_list
    }
    context = {
        "page": page,
        "querystring": querystring_without_page(request),
        "can_examine": can_examine,
        "pagination_path": reverse("label:chartes"),  # also shown at the examination's URL
        "a_examiner": a_examiner,
    }
    return page_with_forms(
        request,
        "label/chartes.html",
        context,
        forms=forms,
        bound=bound,
        fallback=reverse("label:chartes") + _page_query(request),
    )


def charte_piece(request, pk):
    charte = get_object_or_404(CharteQualite.objects.visible_to(request.user), pk=pk)
    if not charte.piece:
        raise Http404
    return serve_upload(charte.piece, f"charte-qualite-{charte.annee}")
