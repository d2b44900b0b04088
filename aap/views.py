from collections.abc import Callable
from typing import NamedTuple

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from aap import exports, perms, selectors, services
from aap.catalogue import APPRECIATIONS, COHERENCE, RECEVABILITE
from aap.completeness import cv_required, label_gate_message, missing_items
from aap.enums import EtatCandidature, Section
from aap.forms import (
    AnnotationForm,
    AppelForm,
    AvisTerritorialForm,
    BudgetForm,
    CorrectionForm,
    DecisionForm,
    DemandeAvisForm,
    DispositifForm,
    FenetreExtendForm,
    FenetreForm,
    PersonnelForm,
    PieceForm,
    ProjetForm,
    PropositionForm,
    QueueFilterForm,
    RecevabiliteForm,
    ReponseAvisForm,
    RevueForm,
    StartForm,
    ThematiqueForm,
)
from aap.models import AppelAProjets, Candidature, DemandeAvis, Dispositif, FenetreDepot, Personnel, PieceJointe
from portal.audit.enums import Action
from portal.audit.services import access_record
from portal.core import tabular
from portal.core.uploads import serve_upload
from portal.core.views import paginate, querystring_without_page
from portal.documents.selectors import documents_panel
from portal.referentiels.models import Structure


def _fail(request, error):
    messages.error(request, str(error))
    for item in getattr(error, "items", []):
        messages.error(request, item)


def _form_page(request, form, *, title, back, intro="", multipart=False, submit="Enregistrer", autosave=False):
    return render(
        request,
        "aap/form.html",
        {
            "form": form,
            "title": title,
            "back": back,
            "intro": intro,
            "multipart": multipart,
            "submit": submit,
            "autosave": autosave,
        },
    )


def _is_autosave(request):
    return request.method == "POST" and request.headers.get("X-Autosave") == "1"


def _autosaved(form):
    """The draft form saves itself as the user types (static/js/aap-autosave.js): a short answer
    instead of a page; invalid input is not saved and stays in the form."""
    if form.is_valid():
        return JsonResponse({"ok": True, "saved_at": timezone.localtime().strftime("%H:%M")})
    return JsonResponse({"ok": False}, status=422)


def _require(allowed):
    if not allowed:
        raise PermissionDenied


# --- calls -----------------------------------------------------------------------------------


def home(request):
    """Published calls (and drafts for the DPID); a structure also sees its applications."""
    now = timezone.now()
    appels = (
        AppelAProjets.objects.visible_to(request.user)
        .prefetch_related("fenetres", "dispositifs")
        .order_by("-annee", "titre")
    )
    context = {"appels": appels, "now": now, "can_manage": perms.can_manage_calls(request.user)}
    if request.scope.is_structure_member:
        context["candidatures"] = (
            Candidature.objects.visible_to(request.user)
            .select_related("dispositif__appel", "territoire")
            .order_by("-created_at")
        )
    return render(request, "aap/home.html", context)


def appel_create(request):
    _require(perms.can_manage_calls(request.user))
    form = AppelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        appel = form.save()
        access_record(user=request.user, obj=appel, action=Action.CREATION)
        messages.success(
            request, "Appel à projets créé (brouillon) : ajoutez ses thématiques, dispositifs et périodes."
        )
        return redirect(appel)
    return _form_page(request, form, title="Nouvel appel à projets", back="aap:home")


def appel_detail(request, pk):
    appel = get_object_or_404(
        AppelAProjets.objects.visible_to(request.user).prefetch_related(
            "fenetres",
            "thematiques",
            Prefetch("dispositifs", queryset=Dispositif.objects.select_related("thematique")),
        ),
        pk=pk,
    )
    return render(
        request,
        "aap/appel_detail.html",
        {
            "appel": appel,
            "now": timezone.now(),
            "open_window": appel.open_window(),
            "can_manage": perms.can_manage_calls(request.user),
        },
    )


def appel_update(request, pk):
    _require(perms.can_manage_calls(request.user))
    appel = get_object_or_404(AppelAProjets.objects.visible_to(request.user), pk=pk)
    form = AppelForm(request.POST or None, instance=appel)
    if request.method == "POST" and form.is_valid():
        form.save()
        access_record(user=request.user, obj=appel, action=Action.MODIFICATION)
        messages.success(request, "Appel à projets enregistré.")
        return redirect(appel)
    return _form_page(request, form, title=f"Modifier « {appel} »", back=appel.get_absolute_url())


