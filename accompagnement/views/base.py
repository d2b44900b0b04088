from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from accompagnement import imports, perms, services
from accompagnement.forms import (
    AffectationForm,
    EntretienForm,
    FileActiveFilter,
    ImportForm,
    OrientationForm,
)
from accompagnement.models import Beneficiaire, ImportOrientations, Orientation
from accompagnement.selectors import (
    LateFirstKeys,
    caseload_rows,
    file_active_counts,
    file_active_scope,
    next_steps,
    referent_loads,
    referents_partis,
)
from accompagnement.services.imports import ImportAlreadyApplied, import_check, import_orientations
from accompagnement.views import parcours
from accompagnement.views.common import followed_orientation
from portal.audit.enums import Action
from portal.audit.services import access_record, list_record
from portal.core.formats import format_date
from portal.core.views import PAGE_SIZE, querystring_without_page
from portal.echeances.base import reverse_pk
from portal.referentiels.models import Referent, Structure, Territoire


def caseload(request):
    """The file active in the user's scope: a referent's own, a structure's, a territory's."""
    today = timezone.localdate()
    scope = file_active_scope(request.user)
    filterset = FileActiveFilter(request.GET, queryset=scope)
    total = sans_referent = None
    if request.scope.is_responsable:
        if any(request.GET.get(name) for name in filterset.filters):
            sans_referent = scope.sans_referent(today).count()
        else:  # the list is the whole scope: both counts in one query
            total, sans_referent = file_active_counts(scope, today)
    # The page's keys alone, in order, then its 25 rows with their relations: a Département's
    # file active is 45 000 rows, and joining or sorting them all took most of the time.
    keys = LateFirstKeys(filterset.qs, today, count=total)
    page = Paginator(keys, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = caseload_rows(list(page.object_list))
    assign = request.scope.is_responsable or request.scope.is_dpid
    rows = [(orientation, caseload_line(orientation, today, assign)) for orientation in page.object_list]
    list_record(
        user=request.user,
        model=Beneficiaire,
        people=[orientation.beneficiaire_id for orientation in page.object_list],
        request=request,
        what=f"File active, page {page.number}",
    )
    context = {
        "filter": filterset,
        "page": page,
        "rows": rows,
        "querystring": querystring_without_page(request),
        "can_orient": perms.can_orient(request.user),
        "can_import": perms.can_import(request.user),
        "can_import_cer": perms.can_import_cer(request.user),
        "sans_referent": sans_referent,
        "departs": referents_partis(request.user, today) if request.scope.is_responsable else [],
    }
    return render(request, "accompagnement/caseload.html", context)


def caseload_line(orientation, today, assign):
    """What a caseload line shows, as plain values read once: the template only places them (its
    25 lines' method calls, date filters and `{% url %}` tags made half of the page's rendering).
    The links are formatted from the pk (`reverse_pk`); the assignment link only for those who
    assign (`assign`: the structure's responsable and the DPID)."""
    beneficiaire, referent = orientation.beneficiaire, orientation.referent
    en_poste = orientation.referent_en_poste
    steps = next_steps(orientation, today)
    step = steps[0] if steps else None
    return {
        "fiche_url": reverse_pk("accompagnement:beneficiaire_detail", orientation.beneficiaire_id),
        "nom_prenom": f"{beneficiaire.nom} {beneficiaire.prenom}",
        "prenom_nom": f"{beneficiaire.prenom} {beneficiaire.nom}",
        "numero_caf": beneficiaire.numero_caf,
        "orientee_le": format_date(orientation.date_orientation),
        "type": str(orientation.type_accompagnement),
        "structure": orientation.structure.nom,
        "referent": en_poste.nom_complet if en_poste else None,
        # A referent who has left: named, with their leaving date when known.
        "parti": referent.nom_complet if referent and not en_poste else None,
        "parti_le": format_date(referent.date_depart) if referent and not en_poste else "",
        "step": step.label if step else None,
        "step_late": step.is_late if step else False,
        "step_due": format_date(step.due) if step else "",
        "assign_url": reverse_pk("accompagnement:orientation_assign", orientation.pk) if assign else None,
    }


def visible_person_or_404(request, queryset, pk):
    """The person if in the user's scope; otherwise 404, and the refused attempt on an existing
    record goes to the audit trail."""
    from portal.audit.services import refusal_record

    beneficiaire = queryset.select_related("territoire").filter(pk=pk).first()
    if beneficiaire is None:
        existing = Beneficiaire.objects.filter(pk=pk).first()
        if existing is not None:
            refusal_record(user=request.user, obj=existing, request=request)
        raise Http404
    return beneficiaire


def beneficiaire_detail(request, pk):
    beneficiaire = visible_person_or_404(request, Beneficiaire.objects.visible_to(request.user), pk)
    return parcours.beneficiaire_page(request, beneficiaire)


def orientation_create(request):
    if not perms.can_orient(request.user):
        raise PermissionDenied
    scope = request.scope
    territoires = Territoire.objects.filter(pk=scope.territoire_id) if scope.is_slai else Territoire.objects.all()
    structures = Structure.objects.visible_to(request.user).order_by("nom")
    form = OrientationForm(request.POST or None, territoires=territoires, structures=structures)
    if request.method == "POST" and form.is_valid():
        try:
            orientation = services.orientation_create(
                beneficiaire_data=form.beneficiaire_data(),
                structure=form.cleaned_data["structure"],
                type_accompagnement=form.cleaned_data["type_accompagnement"],
                date_orientation=form.cleaned_data["date_orientation"],
                user=request.user,
                request=request,
            )
            messages.success(request, f"{orientation.beneficiaire} est orienté(e) vers {orientation.structure}.")
            return redirect("accompagnement:beneficiaire_detail", pk=orientation.beneficiaire_id)
        except services.AccompagnementError as error:
            form.add_error(None, str(error))
    return render(request, "accompagnement/orientation_form.html", {"form": form})


def orientation_assign(request, pk):
    orientation = get_object_or_404(
        Orientation.objects.visible_to(request.user).select_related("beneficiaire", "structure"), pk=pk
    )
    if not perms.can_assign(request.user, orientation):
        raise PermissionDenied
    if request.method == "GET":
        access_record(user=request.user, obj=orientation.beneficiaire, action=Action.LECTURE, request=request)
    loads = referent_loads(Referent.objects.filter(structure=orientation.structure).actifs())
    form = AffectationForm(request.POST or None, loads=loads, initial={"referent": orientation.referent_id})
    if request.method == "POST" and form.is_valid():
        try:
            services.referent_assign(
                orientation=orientation, referent=form.cleaned_data["referent"], user=request.user, request=request
            )
            messages.success(request, f"{orientation.beneficiaire} est suivi(e) par {form.cleaned_data['referent']}.")
            return redirect("accompagnement:caseload")
        except services.AccompagnementError as error:
            form.add_error(None, str(error))
    return render(
        request, "accompagnement/affectation_form.html", {"form": form, "orientation": orientation, "loads": loads}
    )


# --- import of the Département's export ------------------------------------------------------

MAX_ERRORS_SHOWN = 200


def import_upload(request):
    if not perms.can_import(request.user):
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        try:
            pending = import_check(raw=upload.read(), file_name=upload.name, user=request.user)
        except imports.UnreadableFile as error:
            form.add_error("fichier", str(error))
        else:
            return redirect("accompagnement:import_detail", pk=pending.pk)
    recent = ImportOrientations.objects.select_related("created_by")[:10]
    return render(request, "accompagnement/import_upload.html", {"form": form, "recent": recent})


def import_detail(request, pk):
    if not perms.can_import(request.user):
        raise PermissionDenied
    pending = get_object_or_404(ImportOrientations, pk=pk)
    report = imports.Report.from_json(pending.rapport)
    context = {
        "import": pending,
        "report": report,
        "errors": report.error_messages()[:MAX_ERRORS_SHOWN],
        "more_errors": max(0, len(report.errors) - MAX_ERRORS_SHOWN),
        "result": pending.rapport.get("resultat"),
    }
    return render(request, "accompagnement/import_detail.html", context)


@require_POST
def import_confirm(request, pk):
    if not perms.can_import(request.user):
        raise PermissionDenied
    try:
        outcome = import_orientations(
            pending_pk=pk, user=request.user, partial=request.POST.get("partiel") == "1", request=request
        )
    except ImportOrientations.DoesNotExist:
        raise Http404 from None
    except ImportAlreadyApplied as error:
        messages.info(request, str(error))
        return redirect("accompagnement:import_detail", pk=pk)
    except imports.ImportRefused:
        messages.error(
            request,
            "Le fichier contient des lignes refusées : rien n'a été importé. Corrigez le fichier, "
            "ou importez seulement les lignes valides.",
        )
        return redirect("accompagnement:import_detail", pk=pk)
    messages.success(request, "Import terminé : " + " ; ".join(outcome.result.summary()) + ".")
    return redirect("accompagnement:import_detail", pk=pk)


# --- interviews (the CER: views/cer.py) -----------------------------------------------------------------


def entretien_create(request, pk):
    orientation = followed_orientation(request, pk)
    form = EntretienForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        entretien = services.entretien_record(
            orientation=orientation, data=form.cleaned_data, user=request.user, request=request
        )
        message = f"{entretien} enregistré."
        if hasattr(entretien, "procedure_suspension"):
            message += " Absence injustifiée : une procédure de suspension est ouverte pour le SLAI."
        messages.success(request, message)
        return redirect("accompagnement:beneficiaire_detail", pk=orientation.beneficiaire_id)
    return render(request, "accompagnement/entretien_form.html", {"form": form, "orientation": orientation})
