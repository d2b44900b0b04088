"""Scale data of the accompaniment: 52 700 people at factor 1 (seed 000 l. 11), oriented over the
last 22 months to the scale structures' referents, with what their parcours leaves behind:
entry and closing diagnostics, successive 6-month CERs with 3 to 5 actions, interviews every two or
three months (some missed without excuse, then the SLAI's procedure), renewal and reorientation
requests, weekly hours (équilibré), prescriptions, exits, monthly reports, the reminders already
sent and the audit trail of these writes. N° CAF 88xxxxxxxx, all fictitious."""

import datetime
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType

from accompagnement import gardes
from accompagnement.catalogue import ensure_types
from accompagnement.demo import COMMUNES, EXIT_MOTIFS, NOMS, PRENOMS_F, PRENOMS_M, SYNTHESES
from accompagnement.enums import (
    DecisionSuspension,
    EtatDemande,
    MomentDiagnostic,
    NatureEntretien,
    Presence,
    SourceOrientation,
    TypeCer,
)
from accompagnement.models import (
    ActiviteHebdomadaire,
    Beneficiaire,
    Cer,
    CerAction,
    DemandeRenouvellement,
    DemandeReorientation,
    Diagnostic,
    Entretien,
    Orientation,
    Prescription,
    ProcedureSuspension,
    ReportingMensuel,
    Sortie,
    TypeAccompagnement,
)
from accompagnement.selectors import RENEWAL_REQUEST_MONTHS
from portal.audit.enums import Action
from portal.audit.models import AuditEntry
from portal.core.dates import add_months
from portal.core.scale import analyze_tables, at, historical, register
from portal.echeances.models import Notification, Rappel

BENEFICIAIRES = 52_700
MAX_AGE_DAYS = 660  # orientations over the last 22 months
CHUNK_REFERENTS = 25  # caseloads built and written together (memory stays flat)
# A solidarité referent carries about 2.5 times the people of an équilibré one (250 vs 55–70 per ETP).
WEIGHT = {"solidarite": Decimal("2.5"), "equilibre": Decimal("1")}
ACTIONS = [
    ("Atelier de remobilisation", "Participation hebdomadaire au centre social.", False),
    ("Inscription à France Travail", "Inscription et création de l'espace personnel.", True),
    ("Préparation du permis B", "Orientation vers l'auto-école sociale.", False),
    ("Immersion en entreprise", "Période de mise en situation professionnelle de deux semaines.", True),
    ("Atelier budget", "Trois séances avec la conseillère en économie sociale et familiale.", False),
    ("Recherche d'emploi accompagnée", "Candidatures préparées ensemble chaque mois.", True),
    ("Démarches de logement", "Dossier de demande de logement social déposé.", False),
]
FREINS = ["logement", "mobilite", "budget", "numerique", "isolement", "qualification", "garde_enfants"]
MOTIFS, MOTIF_WEIGHTS = zip(*EXIT_MOTIFS, strict=True)


class _Chunk:
    """Rows of a group of caseloads, written in dependency order."""

    def __init__(self):
        self.beneficiaires, self.orientations = [], []
        self.diagnostics, self.cers_by_generation, self.actions = [], [], []
        self.interviews, self.renewals, self.reorientations = [], [], []
        self.exits, self.prescriptions, self.hours = [], [], []
        self.audit = []  # (user, day, beneficiaire, action, detail)
        self.reminders = []  # (orientation, due, offset, user, read)