@require_POST
def appel_publish(request, pk):
    appel = get_object_or_404(AppelAProjets.objects.visible_to(request.user), pk=pk)
    _require(perms.can_manage_calls(request.user))
    try:
        services.appel_publish(appel=appel, user=request.user)
        messages.success(request, "Appel à projets publié : les structures le voient désormais.")
    except services.AapError as error:
        _fail(request, error)
    return redirect(appel)


def thematique_create(request, pk):
    _require(perms.can_manage_calls(request.user))
    appel = get_object_or_404(AppelAProjets.objects.visible_to(request.user), pk=pk)
    form = ThematiqueForm(request.POST or None)
    form.instance.appel = appel
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Thématique ajoutée.")
        return redirect(appel)
    return _form_page(request, form, title=f"Nouvelle thématique – {appel}", back=appel.get_absolute_url())


def dispositif_create(request, pk):
    _require(perms.can_manage_calls(request.user))
    appel = get_object_or_404(AppelAProjets.objects.visible_to(request.user), pk=pk)
    form = DispositifForm(request.POST or None, appel=appel)
    if request.method == "POST" and form.is_valid():
        dispositif = form.save()
        access_record(user=request.user, obj=dispositif, action=Action.CREATION)
        messages.success(request, "Dispositif ajouté : vérifiez sa fiche dans l'aperçu.")
        return redirect(dispositif)
    return _form_page(request, form, title=f"Nouveau dispositif – {appel}", back=appel.get_absolute_url())


def dispositif_update(request, pk):
    _require(perms.can_manage_calls(request.user))
    dispositif = get_object_or_404(Dispositif.objects.visible_to(request.user).select_related("appel"), pk=pk)
    form = DispositifForm(request.POST or None, instance=dispositif, appel=dispositif.appel)
    if request.method == "POST" and form.is_valid():
        form.save()
        access_record(user=request.user, obj=dispositif, action=Action.MODIFICATION)
        messages.success(request, "Fiche du dispositif enregistrée.")
        return redirect(dispositif)
    return _form_page(request, form, title=f"Modifier le dispositif {dispositif}", back=dispositif.get_absolute_url())


def dispositif_detail(request, pk):
    """The fiche, rendered for reading, with what a structure will need before it starts."""
    dispositif = get_object_or_404(
        Dispositif.objects.visible_to(request.user)
        .select_related("appel", "thematique")
        .prefetch_related("territoires"),
        pk=pk,
    )
    today = timezone.localdate()
    context = {
        "dispositif": dispositif,
        "appel": dispositif.appel,
        "open_window": dispositif.appel.open_window(),
        "can_manage": perms.can_manage_calls(request.user),
        "can_apply": perms.can_apply(request.user) and dispositif.appel.is_published,
        "start_form": None,
        "cv_required": True,
        "gate": "",
        "mine": [],
    }
    if request.scope.is_structure_member:
        structure = Structure.objects.get(pk=request.scope.structure_id)
        context.update(
            start_form=StartForm(dispositif=dispositif),
            cv_required=cv_required(Candidature(dispositif=dispositif, structure=structure), today),
            gate=label_gate_message(Candidature(dispositif=dispositif, structure=structure), today),
            mine=Candidature.objects.visible_to(request.user)
            .filter(dispositif=dispositif)
            .select_related("territoire"),
        )
    return render(request, "aap/dispositif_detail.html", context)


def fenetre_create(request, pk):
    _require(perms.can_manage_calls(request.user))
    appel = get_object_or_404(AppelAProjets.objects.visible_to(request.user), pk=pk)
    form = FenetreForm(request.POST or None)
    form.instance.appel = appel
    if request.method == "POST" and form.is_valid():
        form.save()
        access_record(
            user=request.user, obj=appel, action=Action.MODIFICATION, detail=f"Période de dépôt {form.instance}"
        )
        messages.success(request, "Période de dépôt ajoutée.")
        return redirect(appel)
    return _form_page(
        request,
        form,
        title=f"Nouvelle période de dépôt – {appel}",
        back=appel.get_absolute_url(),
        intro="Les deux dates sont incluses : le dépôt reste possible jusqu'à 23 h 59 min 59 s, heure de Paris, "
        "le jour de la clôture.",
    )


