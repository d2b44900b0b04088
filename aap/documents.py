"""The deposit receipt, produced by the documents engine when an application is filed."""

from django.utils.text import slugify

from aap import perms
from aap.enums import EtatCandidature
from aap.models import Candidature
from portal.documents.kinds import DocumentKind, register


def _context(candidature):
    return {
        "candidature": candidature,
        "structure": candidature.structure,
        "dispositif": candidature.dispositif,
        "appel": candidature.dispositif.appel,
        "personnels": list(candidature.personnels.all()),
        "pieces": list(candidature.pieces.all()),
        "budget": candidature.budget_summary(),
    }


def _can_request(user, candidature):
    """The receipt exists once the application is filed; the structure and the DPID may ask again."""
    return candidature.etat != EtatCandidature.BROUILLON and (
        perms.can_act_as_structure(user, candidature) or perms.can_instruct(user, candidature)
    )


register(
    DocumentKind(
        code="aap_recepisse",
        label="Récépissé de dépôt de la candidature",
        template="aap/pdf/recepisse.html",
        owner_model=Candidature,
        build_context=_context,
        filename=lambda c, v: (
            f"recepisse-{c.dispositif.code}-{slugify(c.structure.nom)}-{slugify(c.territoire.nom)}-v{v}.pdf"
        ),
        can_request=_can_request,
    )
)
