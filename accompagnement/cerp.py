"""The self-employed accompaniment (seed 003 l. 870–925), in one place: CERP n°1 is a 3-month
diagnostic with 3 interviews; then either the development of the activity (CERPs of 3, 6, 9 or
12 months, renewed for a last 6 months, 18 months at most) or its cessation (a CERP of 3 or 6
months, 6 months at most), with one interview a month; 21 months in all at most, after which
the person leaves the accompaniment. Every number here is the seed's."""

import datetime
from typing import NamedTuple

from accompagnement.enums import PhaseCerp, Presence
from portal.core.dates import add_months
from portal.core.formats import format_date, pluriel

INDEPENDANTS = "independants"
DIAGNOSTIC_MONTHS = 3  # l. 892
DIAGNOSTIC_INTERVIEWS = 3  # l. 892
DEVELOPPEMENT_DURATIONS = (3, 6, 9, 12)  # l. 908
DEVELOPPEMENT_MAX_MONTHS = 18  # l. 906, 910, 912
CESSATION_DURATIONS = (3, 6)  # l. 924
CESSATION_MAX_MONTHS = 6  # l. 922
TOTAL_MAX_MONTHS = 21  # l. 928
INTERVIEW_EVERY_MONTHS = 1  # l. 926


def is_cerp(orientation) -> bool:
    return orientation.type_accompagnement.code == INDEPENDANTS


def months_of(debut: datetime.date, fin: datetime.date) -> int | None:
    """The whole number of months a contract lasts (31 January → 30 April: 3), or None when its
    end is not a month boundary."""
    for months in range(1, TOTAL_MAX_MONTHS + 1):
        if add_months(debut, months) - datetime.timedelta(days=1) == fin:
            return months
    return None


def _months_text(months):
    return pluriel(months, "mois", "mois")


def _durations_text(durations):
    return ", ".join(str(d) for d in durations[:-1]) + f" ou {durations[-1]} mois"


def cerp_errors(orientation, *, phase, debut, fin, exclude_pk=None) -> list[str]:
    """Why this CERP breaks the seed's rules (empty: it does not). `orientation.cers` are the
    person's other CERPs."""
    if not phase:
        return ["Indiquez l'étape du CERP (diagnostic, développement ou cessation)."]
    if not (debut and fin):
        return []
    others = sorted(
        (c for c in orientation.cers.all() if c.pk != exclude_pk and c.phase_cerp),
        key=lambda c: c.date_debut,
    )
    months = months_of(debut, fin)
    diagnostic = next((c for c in others if c.phase_cerp == PhaseCerp.DIAGNOSTIC), None)
    errors = []
    if phase == PhaseCerp.DIAGNOSTIC:
        if diagnostic is not None:
            errors.append(
                "Le CERP n°1 (diagnostic) a déjà été saisi : le suivant est de développement ou de cessation."
            )
        if months != DIAGNOSTIC_MONTHS:
            limit = add_months(debut, DIAGNOSTIC_MONTHS) - datetime.timedelta(days=1)
            errors.append(f"Le CERP n°1 (diagnostic) dure 3 mois : du {format_date(debut)} au {format_date(limit)}.")
        return errors
    if diagnostic is None:
        return ["Le premier CERP est celui du diagnostic (3 mois) : saisissez-le d'abord."]
    if debut <= diagnostic.date_fin:
        errors.append(f"Ce CERP commence après le diagnostic, qui se termine le {format_date(diagnostic.date_fin)}.")
    second = [c for c in others if c.phase_cerp != PhaseCerp.DIAGNOSTIC]
    if second and second[0].phase_cerp != phase:
        errors.append(
            f"Le diagnostic a conduit à l'étape « {PhaseCerp(second[0].phase_cerp).label} » : "
            "les CERP suivants restent de cette étape."
        )
    durations, ceiling = (
        (DEVELOPPEMENT_DURATIONS, DEVELOPPEMENT_MAX_MONTHS)
        if phase == PhaseCerp.DEVELOPPEMENT
        else (CESSATION_DURATIONS, CESSATION_MAX_MONTHS)
    )
    if months not in durations:
        errors.append(f"Un CERP de cette étape dure {_durations_text(durations)} (du début à la veille du même jour).")
    else:
        done = sum(months_of(c.date_debut, c.date_fin) or 0 for c in second if c.phase_cerp == phase)
        if done + months > ceiling:
            errors.append(
                f"Cette étape dure {_months_text(ceiling)} au plus : {_months_text(done)} déjà contractualisés, "
                f"il en reste {_months_text(max(ceiling - done, 0))}."
            )
    end = accompaniment_end(diagnostic)
    if fin > end:
        errors.append(f"L'accompagnement dure {TOTAL_MAX_MONTHS} mois au plus : il se termine le {format_date(end)}.")
    return errors


def accompaniment_end(diagnostic) -> datetime.date:
    """The last day of the accompaniment: 21 months from the start of CERP n°1."""
    return add_months(diagnostic.date_debut, TOTAL_MAX_MONTHS) - datetime.timedelta(days=1)


class CerpStep(NamedTuple):
    key: str  # what the deadline engine reminds of (accompagnement/echeances_cerp.py)
    label: str
    due: datetime.date


def cerp_step_items(orientation) -> list[CerpStep]:
    """What the self-employed accompaniment owes next, from the prefetched `cers` and
    `entretiens`: each step with its key, its French label and its due date."""
    cerps = sorted((c for c in orientation.cers.all() if c.phase_cerp and c.signe_le), key=lambda c: c.date_debut)
    diagnostic = next((c for c in cerps if c.phase_cerp == PhaseCerp.DIAGNOSTIC), None)
    if diagnostic is None:
        return [CerpStep("cerp_1", "CERP n°1 (diagnostic de 3 mois) à signer", orientation.date_limite_cer)]
    attended = sorted(e.date for e in orientation.entretiens.all() if e.presence == Presence.PRESENT)
    end = accompaniment_end(diagnostic)
    steps = []
    current = cerps[-1]
    if current.phase_cerp == PhaseCerp.DIAGNOSTIC:
        done = sum(1 for day in attended if diagnostic.date_debut <= day <= diagnostic.date_fin)
        if done < DIAGNOSTIC_INTERVIEWS:
            steps.append(
                CerpStep(
                    "entretiens_diagnostic",
                    f"Entretiens du diagnostic ({done} sur {DIAGNOSTIC_INTERVIEWS})",
                    diagnostic.date_fin,
                )
            )
        steps.append(
            CerpStep(
                "cerp_suivant",
                "CERP de développement ou de cessation à signer",
                diagnostic.date_fin + datetime.timedelta(days=1),
            )
        )
    else:
        last = max([day for day in attended if day >= current.date_debut] or [current.date_debut])
        if last < current.date_fin:
            steps.append(
                CerpStep(
                    "entretien_mensuel",
                    "Entretien du mois (un par mois)",
                    min(add_months(last, INTERVIEW_EVERY_MONTHS), current.date_fin),
                )
            )
        if current.date_fin < end:
            steps.append(CerpStep("fin_cerp", "Fin du CERP : CERP suivant ou sortie", current.date_fin))
    steps.append(
        CerpStep("fin_accompagnement", f"Fin de l'accompagnement ({TOTAL_MAX_MONTHS} mois au plus) : sortie", end)
    )
    return steps


def cerp_steps(orientation, today) -> list[tuple[str, datetime.date]]:
    """(label, due date) of what the self-employed accompaniment owes next, from the prefetched
    `cers` and `entretiens`."""
    return [(step.label, step.due) for step in cerp_step_items(orientation)]