def fenetre_extend(request, pk):
    _require(perms.can_manage_calls(request.user))
    fenetre = get_object_or_404(FenetreDepot.objects.select_related("appel"), pk=pk)
    form = FenetreExtendForm(request.POST or None, initial={"cloture": fenetre.cloture})
    if request.method == "POST" and form.is_valid():
        try:
            services.fenetre_extend(fenetre=fenetre, cloture=form.cleaned_data["cloture"], user=request.user)
            messages.success(request, "Période de dépôt prolongée ; les structures ayant un brouillon sont prévenues.")
            return redirect(fenetre.appel)
        except services.AapError as error:
            form.add_error("cloture", str(error))
    return _form_page(
        request, form, title=f"Prolonger la période de dépôt {fenetre}", back=fenetre.appel.get_absolute_url()
    )


# --- the structure's application ------------------------------------------------------------


@require_POST
def candidature_create(request, pk):
    dispositif = get_object_or_404(Dispositif.objects.visible_to(request.user).select_related("appel"), pk=pk)
    _require(perms.can_apply(request.user))
    form = StartForm(request.POST, dispositif=dispositif)
    if not form.is_valid():
        messages.error(request, "Choisissez le territoire de l'action.")
        return redirect(dispositif)
    structure = Structure.objects.get(pk=request.scope.structure_id)
    try:
        candidature = services.candidature_create(
            dispositif=dispositif,
            structure=structure,
            territoire=form.cleaned_data["territoire"],
            user=request.user,
            autre_action=form.cleaned_data["autre_action"],
        )
    except services.AapError as error:
        _fail(request, error)
        return redirect(dispositif)
    messages.success(request, "Brouillon de candidature créé : chaque partie s'enregistre séparément.")
    return redirect(candidature)


def _candidature(request, pk):
    return get_object_or_404(
        Candidature.objects.visible_to(request.user).select_related("dispositif__appel", "structure", "territoire"),
        pk=pk,
    )


def candidature_detail(request, pk):
    candidature = _candidature(request, pk)
    user = request.user
    staff = perms.can_see_instruction(user)
    context = {
        "candidature": candidature,
        "dispositif": candidature.dispositif,
        "budget": candidature.budget_summary(),
        "lignes": candidature.lignes_budget.all(),
        "personnels": candidature.personnels.all(),
        "pieces": candidature.pieces.select_related("uploaded_by"),
        "transitions": candidature.transitions.select_related("user"),
        "corrections": candidature.corrections.all(),
        "sections": Section.choices,
        "is_owner": perms.can_act_as_structure(user, candidature),
        "actions": services.available_transitions(user, candidature),
        "documents_panel": documents_panel(user, candidature),
        "staff": staff,
    }
    if candidature.is_editable and context["is_owner"]:
        context["missing"] = missing_items(candidature, check_window=candidature.etat == EtatCandidature.BROUILLON)
        context["open_window"] = candidature.dispositif.appel.open_window()
    if staff:
        context.update(
            annotations=candidature.annotations.select_related("auteur"),
            demandes_avis=candidature.demandes_avis.select_related("destinataire", "demandee_par"),
            recevabilite=[(label, candidature.recevabilite.get(code)) for code, label in RECEVABILITE],
            coherence=[
                (label, dict(APPRECIATIONS).get(candidature.coherence.get(code, ""), "")) for code, label in COHERENCE
            ],
            needs=selectors.territory_needs(candidature),
            can_instruct=perms.can_instruct(user, candidature),
            can_annotate=perms.can_annotate(user, candidature),
            annotation_form=AnnotationForm(),
            reponse_form=ReponseAvisForm(),
        )
    if candidature.etat in (EtatCandidature.PROPOSEE, EtatCandidature.RETENUE):
        from financement.selectors import suites_candidature  # financement builds on aap, not the reverse

        context["financement"] = suites_candidature(user, candidature)
    access_record(user=user, obj=candidature, action=Action.LECTURE, request=request)
    return render(request, "aap/candidature_detail.html", context)


def _section(request, candidature, section):
    _require(perms.can_act_as_structure(request.user, candidature))
    if not candidature.section_is_open(section):
        messages.error(request, "Cette partie de la candidature n'est pas modifiable.")
        return False
    return True


