"""The yearly quality charters."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from label import perms, services
from label.forms import (
    CharteForm,
    ExamenCharteForm,
)
from label.models import (
    CharteQualite,
    Label,
)
from label.selectors import (
    charter_due,
)
from portal.core.forms import add_service_error, page_with_forms
from portal.core.uploads import serve_upload
from portal.core.views import paginate, querystring_without_page

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
