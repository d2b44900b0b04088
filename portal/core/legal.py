"""Legal and privacy pages, public (linked from every page's footer)."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render


def _context():
    return {
        "dpo_email": settings.PORTAL_DPO_EMAIL,
        "dpo_address": settings.PORTAL_DPO_ADDRESS,
        "publisher": settings.PORTAL_PUBLISHER,
        "host": settings.PORTAL_HOST_INFO,
        "archivage_mois": settings.ACCOMPAGNEMENT_ARCHIVAGE_MOIS,
        "purge_mois": settings.ACCOMPAGNEMENT_PURGE_MOIS,
        "idle_minutes": settings.PORTAL_IDLE_TIMEOUT_MINUTES,
        "accessibility_email": settings.PORTAL_ACCESSIBILITY_EMAIL,
    }


@login_not_required
def mentions_legales(request):
    return render(request, "core/mentions_legales.html", _context())


@login_not_required
def donnees_personnelles(request):
    return render(request, "core/donnees_personnelles.html", _context())


@login_not_required
def accessibilite(request):
    return render(request, "core/accessibilite.html", _context())
