"""What the label pages share: the message of a refused step, the shape of a form posted from
a detail page, and who may see the DPID's control grading."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from label import perms, services
from label.enums import EtatDemande
from portal.core.forms import add_service_error


def _fail(request, error):
    messages.error(request, str(error))


def _control_is_visible(user, demande):
    """The DPID's control grading is its working document until it gives its opinion."""
    return perms.can_instruct(user, demande) or demande.etat not in (EtatDemande.BROUILLON, EtatDemande.DEPOSEE)


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
