"""Official documents of the accompaniment: the CER printed for signature."""

from accompagnement import perms
from accompagnement.models import Cer
from portal.documents.kinds import DocumentKind, register


def _cer_context(cer):
    cer = Cer.objects.select_related(
        "orientation__beneficiaire", "orientation__structure", "orientation__referent"
    ).get(pk=cer.pk)
    orientation = cer.orientation
    return {
        "cer": cer,
        "beneficiaire": orientation.beneficiaire,
        "structure": orientation.structure,
        "referent": orientation.referent,
        "actions": list(cer.actions.all()),
    }


def _can_request(user, cer):
    """The referent following the person (or the structure's responsable) prints the CER to sign."""
    return perms.can_edit_cer(user, cer)


register(
    DocumentKind(
        code="cer",
        label="Contrat d'engagement réciproque (à signer)",
        template="accompagnement/pdf/cer.html",
        owner_model=Cer,
        build_context=_cer_context,
        filename=lambda cer, version: (
            f"cer-{cer.orientation.beneficiaire.numero_caf}-{cer.date_debut.isoformat()}-v{version}.pdf"
        ),
        can_request=_can_request,
        # One rule per document: whoever may take the CER out of the portal as JSON may take it as
        # a PDF, and nobody else (the SLAI and the managers read it in the portal only).
        can_view=perms.can_export_cer,
        audit_subject=lambda cer: cer.orientation.beneficiaire,
    )
)
