"""Official documents of the funding domain: the deliberation's financial annex."""

from financement import perms
from financement.models import Deliberation
from financement.selectors import annex_by_thematique, annex_lines, imputation_table
from portal.documents.kinds import DocumentKind, register


def _annex_context(deliberation):
    lignes = annex_lines(deliberation)
    return {
        "deliberation": deliberation,
        "groups": annex_by_thematique(deliberation, lignes),
        "imputations": imputation_table(deliberation),
    }


register(
    DocumentKind(
        code="annexe_deliberation",
        label="Annexe financière de la délibération",
        template="financement/pdf/annexe_deliberation.html",
        owner_model=Deliberation,
        build_context=_annex_context,
        filename=lambda deliberation, version: f"annexe-deliberation-{deliberation.numero}-v{version}.pdf",
        can_request=lambda user, deliberation: perms.can_manage_finances(user),
    )
)