@register("Bénéficiaires, orientations et parcours", order=50)
def seed(ctx):
    ensure_types()
    rng = ctx.rng("accompagnement")
    types = {t.code: t for t in TypeAccompagnement.objects.all()}
    referents = ctx.shared["referents"]
    structure_territoires = ctx.shared["structure_territoires"]
    territoires = {t.pk: t for t in _territoires()}
    weights = [WEIGHT.get(r.type_accompagnement, 1) * r.etp for r in referents]
    total = ctx.scaled(BENEFICIAIRES)
    per_referent = [int(total * w / sum(weights)) for w in weights]
    per_referent[0] += total - sum(per_referent)
    dpid = ctx.shared["dpid"]
    slai = ctx.shared["slai"]
    content_types = {
        model: ContentType.objects.get_for_model(model) for model in (Beneficiaire, Orientation, Cer, Entretien)
    }
    # Numbered after the people already there: running the seeder again adds more to the same
    # caseloads (the query-count tests compare a small and a larger data set that way).
    number = first = Beneficiaire.objects.filter(numero_caf__startswith="88").count()
    for start in range(0, len(referents), CHUNK_REFERENTS):
        chunk = _Chunk()
        for referent, size in zip(
            referents[start : start + CHUNK_REFERENTS], per_referent[start : start + CHUNK_REFERENTS], strict=True
        ):
            territoire = territoires[structure_territoires[referent.structure_id][0]]
            for _ in range(size):
                number += 1
                _person(ctx, rng, chunk, number, referent, territoire, types[referent.type_accompagnement], dpid)
        _write(ctx, chunk, slai, content_types)
        ctx.say(f"  {number - first} / {total} bénéficiaires")
    # The queries below read what was just written: without statistics the planner takes these
    # tables for empty and a single query runs for minutes.
    analyze_tables(ctx.filled)
    _reorientation_requests(ctx, rng, types)
    gardes.invalider()  # bulk loads send no signal: the kept indicators of closed months are stale
    _reportings(ctx)
    return (
        f"{number - first} bénéficiaires, {ctx.counts.get('accompagnement.Cer', 0)} CER, "
        f"{ctx.counts.get('accompagnement.Entretien', 0)} entretiens"
    )


def _territoires():
    from portal.referentiels.models import Territoire

    return Territoire.objects.all()


