"""Bilans of conventions: the DPID's list (to examine, late), the structure's own, the detail page
with its forms (deposit, attachments, validation, hand back for correction)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from financement import bilans as bilans_service
from financement import perms
from financement.enums import EtatBilan
from financement.forms import BilanForm, PieceBilanForm, RenduBilanForm, ValiderBilanForm
from financement.models import Bilan, PieceBilan
from portal.core.forms import add_service_error, page_with_forms
from portal.core.uploads import serve_upload
from portal.core.views import paginate

FILTRES = {
    "a_examiner": "À examiner",
    "en_retard": "En retard",
    "a_produire": "À produire",
    "valides": "Validés",
}


def _can_file(user, bilan) -> bool:
    """The structure's responsable files its bilans (the referents read them)."""
    scope = user.scope
    return scope.is_responsable and scope.structure_id == bilan.convention.structure_id


def bilan_list(request):
    scope = request.scope
    if not (scope.sees_departement or scope.is_structure_member):
        raise PermissionDenied
    today = timezone.localdate()
    bilans = (
        Bilan.objects.visible_to(request.user)
        .select_related("convention__structure", "avenant")
        .order_by("date_limite", "pk")
    )
    filtre = request.GET.get("filtre", "")
    if filtre == "a_examiner":
        bilans = bilans.a_examiner()
    elif filtre == "en_retard":
        bilans = bilans.en_retard(today)
    elif filtre == "a_produire":
        bilans = bilans.filter(etat__in=[EtatBilan.A_PRODUIRE, EtatBilan.A_CORRIGER])
    elif filtre == "valides":
        bilans = bilans.filter(etat=EtatBilan.VALIDE)
    else:
        filtre = ""
    page = paginate(request, bilans, per_page=50)
    return render(
        request,
        "financement/bilan_list.html",
        {"page": page, "bilans": page.object_list, "filtre": filtre, "filtres": FILTRES, "today": today},
    )


def _bilan(request, pk):
    return get_object_or_404(
        Bilan.objects.visible_to(request.user).select_related("convention__structure", "avenant", "valide_par"), pk=pk
    )


def _detail(request, bilan, *, bound=None):
    today = timezone.localdate()
    portail = bilans_service.chiffres_accompagnement(bilan, today) if bilan.is_open else bilan.donnees_portail
    can_file = _can_file(request.user, bilan) and bilan.is_open
    can_review = perms.can_manage_finances(request.user) and bilan.etat == EtatBilan.DEPOSE
    if can_file:
        # Shown, not saved: the caseload's figures for what the structure has not confirmed yet.
        bilans_service.prefill(bilan, portail)
    forms = {
        "deposer": BilanForm(instance=bilan, portail=portail) if can_file else None,
        "piece": PieceBilanForm() if can_file else None,
        "valider": ValiderBilanForm() if can_review else None,
        "rendre": RenduBilanForm() if can_review else None,
    }
    chiffres = [
        (BilanForm.base_fields[name].label if name in BilanForm.base_fields else name, getattr(bilan, name))
        for name in bilans_service.CHIFFRES
    ]
    return page_with_forms(
        request,
        "financement/bilan_detail.html",
        {
            "bilan": bilan,
            "convention": bilan.convention,
            "portail": portail,
            "chiffres": [
                (label, value, portail.get(name) if portail else None)
                for (label, value), name in zip(chiffres, bilans_service.CHIFFRES, strict=True)
            ],
            "pieces": bilan.pieces.all(),
            "transitions": bilan.transitions.select_related("user"),
            "is_late": bilan.is_late(today),
        },
        forms=forms,
        bound=bound,
        fallback=bilan.get_absolute_url(),
    )


def bilan_detail(request, pk):
    return _detail(request, _bilan(request, pk))


@require_POST
def bilan_deposer(request, pk):
    bilan = _bilan(request, pk)
    if not _can_file(request.user, bilan):
        raise PermissionDenied
    form = BilanForm(request.POST, instance=Bilan.objects.get(pk=bilan.pk))
    if form.is_valid():
        try:
            bilans_service.deposer(
                bilan=bilan, chiffres=form.chiffres(), commentaire=form.cleaned_data["commentaire"], user=request.user
            )
        except bilans_service.BilanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Bilan déposé : la DPID va l'examiner.")
            return redirect(bilan.get_absolute_url())
    return _detail(request, bilan, bound=("deposer", form))


@require_POST
def bilan_piece_ajouter(request, pk):
    bilan = _bilan(request, pk)
    if not _can_file(request.user, bilan):
        raise PermissionDenied
    form = PieceBilanForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            bilans_service.ajouter_piece(
                bilan=bilan, titre=form.cleaned_data["titre"], fichier=form.cleaned_data["fichier"], user=request.user
            )
        except bilans_service.BilanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Pièce ajoutée au bilan.")
            return redirect(bilan.get_absolute_url())
    return _detail(request, bilan, bound=("piece", form))


def bilan_piece(request, pk):
    piece = get_object_or_404(
        PieceBilan.objects.filter(bilan__in=Bilan.objects.visible_to(request.user)).select_related("bilan"), pk=pk
    )
    return serve_upload(piece.fichier, f"bilan-{piece.bilan_id}-piece-{piece.pk}")


@require_POST
def bilan_valider(request, pk):
    bilan = _bilan(request, pk)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    try:
        bilans_service.valider(bilan=bilan, user=request.user)
    except bilans_service.BilanError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Bilan validé.")
    return redirect(bilan.get_absolute_url())


@require_POST
def bilan_rendre(request, pk):
    bilan = _bilan(request, pk)
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    form = RenduBilanForm(request.POST)
    if form.is_valid():
        try:
            bilans_service.rendre_pour_correction(bilan=bilan, motif=form.cleaned_data["motif"], user=request.user)
        except bilans_service.BilanError as error:
            add_service_error(form, error)
        else:
            messages.success(request, "Bilan rendu à la structure pour correction.")
            return redirect(bilan.get_absolute_url())
    return _detail(request, bilan, bound=("rendre", form))
