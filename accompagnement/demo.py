"""A few hundred fictitious beneficiaries oriented over the last year, so caseload pages show
something. Every name and N° CAF is invented (N° CAF 990xxxx)."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from accompagnement import gardes
from accompagnement.catalogue import ensure_types
from accompagnement.enums import (
    DecisionSuspension,
    EtatDemande,
    MomentDiagnostic,
    MotifSortie,
    PhaseCerp,
    SourceOrientation,
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
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.dates import add_months
from portal.core.demo import register
from portal.referentiels.models import Referent, Structure

PRENOMS_F = ["Amandine", "Chloé", "Fatima", "Julie", "Laetitia", "Manon", "Nadia", "Sandrine", "Sophie", "Yasmine"]
PRENOMS_M = ["Alexandre", "Bruno", "David", "Kévin", "Mehdi", "Nicolas", "Olivier", "Rémi", "Sébastien", "Thierry"]
NOMS = [
    "Bacquet",
    "Carpentier",
    "Dequidt",
    "Delattre",
    "Dufour",
    "Flament",
    "Hennebelle",
    "Lecocq",
    "Lemaire",
    "Leroy",
    "Lheureux",
    "Merlin",
    "Noël",
    "Pruvost",
    "Quenneville",
    "Ramet",
    "Sauvage",
    "Vasseur",
    "Wallart",
]
COMMUNES = {
    "arrageois": ("62000", "Arras"),
    "artois": ("62400", "Béthune"),
    "audomarois": ("62500", "Saint-Omer"),
    "boulonnais": ("62200", "Boulogne-sur-Mer"),
    "calaisis": ("62100", "Calais"),
    "henin-carvin": ("62110", "Hénin-Beaumont"),
    "lens-lievin": ("62300", "Lens"),
    "montreuillois": ("62170", "Montreuil-sur-Mer"),
    "ternois": ("62130", "Saint-Pol-sur-Ternoise"),
}
PER_REFERENT = 16


@register("Bénéficiaires et orientations", order=50)
def load():
    if Beneficiaire.objects.filter(numero_caf__startswith="990").exists():
        return "déjà chargé"
    ensure_types()  # the data migration's rows do not survive a flushed test database
    # Reproducible demo data, not security.
    rng = random.Random("accompagnement-demo")  # nosec B311
    today = timezone.localdate()
    types = {t.code: t for t in TypeAccompagnement.objects.all()}
    beneficiaires, plans = [], []
    number = 0
    referents = Referent.objects.actifs().filter(type_accompagnement__in=types).select_related("structure")
    for referent in referents.order_by("structure__nom", "nom"):
        territoire = referent.structure.territoires.order_by("nom").first()
        for index in range(PER_REFERENT):
            number += 1
            female = rng.random() < 0.55
            postcode, town = COMMUNES[territoire.code]
            beneficiaires.append(
                Beneficiaire(
                    numero_caf=f"990{number:04d}",
                    nom=rng.choice(NOMS),
                    prenom=rng.choice(PRENOMS_F if female else PRENOMS_M),
                    date_naissance=datetime.date(rng.randint(1962, 2003), rng.randint(1, 12), rng.randint(1, 28)),
                    sexe="F" if female else "M",
                    code_postal=postcode,
                    commune=town,
                    territoire=territoire,
                )
            )
            oriented = today - datetime.timedelta(days=rng.randint(5, 360))
            # The MEMPA's most recent orientations wait for a referent.
            assigned = not (referent.structure.nom == "MEMPA" and index < 2)
            plans.append((referent, types[referent.type_accompagnement], oriented, assigned))
    Beneficiaire.objects.bulk_create(beneficiaires, batch_size=500)
    by_caf = {b.numero_caf: b for b in Beneficiaire.objects.filter(numero_caf__startswith="990")}
    orientations = [
        Orientation(
            beneficiaire=by_caf[beneficiaire.numero_caf],
            structure=referent.structure,
            type_accompagnement=kind,
            date_orientation=oriented,
            referent=referent if assigned else None,
            date_affectation=oriented + datetime.timedelta(days=3) if assigned else None,
            source=SourceOrientation.IMPORT,
            **kind.date_limits(oriented),
        )
        for beneficiaire, (referent, kind, oriented, assigned) in zip(beneficiaires, plans, strict=True)
    ]
    Orientation.objects.bulk_create(orientations, batch_size=500)
    _follow_up(rng, today)
    _parcours(rng, today)
    # bulk_create sends no signal: the first dates stored on the orientations, in one UPDATE.
    Orientation.objects.filter(beneficiaire__numero_caf__startswith="990").refresh_premiers()
    gardes.invalider()  # the kept indicators of closed months: every structure's are stale
    _reportings(today)
    structures = Structure.objects.filter(orientations__isnull=False).distinct().count()
    return f"{len(beneficiaires)} bénéficiaires orientés vers {structures} structures"


def _follow_up(rng, today):
    """Most followed people had their first interview a week after orientation and a signed CER
    a month later (at that first interview in équilibré); a few missed an appointment without excuse."""
    interviews, cers = [], []
    followed = (
        Orientation.objects.filter(beneficiaire__numero_caf__startswith="990", referent__isnull=False)
        .select_related("type_accompagnement")
        .order_by("pk")
    )
    for orientation in followed:
        first = orientation.date_orientation + datetime.timedelta(days=7)
        if first < today:
            interviews.append(
                Entretien(orientation=orientation, date=first, mode="physique", nature="premier", presence="present")
            )
        # The équilibré contract is signed in the 15-day accueil phase, at the first appointment
        # (seed 003 l. 462); the others about a month after the orientation.
        equilibre = orientation.type_accompagnement.code == "equilibre"
        cerp = orientation.type_accompagnement.code == "independants"
        start = first if equilibre else orientation.date_orientation + datetime.timedelta(days=30)
        if start < today and rng.random() < 0.85:
            cers.append(
                Cer(
                    orientation=orientation,
                    type="socioprofessionnel"
                    if orientation.type_accompagnement.code != "solidarite"
                    else "solidarite",
                    date_edition=start,
                    date_debut=start,
                    # The self-employed start with CERP n°1, a 3-month diagnostic (seed 003 l. 892).
                    date_fin=add_months(start, 3 if cerp else 6) - datetime.timedelta(days=1),
                    phase_cerp=PhaseCerp.DIAGNOSTIC if cerp else "",
                    remarque="Stabiliser la situation puis construire le projet professionnel.",
                    signe_le=start,
                )
            )
        later = orientation.date_orientation + datetime.timedelta(days=60)
        if later < today and rng.random() < 0.12:
            interviews.append(
                Entretien(
                    orientation=orientation, date=later, mode="physique", nature="intermediaire", presence="absent"
                )
            )
    Entretien.objects.bulk_create(interviews, batch_size=500)
    Cer.objects.bulk_create(cers, batch_size=500)
    CerAction.objects.bulk_create(
        [
            CerAction(
                cer=cer,
                intitule=title,
                date_debut=cer.date_debut,
                date_fin=cer.date_fin if index == 0 else cer.date_debut + datetime.timedelta(days=60),
                detail=detail,
                insertion_professionnelle=pro,
            )
            for cer in Cer.objects.filter(orientation__beneficiaire__numero_caf__startswith="990")
            for index, (title, detail, pro) in enumerate(
                [
                    ("Atelier de remobilisation", "Participation hebdomadaire au centre social.", False),
                    ("Inscription à France Travail", "Inscription et création de l'espace personnel.", True),
                    ("Préparation du permis B", "Orientation vers l'auto-école sociale.", False),
                ]
            )
        ],
        batch_size=500,
    )
    ProcedureSuspension.objects.bulk_create(
        ProcedureSuspension(entretien=entretien, ouverte_le=entretien.date)
        for entretien in Entretien.objects.filter(
            presence="absent", orientation__beneficiaire__numero_caf__startswith="990"
        )
    )


# Exits of the demo, weighted roughly as a year of référent solidarité and équilibré work looks.
EXIT_MOTIFS = [
    (MotifSortie.CDI, 3),
    (MotifSortie.CDD_LONG, 3),
    (MotifSortie.CDD_COURT, 5),
    (MotifSortie.FORMATION_QUALIFIANTE, 4),
    (MotifSortie.ACTION_INSERTION, 3),
    (MotifSortie.AUTRES_DROITS, 2),
    (MotifSortie.CONTRAT_SIAE, 2),
    (MotifSortie.AAH, 3),
    (MotifSortie.CHOMAGE, 2),
    (MotifSortie.RETRAITE, 2),
    (MotifSortie.DEMENAGEMENT, 2),
    (MotifSortie.FIN_DROITS, 1),
]
SYNTHESES = [
    "Situation stabilisée ; projet de formation dans l'aide à la personne.",
    "Freins de mobilité levés en partie ; reprise de contact avec les employeurs du secteur.",
    "Logement trouvé ; la personne souhaite maintenant travailler sur son projet professionnel.",
    "Isolement moindre depuis l'atelier collectif ; démarches administratives à jour.",
]


def _parcours(rng, today):
    """What a year of accompaniment leaves behind: diagnostics, follow-up interviews, prescriptions,
    weekly hours (équilibré), renewal requests, exits with a closing diagnostic, SLAI decisions on
    suspensions, and a few reorientation requests waiting for the SLAI."""
    orientations = list(
        Orientation.objects.filter(beneficiaire__numero_caf__startswith="990", referent__isnull=False)
        .select_related("type_accompagnement")
        .prefetch_related("cers")
        .order_by("pk")
    )
    diagnostics, interviews, prescriptions, hours, renewals, exits = [], [], [], [], [], []
    closures, ended, renewed = [], [], []  # (cer, diagnostic index), orientations with an exit, next CERs
    for orientation in orientations:
        first = orientation.date_orientation + datetime.timedelta(days=7)
        if first >= today:
            continue
        diagnostics.append(
            Diagnostic(
                orientation=orientation,
                date=first,
                moment=MomentDiagnostic.ENTREE,
                freins=rng.sample(["logement", "mobilite", "budget", "numerique", "isolement", "qualification"], 2),
                synthese="Diagnostic partagé avec la personne à partir de la synthèse de la phase Accueil.",
            )
        )
        cer = next(iter(orientation.cers.all()), None)
        exit_day = None
        if cer and cer.date_fin < today and rng.random() < 0.45:
            exit_day = cer.date_fin
        last_day = exit_day or today
        # Intermediate interviews every six weeks, mostly in person (seed 000: 4 physical a year).
        day = first + datetime.timedelta(days=42)
        while day < last_day:
            interviews.append(
                Entretien(
                    orientation=orientation,
                    date=day,
                    mode="physique" if rng.random() < 0.8 else "telephone",
                    nature="intermediaire",
                    presence="present" if rng.random() < 0.9 else "excuse",
                )
            )
            day += datetime.timedelta(days=42)
        if rng.random() < 0.3 and first + datetime.timedelta(days=20) < today:
            prescriptions.append(
                Prescription(
                    orientation=orientation,
                    date=first + datetime.timedelta(days=20),
                    action=rng.choice(["Atelier code de la route", "Chantier d'insertion", "Atelier numérique"]),
                    organisme=rng.choice(["Association Route 62", "ACI Les Jardins du Littoral", "Centre social"]),
                    dispositif_departemental=rng.random() < 0.6,
                    argumentaire="Action cohérente avec le premier objectif du CER.",
                    statut=rng.choice(["prescrite", "en_cours", "realisee"]),
                )
            )
        if orientation.type_accompagnement.code == "equilibre":
            monday = orientation.date_orientation + datetime.timedelta(days=7 - orientation.date_orientation.weekday())
            for week in range(26):
                semaine = monday + datetime.timedelta(weeks=week)
                if semaine + datetime.timedelta(days=6) >= last_day:
                    break
                hours.append(
                    ActiviteHebdomadaire(
                        orientation=orientation, semaine=semaine, heures=Decimal(rng.choice(range(9, 24)))
                    )
                )
        if cer is None:
            continue
        if cer.phase_cerp == PhaseCerp.DIAGNOSTIC:
            # After the diagnostic, a 6-month development CERP (seed 003 l. 908); no SLAI renewal.
            start = cer.date_fin + datetime.timedelta(days=1)
            if exit_day is None and start < today:
                renewed.append(
                    Cer(
                        orientation=orientation,
                        type=cer.type,
                        phase_cerp=PhaseCerp.DEVELOPPEMENT,
                        date_edition=start,
                        date_debut=start,
                        date_fin=add_months(start, 6) - datetime.timedelta(days=1),
                        remarque="Développement de l'activité : communication et suivi de la comptabilité.",
                        signe_le=start,
                    )
                )
        at_five_months = add_months(cer.date_debut, 5)
        if not cer.phase_cerp and exit_day is None and at_five_months < today:
            decided = at_five_months + datetime.timedelta(days=18)  # the SLAI's answer, a few weeks on
            if decided < today and cer.date_fin < today:
                # Renewal granted and the first CER over: closed with its bilan, followed by the next one.
                diagnostics.append(
                    Diagnostic(
                        orientation=orientation,
                        date=cer.date_fin,
                        moment=MomentDiagnostic.FINAL,
                        freins=["qualification"],
                        synthese=rng.choice(SYNTHESES),
                    )
                )
                closures.append((cer, len(diagnostics) - 1))
                start = cer.date_fin + datetime.timedelta(days=1)
                renewed.append(
                    Cer(
                        orientation=orientation,
                        type=cer.type,
                        date_edition=start,
                        date_debut=start,
                        date_fin=add_months(start, 6) - datetime.timedelta(days=1),
                        remarque="Renouvellement : poursuivre le projet professionnel engagé.",
                        signe_le=start,
                        renouvelle=cer,
                    )
                )
            renewals.append(
                DemandeRenouvellement(
                    cer=cer,
                    orientation=orientation,
                    date_demande=at_five_months,
                    argumentaire="Les actions du CER sont engagées ; le projet demande encore quelques mois.",
                    etat=EtatDemande.ACCEPTEE if decided < today else EtatDemande.DEPOSEE,
                    decidee_le=decided if decided < today else None,
                )
            )
        if exit_day is not None:
            diagnostics.append(
                Diagnostic(
                    orientation=orientation,
                    date=exit_day,
                    moment=MomentDiagnostic.FINAL,
                    freins=[],
                    synthese=rng.choice(SYNTHESES),
                )
            )
            closures.append((cer, len(diagnostics) - 1))
            interviews.append(
                Entretien(
                    orientation=orientation, date=exit_day, mode="physique", nature="bilan_final", presence="present"
                )
            )
            motifs, weights = zip(*EXIT_MOTIFS, strict=True)
            exits.append(Sortie(orientation=orientation, date=exit_day, motif=rng.choices(motifs, weights)[0]))
            orientation.date_fin = exit_day
            ended.append(orientation)
    Diagnostic.objects.bulk_create(diagnostics, batch_size=500)
    Entretien.objects.bulk_create(interviews, batch_size=500)
    Prescription.objects.bulk_create(prescriptions, batch_size=500)
    ActiviteHebdomadaire.objects.bulk_create(hours, batch_size=500)
    DemandeRenouvellement.objects.bulk_create(renewals, batch_size=500)
    Sortie.objects.bulk_create(exits, batch_size=500)
    Orientation.objects.bulk_update(ended, ["date_fin"], batch_size=500)
    for cer, index in closures:
        cer.cloture_le = cer.date_fin
        cer.diagnostic_cloture = diagnostics[index]
    Cer.objects.bulk_update([cer for cer, _ in closures], ["cloture_le", "diagnostic_cloture"], batch_size=500)
    Cer.objects.bulk_create(renewed, batch_size=500)
    CerAction.objects.bulk_create(
        [
            CerAction(
                cer=cer,
                intitule="Recherche d'emploi accompagnée",
                date_debut=cer.date_debut,
                date_fin=cer.date_fin,
                detail="Candidatures préparées ensemble chaque mois.",
                insertion_professionnelle=True,
            )
            for cer in renewed
        ],
        batch_size=500,
    )
    _suspension_decisions(today)
    _reorientation_requests(rng, today)


def _suspension_decisions(today):
    """The SLAI has decided on the absences older than three weeks; the recent ones wait."""
    procedures = list(
        ProcedureSuspension.objects.filter(
            entretien__orientation__beneficiaire__numero_caf__startswith="990",
            ouverte_le__lt=today - datetime.timedelta(days=21),
        ).order_by("pk")
    )
    for index, procedure in enumerate(procedures):
        procedure.traitee_le = procedure.ouverte_le + datetime.timedelta(days=14)
        procedure.decision = DecisionSuspension.CLASSEE if index % 3 else DecisionSuspension.SUSPENSION
        procedure.commentaire = "Décision prise en réunion d'équipe du SLAI."
    ProcedureSuspension.objects.bulk_update(procedures, ["traitee_le", "decision", "commentaire"])


def _reorientation_requests(rng, today):
    """On each territory, two referents updated the diagnostic and asked the SLAI for another kind
    of accompaniment: toward the socio-professional sphere when social obstacles are lifted, back
    to référent solidarité when they took the lead again."""
    kinds = {kind.code: kind for kind in TypeAccompagnement.objects.filter(code__in=["solidarite", "equilibre"])}
    if len(kinds) < 2:
        return
    candidates = (
        Orientation.objects.filter(
            beneficiaire__numero_caf__startswith="990",
            type_accompagnement__code__in=list(kinds),
            date_fin__isnull=True,
            referent__isnull=False,
            date_orientation__lt=today - datetime.timedelta(days=120),
        )
        .select_related("type_accompagnement", "beneficiaire")
        .order_by("beneficiaire__territoire__nom", "pk")
    )
    per_territory, requests = {}, []
    for orientation in candidates:
        territory = orientation.beneficiaire.territoire_id
        if per_territory.get(territory, 0) >= 2:
            continue
        per_territory[territory] = per_territory.get(territory, 0) + 1
        day = today - datetime.timedelta(days=rng.randint(2, 20))
        towards_work = orientation.type_accompagnement.code == "solidarite"
        Diagnostic.objects.create(
            orientation=orientation,
            date=day,
            moment=MomentDiagnostic.FINAL,
            freins=["qualification"] if towards_work else ["logement", "isolement"],
            synthese="Freins sociaux levés ; la personne est prête pour un accompagnement socio-professionnel."
            if towards_work
            else "Perte du logement : les démarches sociales passent avant l'emploi pour quelques mois.",
        )
        requests.append(
            DemandeReorientation(
                orientation=orientation,
                date_demande=day,
                type_souhaite=kinds["equilibre" if towards_work else "solidarite"],
                argumentaire="Logement et mobilité réglés ; projet d'emploi dans la logistique, disponibilité "
                "immédiate : un accompagnement socio-professionnel est plus adapté."
                if towards_work
                else "Expulsion en cours et rupture familiale : un accompagnement social est nécessaire avant "
                "de reprendre le parcours vers l'emploi.",
            )
        )
    DemandeReorientation.objects.bulk_create(requests)


def _reportings(today):
    """Each structure's responsable validated the monthly reports of the past year a few days into
    the following month (never later than now: last month's report stays to validate until that
    day comes, as the deadline is the 10th); the MEMPA has not validated last month's yet, and
    another structure is two months behind (late)."""
    from accompagnement.indicateurs import reporting_donnees

    now = timezone.now()
    responsables = {}
    for user in User.objects.filter(role=Role.RESPONSABLE, structure__isnull=False).order_by("pk"):
        responsables.setdefault(user.structure_id, user)
    last_month = add_months(today.replace(day=1), -1)
    rows = []
    structures = Structure.objects.filter(orientations__isnull=False).distinct().order_by("nom")
    for index, structure in enumerate(structures):
        behind = 1 if structure.nom == "MEMPA" else (2 if index == 1 else 0)
        for back in range(behind, 12):
            mois = add_months(last_month, -back)
            validated = datetime.datetime.combine(
                add_months(mois, 1).replace(day=3 + index % 6),
                datetime.time(10),
                tzinfo=timezone.get_current_timezone(),
            )
            if validated > now:
                continue
            rows.append(
                ReportingMensuel(
                    structure=structure,
                    mois=mois,
                    donnees=reporting_donnees(structure, mois),
                    valide_le=validated,
                    valide_par=responsables[structure.pk],
                )
            )
    ReportingMensuel.objects.bulk_create(rows)