def _person(ctx, rng, chunk, number, referent, territoire, kind, dpid):
    today = ctx.today
    female = rng.random() < 0.55
    postcode, town = COMMUNES.get(territoire.code, ("62000", "Arras"))
    beneficiaire = Beneficiaire(
        numero_caf=f"88{number:08d}",
        nom=rng.choice(NOMS),
        prenom=rng.choice(PRENOMS_F if female else PRENOMS_M),
        date_naissance=datetime.date(rng.randint(1962, 2004), rng.randint(1, 12), rng.randint(1, 28)),
        sexe="F" if female else "M",
        code_postal=postcode,
        commune=town,
        territoire=territoire,
    )
    chunk.beneficiaires.append(beneficiaire)
    oriented = today - datetime.timedelta(days=rng.randint(1, MAX_AGE_DAYS))
    age = (today - oriented).days
    assigned = not (age < 10 and rng.random() < 0.5)  # the latest orientations wait for a referent
    orientation = Orientation(
        beneficiaire=beneficiaire,
        territoire=territoire,  # the person's (COPY bypasses OrientationQuerySet.bulk_create)
        structure_id=referent.structure_id,
        type_accompagnement=kind,
        date_orientation=oriented,
        referent=referent if assigned else None,
        date_affectation=oriented + datetime.timedelta(days=min(3, age)) if assigned else None,
        source=SourceOrientation.IMPORT,
        created_by=dpid,
        **kind.date_limits(oriented),
    )
    chunk.orientations.append(orientation)
    chunk.audit.append((dpid, oriented, beneficiaire, Action.CREATION, ""))
    if not assigned:
        return
    user = referent.user
    first = oriented + datetime.timedelta(days=rng.randint(5, 16))
    if first >= today:
        return
    exit_day = None
    chunk.interviews.append(
        Entretien(
            orientation=orientation,
            date=first,
            mode="physique",
            nature=NatureEntretien.PREMIER,
            presence=Presence.PRESENT,
            created_by=user,
        )
    )
    chunk.audit.append((user, first, beneficiaire, Action.MODIFICATION, "entretien ajouté"))
    chunk.diagnostics.append(
        Diagnostic(
            orientation=orientation,
            date=first,
            moment=MomentDiagnostic.ENTREE,
            freins=rng.sample(FREINS, 2),
            synthese="Diagnostic partagé avec la personne à partir de la synthèse de la phase Accueil.",
            created_by=user,
        )
    )
    # Successive 6-month CERs; about a third of the people leave at the end of one of them.
    cer_type = TypeCer.SOLIDARITE if kind.code == "solidarite" else TypeCer.SOCIOPROFESSIONNEL
    start = oriented + datetime.timedelta(days=rng.randint(20, 55))
    leaves = rng.random() < 0.3
    previous, generation = None, 0
    while start < today and rng.random() < (0.92 if previous is None else 1):
        end = add_months(start, 6) - datetime.timedelta(days=1)
        # A CER started in the last three weeks may still wait for its signature.
        recent = start >= today - datetime.timedelta(days=20)
        signed = None if previous is None and recent and rng.random() < 0.4 else start
        cer = Cer(
            orientation=orientation,
            type=cer_type,
            date_edition=start,
            date_debut=start,
            date_fin=end,
            remarque="Stabiliser la situation puis construire le projet professionnel."
            if previous is None
            else "Renouvellement : poursuivre le projet engagé.",
            signe_le=signed,
            renouvelle=previous,
            created_by=user,
        )
        while len(chunk.cers_by_generation) <= generation:
            chunk.cers_by_generation.append([])
        chunk.cers_by_generation[generation].append(cer)
        chunk.audit.append((user, start, beneficiaire, Action.MODIFICATION, "CER créé"))
        for index, (title, detail, pro) in enumerate(rng.sample(ACTIONS, rng.randint(3, 5))):
            chunk.actions.append(
                CerAction(
                    cer=cer,
                    intitule=title,
                    date_debut=start + datetime.timedelta(days=7 * index),
                    date_fin=end if index == 0 else start + datetime.timedelta(days=7 * index + rng.randint(30, 120)),
                    detail=detail,
                    insertion_professionnelle=pro,
                )
            )
        at_five_months = add_months(start, RENEWAL_REQUEST_MONTHS)
        over = end < today
        if over and leaves and (generation >= 1 or rng.random() < 0.5):
            exit_day = end
        if signed and at_five_months < today and exit_day is None:
            decided = at_five_months + datetime.timedelta(days=rng.randint(7, 25))
            chunk.renewals.append(
                DemandeRenouvellement(
                    cer=cer,
                    orientation=orientation,
                    date_demande=at_five_months,
                    argumentaire="Les actions du CER sont engagées ; le projet demande encore quelques mois.",
                    etat=EtatDemande.ACCEPTEE if decided < today else EtatDemande.DEPOSEE,
                    decidee_le=decided if decided < today else None,
                    created_by=user,
                )
            )
        if over and signed:
            closing = Diagnostic(
                orientation=orientation,
                date=end,
                moment=MomentDiagnostic.FINAL,
                freins=rng.sample(FREINS, 1),
                synthese=rng.choice(SYNTHESES),
                created_by=user,
            )
            chunk.diagnostics.append(closing)
            cer.cloture_le, cer.diagnostic_cloture = end, closing
        if exit_day is not None or not signed or not over:
            break
        previous, generation, start = cer, generation + 1, end + datetime.timedelta(days=1)
    last_day = exit_day or today
    # Follow-up interviews every two to three months (seed 000: at least 4 a year).
    day = first + datetime.timedelta(days=rng.randint(50, 80))
    while day < last_day:
        roll = rng.random()
        presence = Presence.PRESENT if roll < 0.88 else (Presence.EXCUSE if roll < 0.95 else Presence.ABSENT)
        chunk.interviews.append(
            Entretien(
                orientation=orientation,
                date=day,
                mode="physique" if rng.random() < 0.8 else "telephone",
                nature=NatureEntretien.INTERMEDIAIRE,
                presence=presence,
                created_by=user,
            )
        )
        chunk.audit.append((user, day, beneficiaire, Action.MODIFICATION, "entretien ajouté"))
        day += datetime.timedelta(days=rng.randint(50, 80))
    if exit_day is not None:
        chunk.interviews.append(
            Entretien(
                orientation=orientation,
                date=exit_day,
                mode="physique",
                nature=NatureEntretien.BILAN_FINAL,
                presence=Presence.PRESENT,
                created_by=user,
            )
        )
        chunk.exits.append(
            Sortie(
                orientation=orientation,
                date=exit_day,
                motif=rng.choices(MOTIFS, MOTIF_WEIGHTS)[0],
                created_by=user,
            )
        )
        orientation.date_fin = exit_day
        chunk.audit.append((user, exit_day, beneficiaire, Action.MODIFICATION, "sortie enregistrée"))
    if rng.random() < 0.3 and first + datetime.timedelta(days=20) < last_day:
        chunk.prescriptions.append(
            Prescription(
                orientation=orientation,
                date=first + datetime.timedelta(days=20),
                action=rng.choice(["Atelier code de la route", "Chantier d'insertion", "Atelier numérique"]),
                organisme=rng.choice(["Association Route 62", "ACI Les Jardins du Littoral", "Centre social"]),
                dispositif_departemental=rng.random() < 0.6,
                argumentaire="Action cohérente avec le premier objectif du CER.",
                statut=rng.choice(["prescrite", "en_cours", "realisee"]),
                created_by=user,
            )
        )
    if kind.code == "equilibre" and exit_day is None:
        # The last eight weeks of hours (the weekly follow-up of the équilibré accompaniment).
        monday = today - datetime.timedelta(days=today.weekday())
        for week in range(1, 9):
            semaine = monday - datetime.timedelta(weeks=week)
            if semaine > first:
                chunk.hours.append(
                    ActiviteHebdomadaire(
                        orientation=orientation,
                        semaine=semaine,
                        heures=Decimal(rng.randint(6, 24)),
                        created_by=user,
                    )
                )
    # The CER reminder each referent received before the deadline (J-15), most of them read.
    due = orientation.date_limite_cer
    if due - datetime.timedelta(days=15) < today:
        chunk.reminders.append((orientation, due, -15, user, rng.random() < 0.8))


