from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from portal.audit.enums import Action
from portal.audit.services import access_record, list_record
from portal.core.formats import format_date
from portal.core.views import paginate
from portal.echeances import perms, services
from portal.echeances.base import people_linked, person_in_url
from portal.echeances.forms import EcheanceManuelleForm, PreferenceForm
from portal.echeances.models import EcheanceManuelle, Notification, PreferenceNotification, Rappel

ECHEANCES_PAR_PAGE = 50
# ?quand=retard|proches keeps the overdue deadlines or those of the next 30 days (the counts of the
# home page link here): a test on the due date, applied before paginating.
ECHEANCE_FILTERS = {
    "retard": ("En retard", lambda due, today: due < today),
    "proches": (
        f"Dans les {services.HOME_HORIZON_DAYS} jours",
        lambda due, today: today <= due <= today + timedelta(days=services.HOME_HORIZON_DAYS),
    ),
}


def _state(item) -> tuple[str, str]:
    """The "État" cell of a deadline: ("retard" | "jour" | "dans", "N jour(s)"); the template
    writes the words and the badge."""
    days = (item.due_date - item.today).days
    if days == 0:
        return "jour", ""
    n = abs(days)
    return ("retard" if days < 0 else "dans"), f"{n} jour{'s' if n > 1 else ''}"


def _rows(items) -> list[tuple]:
    """What the page shows of each deadline, computed once: (link, label, due date, state, its
    days, rule); the template only prints them (50 rows read ~10 attributes and filters each).
    The state's two parts side by side, not a pair: `state.0` in a template tries a key, an
    attribute, then lists the tuple's attributes (`dir()`) before indexing it, twice a row."""
    return [(item.url, item.label, format_date(item.due_date), *_state(item), item.rule) for item in items]


def echeance_list(request):
    """Every open deadline of the user's scope, 50 a page: a structure of a thousand people has
    thousands, and loading and rendering them all took seconds."""
    quand = request.GET.get("quand", "")
    quand = quand if quand in ECHEANCE_FILTERS else ""
    page = services.items_page(
        request.user,
        number=request.GET.get("page"),
        per_page=ECHEANCES_PAR_PAGE,
        keep=ECHEANCE_FILTERS[quand][1] if quand else None,
    )
    people = people_linked(page.object_list)
    if people:
        # Deadlines of the caseload name the people (issue 15: a page that shows people is recorded).
        from accompagnement.models import Beneficiaire

        list_record(
            user=request.user,
            model=Beneficiaire,
            people=people,
            request=request,
            what=f"Échéances, page {page.number}",
        )
    context = {
        "page": page,
        "rows": _rows(page.object_list),
        "can_create": perms.can_create_echeance(request.user),
        "quand": quand,
        "querystring": f"quand={quand}" if quand else "",
        "filters": [(key, label) for key, (label, _) in ECHEANCE_FILTERS.items()],
    }
    return render(request, "echeances/echeance_list.html", context)


def echeance_detail(request, pk):
    echeance = get_object_or_404(
        EcheanceManuelle.objects.visible_to(request.user).select_related("structure", "created_by", "done_by"), pk=pk
    )
    rappels = Rappel.objects.filter(code="echeance_fixee", object_id=echeance.pk).select_related("recipient")
    context = {
        "echeance": echeance,
        "today": timezone.localdate(),
        "rappels": rappels.order_by("sent_at") if request.scope.sees_departement or request.scope.is_slai else [],
        "can_mark_done": echeance.done_at is None and perms.can_mark_done(request.user, echeance),
    }
    return render(request, "echeances/echeance_detail.html", context)


def echeance_create(request):
    if not perms.can_create_echeance(request.user):
        raise PermissionDenied
    form = EcheanceManuelleForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            echeance = form.save(commit=False)
            echeance.created_by = request.user
            echeance.save()
            access_record(user=request.user, obj=echeance, action=Action.CREATION, request=request)
        messages.success(
            request, f"Échéance fixée au {format_date(echeance.date_echeance)} pour {echeance.structure}."
        )
        return redirect("echeances:detail", pk=echeance.pk)
    return render(request, "echeances/echeance_form.html", {"form": form})


@require_POST
def echeance_mark_done(request, pk):
    echeance = get_object_or_404(EcheanceManuelle.objects.visible_to(request.user), pk=pk)
    if not perms.can_mark_done(request.user, echeance):
        raise PermissionDenied
    with transaction.atomic():
        updated = EcheanceManuelle.objects.filter(pk=pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=request.user
        )
        if updated:
            access_record(
                user=request.user, obj=echeance, action=Action.MODIFICATION, request=request, detail="réalisée"
            )
    if updated:
        messages.success(request, "Échéance marquée comme réalisée : plus aucun rappel ne sera envoyé.")
    else:
        messages.info(request, "Action déjà effectuée.")
    return redirect("echeances:detail", pk=pk)


def notification_list(request):
    notifications = Notification.objects.visible_to(request.user)
    page = paginate(request, notifications)
    # A reminder about a person names them in the portal (not in the e-mail): recorded as a list.
    people = [pk for pk in (person_in_url(n.url) for n in page.object_list) if pk is not None]
    if people:
        from accompagnement.models import Beneficiaire

        list_record(
            user=request.user,
            model=Beneficiaire,
            people=people,
            request=request,
            what=f"Notifications, page {page.number}",
        )
    return render(request, "echeances/notification_list.html", {"page": page})


@require_POST
def notification_open(request, pk):
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    if notification.read_at is None:
        Notification.objects.filter(pk=pk).update(read_at=timezone.now())
    target = notification.url
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("echeances:notifications")


@require_POST
def notification_read_all(request):
    count = Notification.objects.visible_to(request.user).unread().update(read_at=timezone.now())
    plural = "s" if count > 1 else ""
    messages.success(request, f"{count} notification{plural} marquée{plural} comme lue{plural}.")
    return redirect("echeances:notifications")


def preferences(request):
    preference, _ = PreferenceNotification.objects.get_or_create(user=request.user)
    form = PreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Vos préférences de notification sont enregistrées.")
        return redirect("echeances:notifications")
    return render(request, "echeances/preferences.html", {"form": form})