def candidature_projet(request, pk):
    candidature = _candidature(request, pk)
    if not _section(request, candidature, Section.PROJET):
        return redirect(candidature)
    form = ProjetForm(request.POST or None, instance=candidature)
    if request.method == "POST" and form.is_valid():
        services.candidature_save_projet(
            candidature=candidature, data={name: form.cleaned_data[name] for name in form.fields}, user=request.user
        )
        if _is_autosave(request):
            return _autosaved(form)
        messages.success(request, "Projet enregistré.")
        return redirect(candidature)
    if _is_autosave(request):
        return _autosaved(form)
    return _form_page(
        request,
        form,
        title=f"Projet – {candidature}",
        back=candidature.get_absolute_url(),
        intro="Vous pouvez enregistrer un projet incomplet et y revenir : la complétude est vérifiée au dépôt.",
        autosave=True,
    )


def candidature_budget(request, pk):
    candidature = _candidature(request, pk)
    if not _section(request, candidature, Section.BUDGET):
        return redirect(candidature)
    form = BudgetForm(request.POST or None, candidature=candidature)
    if request.method == "POST" and form.is_valid():
        services.candidature_save_budget(
            candidature=candidature, amounts=form.amounts(), precisions=form.precisions(), user=request.user
        )
        if _is_autosave(request):
            return _autosaved(form)
        messages.success(request, "Budget prévisionnel enregistré.")
        return redirect("aap:candidature_budget", pk=candidature.pk)
    if _is_autosave(request):
        return _autosaved(form)
    summary = candidature.budget_summary()
    return render(
        request,
        "aap/candidature_budget.html",
        {
            "candidature": candidature,
            "form": form,
            "budget": summary,
            "part_attendue": summary.part_departement_attendue,
            "cofinancement": candidature.dispositif.cofinancement_europeen,
        },
    )


def candidature_personnel(request, pk):
    candidature = _candidature(request, pk)
    if not _section(request, candidature, Section.PERSONNEL):
        return redirect(candidature)
    form = PersonnelForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in ("nom", "fonction", "qualification", "etp")}
        services.personnel_add(candidature=candidature, data=data, cv=form.cleaned_data.get("cv"), user=request.user)
        messages.success(request, "Personne ajoutée.")
        return redirect("aap:candidature_personnel", pk=candidature.pk)
    return render(
        request,
        "aap/candidature_personnel.html",
        {
            "candidature": candidature,
            "form": form,
            "personnels": candidature.personnels.all(),
            "cv_required": cv_required(candidature, timezone.localdate()),
        },
    )


def _part(request, model, pk):
    """A person or an attachment of an application the user may see (404 otherwise)."""
    return get_object_or_404(
        model.objects.filter(candidature__in=Candidature.objects.visible_to(request.user)).select_related(
            "candidature"
        ),
        pk=pk,
    )


def _remove_part(request, model, pk, *, remove, done, back):
    """Withdraw a person or an attachment from one's own application, back to its section."""
    part = _part(request, model, pk)
    _require(perms.can_act_as_structure(request.user, part.candidature))
    try:
        remove(part, request.user)
        messages.success(request, done)
    except services.AapError as error:
        _fail(request, error)
    return redirect(back, pk=part.candidature_id)


@require_POST
def personnel_delete(request, pk):
    return _remove_part(
        request,
        Personnel,
        pk,
        remove=lambda personnel, user: services.personnel_delete(personnel=personnel, user=user),
        done="Personne retirée.",
        back="aap:candidature_personnel",
    )


def candidature_pieces(request, pk):
    candidature = _candidature(request, pk)
    if not _section(request, candidature, Section.PIECES):
        return redirect(candidature)
    form = PieceForm(request.POST or None, request.FILES or None, dispositif=candidature.dispositif)
    if request.method == "POST" and form.is_valid():
        services.piece_add(
            candidature=candidature,
            nature=form.cleaned_data["nature"],
            fichier=form.cleaned_data["fichier"],
            user=request.user,
        )
        messages.success(request, "Pièce jointe ajoutée.")
        return redirect("aap:candidature_pieces", pk=candidature.pk)
    pieces = list(candidature.pieces.all())
    filed = {piece.nature for piece in pieces}
    return render(
        request,
        "aap/candidature_pieces.html",
        {
            "candidature": candidature,
            "form": form,
            "pieces": pieces,
            "required": [(nature, nature in filed) for nature in candidature.dispositif.pieces],
        },
    )