def _premiers(chunk):
    """The first dates stored on each orientation (first signed CER, first attended interview,
    first attended "premier" appointment, start of the CER awaiting its renewal request), computed
    from the chunk in Python: what the services' signals would have written, without an UPDATE per
    orientation."""
    firsts = {}

    def keep(orientation, index, day):
        dates = firsts.setdefault(id(orientation), [orientation, None, None, None, None])
        if dates[index] is None or day < dates[index]:
            dates[index] = day

    requested = {id(renewal.cer) for renewal in chunk.renewals}
    renewed = {id(cer.renouvelle) for generation in chunk.cers_by_generation for cer in generation if cer.renouvelle}
    for generation in chunk.cers_by_generation:
        for cer in generation:
            if cer.signe_le is not None:
                keep(cer.orientation, 1, cer.signe_le)
                if cer.cloture_le is None and id(cer) not in requested and id(cer) not in renewed:
                    keep(cer.orientation, 4, cer.date_debut)  # its renewal is awaited
    for interview in chunk.interviews:
        if interview.presence == Presence.PRESENT:
            keep(interview.orientation, 2, interview.date)
            if interview.nature == NatureEntretien.PREMIER:
                keep(interview.orientation, 3, interview.date)
    for orientation, cer_le, present_le, rdv_le, awaited in firsts.values():
        orientation.premier_cer_le = cer_le
        orientation.premier_present_le = present_le
        orientation.premier_rdv_le = rdv_le
        orientation.renouvellement_attendu_depuis = awaited


def _write(ctx, chunk, slai, content_types):
    # Foreign keys to rows inserted just before take their ids from the related objects
    # (bulk_create reads them back), hence the order.
    _premiers(chunk)
    ctx.insert(Beneficiaire, chunk.beneficiaires)
    ctx.insert(Orientation, chunk.orientations)
    ctx.insert(Diagnostic, chunk.diagnostics)
    for generation in chunk.cers_by_generation:
        ctx.insert(Cer, generation)
    ctx.insert(CerAction, chunk.actions, batch_size=5000)
    ctx.insert(Entretien, chunk.interviews, batch_size=5000)
    ctx.insert(DemandeRenouvellement, chunk.renewals)
    ctx.insert(Sortie, chunk.exits)
    ctx.insert(Prescription, chunk.prescriptions)
    ctx.insert(ActiviteHebdomadaire, chunk.hours, batch_size=5000)
    # The SLAI decided on absences older than three weeks; the recent ones wait ("À traiter").
    procedures = []
    for n, interview in enumerate(i for i in chunk.interviews if i.presence == Presence.ABSENT):
        decided = interview.date + datetime.timedelta(days=14)
        done = interview.date < ctx.today - datetime.timedelta(days=21)
        procedures.append(
            ProcedureSuspension(
                entretien=interview,
                orientation=interview.orientation,
                ouverte_le=interview.date,
                traitee_le=decided if done else None,
                decision=(DecisionSuspension.CLASSEE if n % 3 else DecisionSuspension.SUSPENSION) if done else "",
                commentaire="Décision prise en réunion d'équipe du SLAI." if done else "",
                traitee_par=slai.get(interview.orientation.beneficiaire.territoire_id) if done else None,
            )
        )
    ctx.insert(ProcedureSuspension, procedures)
    beneficiaire_type = content_types[Beneficiaire]
    with historical(AuditEntry, "at"):
        ctx.insert(
            AuditEntry,
            (
                AuditEntry(
                    at=at(day),
                    user=user,
                    user_email=user.email,
                    role=user.role,
                    action=action,
                    content_type=beneficiaire_type,
                    object_id=str(beneficiaire.pk),
                    object_repr=f"{beneficiaire.prenom} {beneficiaire.nom} (N° CAF {beneficiaire.numero_caf})",
                    detail=detail,
                )
                for user, day, beneficiaire, action, detail in chunk.audit
            ),
            batch_size=5000,
        )
    orientation_type = content_types[Orientation]
    rappels = [
        Rappel(
            code="accompagnement_cer_2_mois",
            content_type=orientation_type,
            object_id=orientation.pk,
            recipient=user,
            offset_days=offset,
            due_date=due,
            sent_at=at(due + datetime.timedelta(days=offset), 7),
        )
        for orientation, due, offset, user, _ in chunk.reminders
    ]
    with historical(Rappel, "sent_at"):
        ctx.insert(Rappel, rappels)
    with historical(Notification, "created_at"):
        ctx.insert(
            Notification,
            [
                Notification(
                    recipient=rappel.recipient,
                    title="Échéance dans 15 jours : CER à signer – "
                    f"{orientation.beneficiaire.prenom} {orientation.beneficiaire.nom}",
                    body="CER à signer dans le délai suivant l'orientation (2 mois en référent solidarité).",
                    url=f"/accompagnement/beneficiaires/{orientation.beneficiaire_id}/",
                    reason="Rappel automatique (J-15).",
                    rappel=rappel,
                    created_at=rappel.sent_at,
                    read_at=rappel.sent_at + datetime.timedelta(hours=3) if read else None,
                    emailed_at=rappel.sent_at,
                )
                for rappel, (orientation, _, _, _, read) in zip(rappels, chunk.reminders, strict=True)
            ],
        )


