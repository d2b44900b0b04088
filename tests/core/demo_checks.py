"""What must hold of the demo whatever day `load_demo` runs: each check returns the offending
records (an empty list when the demo tells the truth), so a failure names what to fix."""

import datetime

from django.apps import apps
from django.db import models
from django.utils import timezone

from portal.core.dates import add_months
from portal.core.fixtures import DEFAULT_DEPARTEMENT, as_bool, read_fixture

# Seed 001: requests from January 2025 (l. 308), labels from mid-2025 (l. 578), instruction within
# 6 months (l. 310), new requests after a moratorium from January 2026 (l. 314).
FIRST_REQUESTS_FROM = datetime.date(2025, 1, 1)
FIRST_LABELS_FROM = datetime.date(2025, 6, 1)
INSTRUCTION_MONTHS = 6
AFTER_MORATORIUM_FROM = datetime.date(2026, 1, 1)

# Fields whose very meaning is a coming day (a deadline, an end of validity, a planned session):
# every other date or datetime of every model must not lie after the moment the demo was loaded.
PROSPECTIVE = {
    ("echeances.EcheanceManuelle", "date_echeance"): None,
    ("echeances.Rappel", "due_date"): None,
    ("sessions.Session", "expire_date"): None,
    ("label.FormationReferent", "date"): {"nature": "prevue"},
    ("label.FormationReferent", "nouvelle_session"): None,
    ("label.Label", "date_fin"): None,
    ("label.Moratoire", "date_fin"): None,
    ("label.RetraitLabel", "observations_avant"): None,
    ("label.RetraitLabel", "accompagnement_fin"): None,
    ("accompagnement.Orientation", "date_limite_cer"): None,
    ("accompagnement.Orientation", "date_limite_premier_rdv"): None,
    ("accompagnement.Cer", "date_fin"): None,
    ("accompagnement.CerAction", "date_fin"): None,
    ("accompagnement.Entretien", "prochain_rdv"): None,
    # Calls for projects: a window open today closes later; a dispositif's convention period, an
    # action's calendar and the label gate are planned; an opinion is due by a date.
    ("aap.FenetreDepot", "cloture"): None,
    ("aap.Dispositif", "periode_debut"): None,
    ("aap.Dispositif", "periode_fin"): None,
    ("aap.Dispositif", "label_requis_a_partir_du"): None,
    ("aap.Candidature", "date_debut"): None,
    ("aap.Candidature", "date_fin"): None,
    ("aap.DemandeAvis", "echeance"): None,
    # Funding: this year's conventions and annex lines run to the year's end; an instalment is
    # planned (financement/demo_tableau_de_bord.py: nothing is paid or signed after today).
    ("financement.Convention", "date_fin"): None,
    ("financement.LigneAnnexe", "date_fin"): None,
    ("financement.EcheanceVersement", "date_prevue"): None,
    # Funding: a bilan is due by a date (31 March N+1, 3 or 6 months after the end) and covers
    # its operation's period, which may run to the year's end.
    ("financement.Bilan", "date_limite"): None,
    ("financement.Bilan", "periode_fin"): None,
}


def date_fields():
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.DateField):  # DateTimeField is a DateField
                yield model, field


def dated_after(now):
    """(model, field, pk, value) of every value later than `now` outside PROSPECTIVE."""
    today = timezone.localdate(now)
    found = []
    for model, field in date_fields():
        limit = now if isinstance(field, models.DateTimeField) else today
        rows = model._default_manager.filter(**{f"{field.name}__gt": limit})
        allowed = PROSPECTIVE.get((model._meta.label, field.name), False)
        if allowed is None:
            continue
        if allowed:
            rows = rows.exclude(**allowed)
        found += [(model._meta.label, field.name, pk, value) for pk, value in rows.values_list("pk", field.name)]
    return found


def rsa_sirets():
    return {
        row["siret"]
        for row in read_fixture(DEFAULT_DEPARTEMENT, "structures.csv")
        if as_bool(row["accompagnement_rsa"])
    }


def label_calendar_breaches():
    from label.enums import TypeDemande
    from label.models import DemandeLabel, Label, Moratoire

    breaches = []
    for label in Label.objects.select_related("demande", "structure"):
        if label.demande is None or label.demande.deposee_at is None:
            breaches.append((label.structure.nom, "label sans demande déposée"))
            continue
        deposee = timezone.localdate(label.demande.deposee_at)
        if label.date_decision < FIRST_LABELS_FROM:
            breaches.append((label.structure.nom, f"label du {label.date_decision} avant la mi-2025"))
        if label.date_decision > add_months(deposee, INSTRUCTION_MONTHS):
            breaches.append((label.structure.nom, f"label du {label.date_decision}, demande du {deposee}"))
    for demande in DemandeLabel.objects.exclude(deposee_at=None).select_related("structure"):
        deposee = timezone.localdate(demande.deposee_at)
        if deposee < FIRST_REQUESTS_FROM:
            breaches.append((demande.structure.nom, f"demande déposée le {deposee}, avant janvier 2025"))
        if demande.decision_at and timezone.localdate(demande.decision_at) > add_months(deposee, INSTRUCTION_MONTHS):
            breaches.append((demande.structure.nom, f"décision du {demande.decision_at:%Y-%m-%d} > 6 mois"))
        if demande.decision_at and demande.decision_at < demande.deposee_at:
            breaches.append((demande.structure.nom, "décision avant le dépôt"))
        if demande.type == TypeDemande.APRES_MORATOIRE:
            moratoire = (
                Moratoire.objects.filter(demande__structure=demande.structure, date_fin__lte=deposee)
                .order_by("-date_fin")
                .first()
            )
            if moratoire is None or deposee < AFTER_MORATORIUM_FROM:
                breaches.append((demande.structure.nom, f"demande après moratoire déposée le {deposee}"))
    return breaches


def labels_outside_rsa_accompaniment():
    from label.models import DemandeLabel, Label

    sirets = rsa_sirets()
    return sorted(
        {
            label.structure.nom
            for label in Label.objects.select_related("structure")
            if label.structure.siret not in sirets
        }
        | {
            d.structure.nom
            for d in DemandeLabel.objects.select_related("structure")
            if d.structure.siret not in sirets
        }
    )


def reports_without_their_validator(now):
    from accompagnement.models import ReportingMensuel
    from portal.accounts.enums import Role

    wrong = []
    for report in ReportingMensuel.objects.select_related("valide_par", "structure"):
        user = report.valide_par
        if user is None or user.role != Role.RESPONSABLE or user.structure_id != report.structure_id:
            wrong.append((str(report), "validé sans son responsable"))
        if timezone.localdate(report.valide_le) < add_months(report.mois, 1) or report.valide_le > now:
            wrong.append((str(report), f"validé le {report.valide_le}"))
    return wrong


def all_breaches(now):
    """Every check at once, for a demo loaded at another day than today."""
    return {
        "dated after now": dated_after(now),
        "label calendar": label_calendar_breaches(),
        "labels outside RSA accompaniment": labels_outside_rsa_accompaniment(),
        "reports": reports_without_their_validator(now),
    }
