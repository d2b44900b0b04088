"""Official documents of the label procedure: the decision letter, the moratorium sheet, the
withdrawal letters and the yearly report to the Commission Permanente."""

from django.utils import timezone
from django.utils.text import slugify

from label import perms, services
from label.enums import EtatDemande, EtatRetrait
from label.models import DemandeLabel, RapportAnnuel, RetraitLabel
from label.selectors import label_criteria, panel_summary, yearly_report
from portal.documents.kinds import DocumentKind, register

DECIDED = (EtatDemande.ACCORDEE, EtatDemande.MORATOIRE, EtatDemande.REFUSEE)


def _context(demande):
    label = getattr(demande, "label", None)
    moratoire = getattr(demande, "moratoire", None)
    decided_on = timezone.localdate(demande.decision_at) if demande.decision_at else timezone.localdate()
    return {
        "criteria": label_criteria(demande, decided_on),
        "demande": demande,
        "structure": demande.structure,
        "label": label,
        "moratoire": moratoire,
        "summary": panel_summary(demande),
        "recours_deadline": services.recours_deadline(demande),
    }


def _can_prepare_letter(user, demande):
    """The DPID prepares the letter once the decision is taken."""
    return perms.can_instruct(user, demande) and demande.etat in DECIDED


def _date_notification(document, demande):
    """The appeal delays run from the notification: the day the decision letter is issued, not
    the day the decision was recorded."""
    if demande.etat in DECIDED:
        demande.notifiee_le = timezone.localdate(document.issued_at)
        demande.save(update_fields=["notifiee_le"])


def _can_prepare_sheet(user, demande):
    """The moratorium sheet is filled and printed by the DPID or the SLAI for the meeting."""
    return demande.etat == EtatDemande.MORATOIRE and (
        perms.can_instruct(user, demande) or perms.can_give_slai_opinion(user, demande)
    )


register(
    DocumentKind(
        code="label_decision",
        label="Courrier de décision relative au label",
        template="label/pdf/decision.html",
        owner_model=DemandeLabel,
        build_context=_context,
        filename=lambda d, v: f"label-decision-{slugify(d.structure.nom)}-v{v}.pdf",
        can_request=_can_prepare_letter,
        is_decision=True,
        can_issue=_can_prepare_letter,
        on_issue=_date_notification,
    )
)

register(
    DocumentKind(
        code="label_fiche_moratoire",
        label="Fiche de suivi du moratoire (annexe 4)",
        template="label/pdf/fiche_moratoire.html",
        owner_model=DemandeLabel,
        build_context=_context,
        filename=lambda d, v: f"fiche-moratoire-{slugify(d.structure.nom)}-v{v}.pdf",
        can_request=_can_prepare_sheet,
    )
)


def _retrait_context(retrait):
    return {"retrait": retrait, "label": retrait.label, "structure": retrait.label.structure}


def _can_prepare_withdrawal_letter(user, retrait):
    """The DPID writes to the structure: the intended withdrawal, then the decision."""
    return perms.can_manage_withdrawal(user) and retrait.etat in (
        EtatRetrait.CONTRADICTOIRE,
        EtatRetrait.RETIRE,
        EtatRetrait.ABANDONNE,
    )


register(
    DocumentKind(
        code="label_retrait",
        label="Courrier de la procédure de retrait du label",
        template="label/pdf/retrait.html",
        owner_model=RetraitLabel,
        build_context=_retrait_context,
        filename=lambda r, v: f"label-retrait-{slugify(r.label.structure.nom)}-v{v}.pdf",
        can_request=_can_prepare_withdrawal_letter,
        is_decision=True,
        can_issue=_can_prepare_withdrawal_letter,
    )
)


def _rapport_context(rapport):
    return {"report": yearly_report(rapport.annee), "annee": rapport.annee}


def _can_produce_report(user, rapport):
    """The DPID prepares the report for the Commission Permanente; managers read it."""
    return user.scope.is_dpid


register(
    DocumentKind(
        code="label_rapport_annuel",
        label="Rapport annuel du label à la Commission Permanente",
        template="label/pdf/rapport_annuel.html",
        owner_model=RapportAnnuel,
        build_context=_rapport_context,
        filename=lambda r, v: f"label-rapport-annuel-{r.annee}-v{v}.pdf",
        can_request=_can_produce_report,
    )
)
