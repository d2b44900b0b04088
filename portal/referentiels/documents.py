"""Official documents about a structure: its record sheet and the DPID's partnership attestation."""

from django.utils.text import slugify

from portal.documents.kinds import DocumentKind, register
from portal.referentiels.models import Referent, Structure


def _context(structure):
    return {
        "structure": structure,
        "territoires": list(structure.territoires.order_by("nom")),
        "contacts": list(structure.contacts.all()),
        "referents": list(Referent.objects.filter(structure=structure).actifs().order_by("nom", "prenom")),
    }


def _can_view_sheet(user, structure):
    """The sheet lists every referent of the structure: a referent, who sees only their own
    record, does not get it."""
    return not user.scope.is_referent


def _can_request_sheet(user, structure):
    """Anyone who may see the sheet and may write (the manager only reads)."""
    return _can_view_sheet(user, structure) and user.scope.can_write


def _is_dpid(user, structure):
    """The attestation is a decision of the Département: DPID agents and admins prepare and issue it."""
    return user.scope.is_dpid


register(
    DocumentKind(
        code="fiche_structure",
        label="Fiche d'identité de la structure",
        template="referentiels/pdf/fiche_structure.html",
        owner_model=Structure,
        build_context=_context,
        filename=lambda structure, version: f"fiche-structure-{slugify(structure.nom)}-v{version}.pdf",
        can_request=_can_request_sheet,
        can_view=_can_view_sheet,
    )
)

register(
    DocumentKind(
        code="attestation_partenariat",
        label="Attestation de structure partenaire",
        template="referentiels/pdf/attestation_partenariat.html",
        owner_model=Structure,
        build_context=_context,
        filename=lambda structure, version: f"attestation-partenariat-{slugify(structure.nom)}-v{version}.pdf",
        can_request=_is_dpid,
        is_decision=True,
        can_issue=_is_dpid,
    )
)
