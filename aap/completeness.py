"""What an application still lacks before it can be filed, in French, one line per missing item."""

from django.utils import timezone

from aap.enums import ModeleCout
from portal.core.formats import format_date


def structure_is_labelled(structure, on) -> bool:
    # The one door to the label domain (CONVENTIONS §1).
    from label.services import structure_is_labelled as labelled

    return labelled(structure, on=on)


def label_gate_message(candidature, on) -> str:
    """Empty when the label gate lets the structure through on that day."""
    dispositif = candidature.dispositif
    if not dispositif.label_required_on(on) or structure_is_labelled(candidature.structure, on):
        return ""
    return (
        f"Depuis le {format_date(dispositif.label_requis_a_partir_du)}, seules les structures titulaires du label "
        "« Référent 62 » peuvent déposer une candidature à ce dispositif. Votre structure n'a pas de label valide : "
        "demandez-le depuis la rubrique Label du portail (formation des référents et contrôle de 5 CER par référent)."
    )


def cv_required(candidature, on) -> bool:
    """CVs are waived for labelled structures (seed 001 l. 132)."""
    return not structure_is_labelled(candidature.structure, on)


def missing_items(candidature, *, at=None, check_window=True) -> list[str]:
    at = at or timezone.now()
    on = timezone.localdate(at)
    dispositif = candidature.dispositif
    missing = []
    if check_window and dispositif.appel.open_window(at) is None:
        missing.append(
            "La période de dépôt de cet appel à projets est close : les dossiers déposés hors délai "
            "ne sont pas étudiés."
        )
    gate = label_gate_message(candidature, on)
    if gate:
        missing.append(gate)
    if not candidature.intitule.strip():
        missing.append("Projet : l'intitulé de l'action.")
    if not candidature.description.strip():
        missing.append("Projet : la description de l'action.")
    if not candidature.date_debut or not candidature.date_fin:
        missing.append("Projet : les dates de début et de fin de l'action.")
    elif candidature.date_fin < candidature.date_debut:
        missing.append("Projet : la fin de l'action précède son début.")
    if dispositif.modele_cout in (ModeleCout.PAR_PLACE, ModeleCout.FORFAIT_PLACES) and not candidature.places:
        missing.append("Projet : le nombre de places d'accompagnement.")
    if dispositif.modele_cout in (ModeleCout.PAR_ETP, ModeleCout.VOLUME_DIAGNOSTICS) and not candidature.etp:
        missing.append("Projet : le nombre d'ETP mobilisés.")
    if dispositif.modele_cout == ModeleCout.VOLUME_DIAGNOSTICS and not candidature.diagnostics:
        missing.append("Projet : le nombre de diagnostics prévus.")
    if not candidature.indicateurs_proposes.strip():
        missing.append("Projet : les indicateurs proposés.")
    if dispositif.validation_slai_requise and not candidature.engagement_label:
        missing.append("Projet : l'engagement de la structure dans la démarche de labellisation.")
    summary = candidature.budget_summary()
    if summary.total_charges == 0:
        missing.append("Budget : les charges prévisionnelles.")
    elif not summary.is_balanced:
        missing.append(
            "Budget : le budget prévisionnel doit être équilibré (total des charges = total des ressources)."
        )
    if summary.contributions_emplois != summary.contributions_ressources:
        missing.append("Budget : les contributions volontaires en nature (86 et 87) doivent être égales.")
    personnels = list(candidature.personnels.all())
    if not personnels:
        missing.append("Personnel : au moins une personne affectée à l'action.")
    elif cv_required(candidature, on):
        missing.extend(f"Personnel : le CV de {p.nom}." for p in personnels if not p.cv)
    filed = {piece.nature for piece in candidature.pieces.all()}
    missing.extend(f"Pièce jointe : {nature}." for nature in dispositif.pieces if nature not in filed)
    return missing