def _reorientation_requests(ctx, rng, types):
    """About one person in a hundred: the referent asked the SLAI for another kind of
    accompaniment; half wait for the decision, the others were refused with a reason."""
    candidates = list(
        Orientation.objects.filter(
            beneficiaire__numero_caf__startswith="88",
            date_fin__isnull=True,
            referent__isnull=False,
            date_orientation__lt=ctx.today - datetime.timedelta(days=120),
        )
        .values_list("pk", "type_accompagnement__code", "referent__user_id")
        .order_by("pk")
    )
    chosen = rng.sample(candidates, min(len(candidates), ctx.scaled(BENEFICIAIRES // 100)))
    rows = []
    for pk, code, user_id in chosen:
        day = ctx.today - datetime.timedelta(days=rng.randint(2, 40))
        pending = rng.random() < 0.5
        rows.append(
            DemandeReorientation(
                orientation_id=pk,
                date_demande=day,
                type_souhaite=types["equilibre" if code == "solidarite" else "solidarite"],
                argumentaire="Freins sociaux levés ; un accompagnement socio-professionnel est plus adapté."
                if code == "solidarite"
                else "Les démarches sociales passent avant l'emploi pour quelques mois.",
                etat=EtatDemande.DEPOSEE if pending else EtatDemande.REFUSEE,
                decidee_le=None if pending else day + datetime.timedelta(days=1),
                decision_motif="" if pending else "Le CER en cours n'est pas achevé ; à revoir à son terme.",
                created_by_id=user_id,
            )
        )
    ctx.insert(DemandeReorientation, rows)


def _reportings(ctx):
    """Each structure validated the monthly reports of the past year around the 8th; one in ten
    has not validated last month's yet."""
    from accompagnement.indicateurs import reporting_donnees

    last_month = add_months(ctx.today.replace(day=1), -1)
    rng = ctx.rng("reportings")
    done = set(ReportingMensuel.objects.values_list("structure_id", "mois"))
    rows = []
    for structure in ctx.shared["structures"]:
        behind = 1 if rng.random() < 0.1 else 0
        for back in range(behind, 12):
            mois = add_months(last_month, -back)
            if (structure.pk, mois) in done:
                continue
            rows.append(
                ReportingMensuel(
                    structure=structure,
                    mois=mois,
                    donnees=reporting_donnees(structure, mois),
                    valide_le=at(add_months(mois, 1).replace(day=8)),
                    valide_par=ctx.shared["responsables"].get(structure.pk),
                )
            )
    ctx.insert(ReportingMensuel, rows)