@require_POST
def piece_delete(request, pk):
    return _remove_part(
        request,
        PieceJointe,
        pk,
        remove=lambda piece, user: services.piece_delete(piece=piece, user=user),
        done="Pièce jointe retirée.",
        back="aap:candidature_pieces",
    )


def piece_download(request, pk):
    piece = _part(request, PieceJointe, pk)
    access_record(user=request.user, obj=piece.candidature, action=Action.TELECHARGEMENT, request=request)
    return serve_upload(piece.fichier, f"candidature-{piece.candidature_id}-{slugify(piece.nature)[:60]}-{piece.pk}")


def personnel_cv(request, pk):
    personnel = _part(request, Personnel, pk)
    if not personnel.cv:
        raise Http404
    access_record(user=request.user, obj=personnel.candidature, action=Action.TELECHARGEMENT, request=request)
    return serve_upload(personnel.cv, f"candidature-{personnel.candidature_id}-cv-{personnel.pk}")


def _post_action(request, pk, action, check, success):
    candidature = _candidature(request, pk)
    _require(check(request.user, candidature))
    try:
        action(candidature)
        messages.success(request, success)
    except services.AapError as error:
        _fail(request, error)
    return redirect(candidature)


@require_POST
def candidature_deposer(request, pk):
    return _post_action(
        request,
        pk,
        lambda c: services.candidature_deposit(candidature=c, user=request.user),
        perms.can_act_as_structure,
        "Candidature déposée : votre récépissé de dépôt est en préparation.",
    )


@require_POST
def candidature_renvoyer(request, pk):
    return _post_action(
        request,
        pk,
        lambda c: services.candidature_resubmit(candidature=c, user=request.user),
        perms.can_act_as_structure,
        "Candidature corrigée renvoyée au Département.",
    )


@require_POST
def candidature_retirer(request, pk):
    return _post_action(
        request,
        pk,
        lambda c: services.candidature_withdraw(candidature=c, user=request.user, motif=request.POST.get("motif", "")),
        perms.can_act_as_structure,
        "Candidature retirée.",
    )


@require_POST
def candidature_instruire(request, pk):
    return _post_action(
        request,
        pk,
        lambda c: services.candidature_start_instruction(candidature=c, user=request.user),
        perms.can_instruct,
        "Candidature mise en instruction.",
    )


# --- instruction -----------------------------------------------------------------------------


class InstructionStep(NamedTuple):
    check: Callable  # perms.*(user, candidature)
    form_class: type  # an aap.forms.InstructionForm
    service: Callable  # services.*(candidature=, user=, **form.service_kwargs())
    title: str
    success: str
    intro: str = ""


INSTRUCTION_STEPS = {
    "recevabilite": InstructionStep(
        perms.can_instruct,
        RecevabiliteForm,
        services.candidature_admissibility,
        "Recevabilité",
        "Recevabilité enregistrée.",
        "Seuls les dossiers déposés dans les délais sont étudiés. Cochez les critères remplis.",
    ),
    "revue": InstructionStep(
        perms.can_instruct,
        RevueForm,
        services.candidature_review,
        "Cohérence et analyse financière",
        "Revue enregistrée.",
    ),
    "avis_territorial": InstructionStep(
        perms.can_give_territorial_opinion,
        AvisTerritorialForm,
        services.candidature_territorial_opinion,
        "Avis du SLAI",
        "Avis territorial enregistré.",
    ),
    "correction": InstructionStep(
        perms.can_instruct,
        CorrectionForm,
        services.candidature_request_correction,
        "Demander une correction",
        "Correction demandée : la structure est prévenue.",
    ),
    "proposer": InstructionStep(
        perms.can_instruct,
        PropositionForm,
        services.candidature_propose,
        "Proposition à la Commission Permanente",
        "Candidature proposée.",
    ),
    "decider": InstructionStep(
        perms.can_instruct, DecisionForm, services.candidature_decide, "Décision", "Décision enregistrée."
    ),
}


