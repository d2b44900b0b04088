"""A Commission Permanente session built from the calls for projects' proposals."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone

from financement import perms, services
from financement.forms import SessionForm
from portal.core.forms import add_service_error


def session_create(request):
    """The DPID chooses proposals not yet in a session and creates the session and its
    deliberation in preparation; simulations and the vote then follow."""
    if not perms.can_manage_finances(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = SessionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                deliberation = services.session_from_proposals(
                    date=data["date"],
                    phase=data["phase"],
                    annee_appel=data["annee_appel"],
                    numero=data["numero"],
                    intitule=data["intitule"],
                    candidatures=data["candidatures"],
                    ligne_budgetaire=data["ligne_budgetaire"],
                    user=request.user,
                )
            except services.FinancementError as error:
                add_service_error(form, error)
            else:
                messages.success(
                    request,
                    f"Séance créée : {deliberation.lignes.count()} proposition(s) inscrite(s) à l'annexe. "
                    "Comparez les simulations puis enregistrez le vote.",
                )
                return redirect("financement:simulations", numero=deliberation.numero)
    else:
        form = SessionForm(initial={"annee_appel": timezone.localdate().year})
    return render(request, "financement/session_form.html", {"form": form})
