"""Official documents of the funding domain: the deliberation's financial annex."""

from financement import perms
from financement.models import Avenant, Convention, Deliberation
from financement.selectors import annex_by_thematique, annex_lines, imputation_table
from portal.documents.kinds import DocumentKind, register


def _annex_context(deliberation):
    lignes = annex_lines(deliberation)
    return {
        "deliberation": deliberation,
        "groups": annex_by_thematique(deliberation, lignes),
        "imputations": imputation_table(deliberation),
        "show_actions": False,
        "actes": {},
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


def _convention_context(convention):
    return {
        "convention": convention,
        "structure": convention.structure,
        "deliberation": convention.deliberation,
        "fiches": list(convention.fiches.all()),
        "echeances": list(convention.echeances.filter(avenant__isnull=True)),
    }


def _avenant_context(avenant):
    return {
        "avenant": avenant,
        "convention": avenant.convention,
        "structure": avenant.convention.structure,
        "deliberation": avenant.deliberation,
        "fiches": list(avenant.fiches.all()),
        "echeances": list(avenant.echeances.all()),
    }


def _can_prepare(user, acte):
    """The DPID prepares and issues the texts; the structure sees them once issued."""
    return perms.can_manage_finances(user)


register(
    DocumentKind(
        code="convention",
        label="Convention de partenariat",
        template="financement/pdf/convention.html",
        owner_model=Convention,
        build_context=_convention_context,
        filename=lambda convention, version: f"convention-{convention.numero}-v{version}.pdf",
        can_request=_can_prepare,
        is_decision=True,
        can_issue=_can_prepare,
    )
)

register(
    DocumentKind(
        code="avenant",
        label="Avenant à la convention",
        template="financement/pdf/avenant.html",
        owner_model=Avenant,
        build_context=_avenant_context,
        filename=lambda avenant, version: (
            f"avenant-{avenant.numero}-convention-{avenant.convention.numero}-v{version}.pdf"
        ),
        can_request=_can_prepare,
        is_decision=True,
        can_issue=_can_prepare,
    )
)