def instruction_step(request, pk, step):
    """Every step of the instruction (recevabilité, revue, avis du SLAI, correction, proposition,
    décision): the right role only, the step's form redisplayed with its errors, the service's
    refusal shown on the form. The URLs name the step (aap/urls.py)."""
    step = INSTRUCTION_STEPS[step]
    candidature = _candidature(request, pk)
    _require(step.check(request.user, candidature))
    form = step.form_class(request.POST or None, candidature=candidature)
    if request.method == "POST" and form.is_valid():
        try:
            step.service(candidature=candidature, user=request.user, **form.service_kwargs())
            messages.success(request, step.success)
            return redirect(candidature)
        except services.AapError as error:
            form.add_error(None, str(error))
    return _form_page(
        request, form, title=f"{step.title} – {candidature}", back=candidature.get_absolute_url(), intro=step.intro
    )


@require_POST
def annotation_add(request, pk):
    candidature = _candidature(request, pk)
    _require(perms.can_annotate(request.user, candidature))
    form = AnnotationForm(request.POST)
    if form.is_valid():
        services.annotation_add(candidature=candidature, texte=form.cleaned_data["texte"], user=request.user)
        messages.success(request, "Annotation enregistrée.")
    else:
        messages.error(request, "L'annotation est vide.")
    return redirect(candidature)


def avis_demander(request, pk):
    candidature = _candidature(request, pk)
    _require(perms.can_annotate(request.user, candidature))
    form = DemandeAvisForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.avis_request(candidature=candidature, user=request.user, **form.cleaned_data)
            messages.success(request, "Avis demandé.")
            return redirect(candidature)
        except services.AapError as error:
            form.add_error("destinataire", str(error))
    return _form_page(request, form, title=f"Demander un avis – {candidature}", back=candidature.get_absolute_url())


@require_POST
def avis_rendre(request, pk):
    demande = get_object_or_404(
        DemandeAvis.objects.filter(candidature__in=Candidature.objects.visible_to(request.user)), pk=pk
    )
    _require(demande.destinataire_id == request.user.pk)
    form = ReponseAvisForm(request.POST)
    if form.is_valid():
        try:
            services.avis_answer(demande=demande, reponse=form.cleaned_data["reponse"], user=request.user)
            messages.success(request, "Avis rendu.")
        except services.AapError as error:
            _fail(request, error)
    else:
        messages.error(request, "Votre avis est vide.")
    return redirect("aap:candidature_detail", pk=demande.candidature_id)


# --- queues and exports ----------------------------------------------------------------------


def _queue(request):
    _require(perms.can_see_instruction(request.user))
    form = QueueFilterForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    candidatures = selectors.queue(
        request.user,
        appel=filters.get("appel"),
        dispositif=filters.get("dispositif"),
        territoire=filters.get("territoire"),
        etat=filters.get("etat", ""),
    )
    return form, candidatures


def file(request):
    form, candidatures = _queue(request)
    page = paginate(request, candidatures)
    return render(
        request,
        "aap/file.html",
        {
            "filter_form": form,
            "page": page,
            "querystring": querystring_without_page(request),
            "counts": selectors.state_counts(candidatures),
            "timings": selectors.timing_by_territory(candidatures),
            "total": page.paginator.count,  # counted once, by the paginator
            "columns": exports.COLUMNS,
            "default_columns": exports.DEFAULT_COLUMNS,
        },
    )


def export(request):
    _form, candidatures = _queue(request)
    columns = [c for c in request.GET.getlist("colonnes") if c in exports.COLUMN_KEYS] or exports.DEFAULT_COLUMNS
    fmt = request.GET.get("format", "csv")
    access_record(
        user=request.user,
        obj=request.user,
        action=Action.EXPORT,
        request=request,
        detail=f"Export des candidatures ({fmt}, {len(columns)} colonnes)",
    )
    header, rows = exports.table(candidatures, columns)
    stamp = timezone.localdate().strftime("%Y-%m-%d")
    if fmt == "xlsx":
        response = HttpResponse(
            tabular.xlsx_bytes("Candidatures", header, rows, freeze=True), content_type=tabular.XLSX_CONTENT_TYPE
        )
        response["Content-Disposition"] = f'attachment; filename="candidatures-{stamp}.xlsx"'
        return response
    response = HttpResponse(tabular.csv_bytes(header, rows), content_type=tabular.CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="candidatures-{stamp}.csv"'
    return response
