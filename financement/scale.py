"""Funding at a Département's scale (`seed_scale`): the demo's real deliberation 2024-587 of the
CP of 9 December 2024 as it is (budget lines, 31 annex lines, articles, simulations, its two
conventions, avenant and payments, seed 003), then the funding of the scale structures, which
grows with them (hence with the factor): the applications they won in the 2024 call become the
annex lines of a second deliberation (phase 7, CP of 10 February 2025), each line a convention
drafted, sent and signed at past dates with its payment schedule (advance paid after signature,
balance after the final bilan's validation and the DPID's check of the results), its bilans at
every step (deposited, validated, handed back, late, not yet due), and for some an avenant.

Everything is dated before "today", drawn from the seeder's own random generator and bulk-inserted.
Registered by `portal.core.scale` (autodiscovery of `<app>.scale`), after the calls for projects.
"""

import datetime
from decimal import Decimal

from portal.core.scale import at, historical, register

SESSION_DATE = datetime.date(2025, 2, 10)
PHASE = 7
NUMERO = "2025-062"
INTITULE = "Appels à projets des politiques d'inclusion durable 2024 – phase 7"
# Product choices (the seeds give no rates): share of signed conventions with an avenant, of those
# ended whose expiry the DPID recorded, of bilans deposited once due, and of those then validated
# or handed back.
AVENANT_RATE = 0.15
ECHUE_RATE = 0.6
DEPOSE_RATE = 0.85
VALIDE_RATE = 0.75
CORRECTION_RATE = 0.1
DEFAULT_START, DEFAULT_END = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)


@register("Financement : délibération, annexe, conventions et versements", order=85)
def seed(ctx):
    from django.apps import apps

    from financement import demo
    from financement.models import Deliberation

    loaded = Deliberation.objects.filter(numero="2024-587", lignes__isnull=False).exists()
    summary = "délibération 2024-587 déjà chargée" if loaded else demo.load()
    made = add_funding(ctx)
    if loaded and not made["lignes d'annexe"]:
        return "délibérations déjà chargées"
    app = apps.get_app_config("financement")
    ctx.filled.update(app.get_models())
    return f"{summary} ; structures d'échelle : " + ", ".join(f"{n} {label}" for label, n in made.items())


def _days(rng, low, high):
    return datetime.timedelta(days=rng.randint(low, high))


def _deliberation(ctx):
    from financement.models import Deliberation, SessionCommissionPermanente

    deliberation = Deliberation.objects.filter(numero=NUMERO).first()
    if deliberation is not None:
        return deliberation
    date = min(SESSION_DATE, ctx.today)
    session = SessionCommissionPermanente.objects.create(
        date=date, phase=PHASE, annee_appel=2024, libelle=f"Réunion du {date.day} février {date.year}"
    )
    return Deliberation.objects.create(
        session=session,
        numero=NUMERO,
        date=date,
        intitule=INTITULE,
        rapport_numero="12",
        vote_pour=61,
        vote_contre=0,
        vote_abstention=11,
        vote_absents=4,
        adoptee=True,
        source="Jeu de données d'échelle (seed_scale)",
    )


def add_funding(ctx) -> dict:
    """The funding of the retained 2024 applications of the scale structures that have no annex
    line yet (tests call it again after adding applications). Returns rows written per kind."""
    from aap.enums import EtatCandidature
    from aap.models import Candidature
    from financement.models import LigneAnnexe

    candidatures = list(
        Candidature.objects.filter(
            structure__siret__startswith="9001",
            dispositif__appel__annee=2024,
            etat=EtatCandidature.RETENUE,
            lignes_annexe__isnull=True,
        )
        .select_related("dispositif__thematique", "dispositif__appel", "structure", "territoire")
        .order_by("dispositif__thematique__numero", "dispositif__ordre", "dispositif__code", "territoire__nom", "pk")
    )
    if not candidatures:
        return {"lignes d'annexe": 0}
    rng = ctx.rng(f"financement-{Candidature.objects.filter(lignes_annexe__isnull=False).count()}")
    deliberation = _deliberation(ctx)
    last = LigneAnnexe.objects.filter(deliberation=deliberation).order_by("-ordre").values_list("ordre", flat=True)
    lignes = _lines(ctx, deliberation, candidatures, last.first() or 0)
    _articles(deliberation)
    return {"lignes d'annexe": len(lignes), **_conventions(ctx, rng, deliberation, lignes)}


def _lines(ctx, deliberation, candidatures, start):
    """One annex line per application, as `services.session_from_proposals` writes them."""
    from financement.enums import TypeActe
    from financement.models import LigneAnnexe, LigneBudgetaire, SimulationProgrammation
    from financement.services import _imputations_par_thematique
    from portal.core.formats import round_money

    imputations = _imputations_par_thematique()
    fallback = LigneBudgetaire.objects.order_by("pk").values_list("pk", flat=True).first()
    operations = {}
    for line in LigneAnnexe.objects.filter(deliberation=deliberation).values("thematique", "dispositif", "operation"):
        operations.setdefault(line["thematique"], {})[line["dispositif"]] = line["operation"]
    lignes = []
    for ordre, candidature in enumerate(candidatures, start=start + 1):
        dispositif = candidature.dispositif
        thematique = str(dispositif.thematique.numero) if dispositif.thematique_id else dispositif.code.split(".")[0]
        numbering = operations.setdefault(thematique, {})
        operation = numbering.setdefault(dispositif.code, len(numbering) + 1)
        lignes.append(
            LigneAnnexe(
                deliberation=deliberation,
                candidature=candidature,
                ordre=ordre,
                thematique=thematique,
                operation=operation,
                operation_libelle=dispositif.libelle[:200],
                dispositif=dispositif.code,
                territoire=candidature.territoire,
                structure=candidature.structure,
                description=candidature.intitule or candidature.description,
                etp=candidature.etp_propose if candidature.etp_propose is not None else candidature.etp,
                places=candidature.places_proposees
                if candidature.places_proposees is not None
                else candidature.places,
                diagnostics=candidature.diagnostics,
                montant=round_money(candidature.montant_propose or 0),
                type_acte=TypeActe.CONVENTION,
                date_debut=candidature.date_debut or dispositif.periode_debut or DEFAULT_START,
                date_fin=candidature.date_fin or dispositif.periode_fin or DEFAULT_END,
                ligne_budgetaire_id=imputations.get(thematique, fallback),
                retenue=True,
                source=f"Candidature n° {candidature.pk} (appel à projets {dispositif.appel.annee})",
            )
        )
    ctx.insert(LigneAnnexe, lignes)
    simulation = SimulationProgrammation.objects.filter(deliberation=deliberation, promue=True).first()
    if simulation is None:
        with historical(SimulationProgrammation, "created_at"):
            simulation = SimulationProgrammation.objects.create(
                deliberation=deliberation,
                nom="Toutes les propositions",
                promue=True,
                promue_at=at(deliberation.date - datetime.timedelta(days=12)),
                created_at=at(deliberation.date - datetime.timedelta(days=20)),
            )
    through = SimulationProgrammation.lignes.through
    ctx.insert(through, [through(simulationprogrammation=simulation, ligneannexe=ligne) for ligne in lignes])
    return lignes


def _articles(deliberation):
    """One article per thématique, voted for the sum of its lines (re-voted as lines are added)."""
    from django.db.models import Sum

    from financement.models import Article, LigneAnnexe

    libelles = dict(
        Article.objects.filter(deliberation__numero="2024-587").values_list("thematique", "thematique_libelle")
    )
    rows = (
        LigneAnnexe.objects.filter(deliberation=deliberation)
        .values("thematique", "ligne_budgetaire")
        .annotate(total=Sum("montant"))
        .order_by("thematique")
    )
    for numero, row in enumerate(sorted(rows, key=lambda r: (len(r["thematique"]), r["thematique"])), start=1):
        Article.objects.update_or_create(
            deliberation=deliberation,
            thematique=row["thematique"],
            defaults={
                "numero": numero,
                "thematique_libelle": libelles.get(row["thematique"], f"Thématique {row['thematique']}"),
                "montant_vote": row["total"],
                "ligne_budgetaire_id": row["ligne_budgetaire"],
            },
        )


def _dpid():
    from portal.accounts.enums import Role
    from portal.accounts.models import User

    return User.objects.filter(role=Role.DPID).order_by("pk").first()


def _conventions(ctx, rng, deliberation, lignes) -> dict:
    from financement import services
    from financement.enums import EtatActe, NatureVersement
    from financement.models import (
        Avenant,
        Convention,
        EcheanceVersement,
        FicheAnnexe,
        TransitionActe,
        Versement,
    )
    from portal.core.formats import format_euros

    today = ctx.today
    dpid = _dpid()
    year = deliberation.date.year
    prefix = f"{year}-"
    taken = [
        int(n.removeprefix(prefix))
        for n in Convention.objects.filter(numero__startswith=prefix).values_list("numero", flat=True)
        if n.removeprefix(prefix).isdigit()
    ]
    number = max(taken, default=0)
    conventions, fiches, transitions = [], [], []
    for ligne in lignes:
        number += 1
        drafted = deliberation.date + _days(rng, 7, 20)
        sent = drafted + _days(rng, 3, 15)
        signe_structure = sent + _days(rng, 5, 25)
        signe_departement = signe_structure + _days(rng, 2, 12)
        if signe_departement > today:  # a database seeded "earlier": still waiting for signatures
            signe_structure = signe_departement = None
        convention = Convention(
            numero=f"{prefix}{number:05d}",
            structure=ligne.structure,
            intitule=ligne.operation_libelle[:1].lower() + ligne.operation_libelle[1:],
            objet=ligne.description,
            date_debut=ligne.date_debut,
            date_fin=ligne.date_fin,
            montant_max=ligne.montant,
            deliberation=deliberation,
            ligne_annexe=ligne,
            ligne_budgetaire_id=ligne.ligne_budgetaire_id,
            places_conventionnees=ligne.places,
            etp_finances=ligne.etp,
            regle_bilan=services.regle_bilan_de(ligne),
            signataire_structure="Le Président ou la Présidente de la structure",
            etat=EtatActe.SIGNEE if signe_departement else EtatActe.A_SIGNER,
            a_signer_at=at(sent, 9),
            signe_structure_le=signe_structure,
            signe_departement_le=signe_departement,
            created_at=at(drafted),
        )
        conventions.append(convention)
        fiches.append(
            FicheAnnexe(
                convention=convention,
                numero=2,
                titre=ligne.operation_libelle,
                duree=f"{ligne.date_debut:%d/%m/%Y} au {ligne.date_fin:%d/%m/%Y}",
                cout=format_euros(ligne.montant),
                deroulement=ligne.description,
                territoire=ligne.territoire.nom if ligne.territoire_id else "Départemental",
            )
        )
    with historical(Convention, "created_at"):
        ctx.insert(Convention, conventions)
    ctx.insert(FicheAnnexe, fiches)

    avenants, echeances, versements = [], [], []
    for convention in conventions:
        transitions.append(_log(convention, "envoyer", "brouillon", "a_signer", convention.a_signer_at, dpid))
        if convention.etat == EtatActe.A_SIGNER:
            continue
        signed = convention.date_signature
        transitions.append(_log(convention, "signer", "a_signer", "signee", at(signed, 17), dpid))
        if rng.random() < AVENANT_RATE:
            avenant = _avenant(rng, convention, deliberation, today, dpid, transitions)
            if avenant is not None:
                avenants.append(avenant)
    with historical(Avenant, "created_at"):
        ctx.insert(Avenant, avenants)
    by_convention = {avenant.convention_id: avenant for avenant in avenants}

    for convention in conventions:
        avance = (convention.montant_max * services.PART_AVANCE_CONVENTION).quantize(Decimal("0.01"))
        rows = [
            EcheanceVersement(
                convention=convention,
                ordre=1,
                nature=NatureVersement.AVANCE,
                libelle="Avance versée dès signature de la convention (50\u00a0%)",
                montant_prevu=avance,
            ),
            EcheanceVersement(
                convention=convention,
                ordre=2,
                nature=NatureVersement.SOLDE,
                libelle="Solde sous réserve du respect des objectifs et du bilan final",
                montant_prevu=None,
            ),
        ]
        avenant = by_convention.get(convention.pk)
        if avenant is not None:
            part = (avenant.montant_supplementaire * services.PART_AVANCE_AVENANT).quantize(Decimal("0.01"))
            rows += [
                EcheanceVersement(
                    convention=convention,
                    avenant=avenant,
                    ordre=3,
                    nature=NatureVersement.AVANCE,
                    libelle="60\u00a0% à la signature de l'avenant n° 1",
                    montant_prevu=part,
                ),
                EcheanceVersement(
                    convention=convention,
                    avenant=avenant,
                    ordre=4,
                    nature=NatureVersement.SOLDE,
                    libelle="40\u00a0% au solde de la convention (avenant n° 1)",
                    montant_prevu=avenant.montant_supplementaire - part,
                ),
            ]
        convention._echeances = rows
        echeances += rows
    ctx.insert(EcheanceVersement, echeances)

    for convention in conventions:
        signed = convention.date_signature
        if signed is None:
            continue
        avance, _, *extra = convention._echeances
        paid = signed + _days(rng, 15, 45)
        if paid <= today:
            versements.append(_payment(convention, avance, avance.montant_prevu, paid, dpid))
        if extra:
            avenant = extra[0].avenant
            paid = avenant.date_signature + _days(rng, 15, 45)
            if paid <= today:
                versements.append(_payment(convention, extra[0], extra[0].montant_prevu, paid, dpid))
    made_bilans, resultats, balances = _bilans(ctx, rng, conventions, by_convention, dpid, transitions)
    versements += balances
    with historical(Versement, "created_at"):
        ctx.insert(Versement, versements)
    _expire(rng, conventions, today, dpid, transitions)
    ctx.insert(TransitionActe, transitions)
    return {
        "conventions": len(conventions),
        "avenants": len(avenants),
        "échéances": len(echeances),
        "versements": len(versements),
        "bilans": made_bilans,
        "résultats validés": resultats,
    }


def _log(acte, code, de, vers, when, user):
    from financement.models import Avenant, TransitionActe

    owner = {"avenant": acte} if isinstance(acte, Avenant) else {"convention": acte}
    return TransitionActe(transition=code, de=de, vers=vers, user=user, at=when, **owner)


def _payment(convention, echeance, montant, day, user):
    from financement.models import Versement

    return Versement(
        convention=convention,
        echeance=echeance,
        montant=montant,
        date_versement=day,
        reference_mandat=f"M-{convention.numero}-{echeance.ordre}",
        created_by=user,
        created_at=at(day, 11),
    )


def _avenant(rng, convention, deliberation, today, user, transitions):
    """An "avenant financier" (model 6, articles 4 and 12): a reinforcement of the action from its
    seventh month, signed at past dates (seed 003 l. 336)."""
    from financement.enums import EtatActe
    from financement.models import Avenant
    from portal.core.dates import add_months
    from portal.core.formats import format_euros

    debut = add_months(convention.date_debut, 6)
    drafted = max(debut - datetime.timedelta(days=30), convention.date_signature + datetime.timedelta(days=1))
    sent = drafted + _days(rng, 3, 10)
    signe_structure = sent + _days(rng, 5, 20)
    signe_departement = signe_structure + _days(rng, 2, 10)
    if signe_departement > today or debut > convention.date_fin:
        return None
    supplement = Decimal(rng.randrange(10, 26)) * convention.montant_max / 100
    supplement = supplement.quantize(Decimal("100"))
    total = convention.montant_max + supplement
    avenant = Avenant(
        convention=convention,
        numero=1,
        numero_modele=6,
        articles_modifies="4, 12",
        objet="Renfort de l'action : un demi-ETP supplémentaire jusqu'à la fin de la convention.",
        texte_cout=(
            f"Le coût maximum de l'action est porté à {format_euros(total)}, dont {format_euros(supplement)} "
            f"pour le renfort à compter du {debut:%d/%m/%Y}."
        ),
        montant_supplementaire=supplement,
        date_debut_supplement=debut,
        deliberation=deliberation,
        signataire_structure=convention.signataire_structure,
        etat=EtatActe.SIGNEE,
        a_signer_at=at(sent, 9),
        signe_structure_le=signe_structure,
        signe_departement_le=signe_departement,
        created_at=at(drafted),
    )
    avenant._transitions = [
        _log(avenant, "envoyer", "brouillon", "a_signer", at(sent, 9), user),
        _log(avenant, "signer", "a_signer", "signee", at(signe_departement, 17), user),
    ]
    transitions += avenant._transitions
    return avenant


FIGURES = ("file_active", "entrees", "sorties", "sorties_dynamiques", "reorientations", "sorties_autres")


def _figures(rng, convention):
    places = convention.places_conventionnees or 40
    file_active = rng.randint(places * 6 // 10, places)
    sorties = rng.randint(file_active // 5, file_active // 2)
    dynamiques = rng.randint(0, sorties // 2)
    reorientations = rng.randint(0, (sorties - dynamiques) // 2)
    return {
        "file_active": file_active,
        "entrees": rng.randint(file_active // 3, file_active),
        "sorties": sorties,
        "sorties_dynamiques": dynamiques,
        "reorientations": reorientations,
        "sorties_autres": sorties - dynamiques - reorientations,
        "entretiens": file_active * rng.randint(3, 6),
    }


def _bilans(ctx, rng, conventions, by_convention, dpid, transitions):
    """The bilans each signed convention calls for (`bilans.bilans_prevus`), at the step their due
    date and the draw give; a validated final bilan leads to the results checked by the DPID and
    the balance paid (earned at the rate of places filled, minus what was paid; 0 € paid nothing)."""
    from financement import bilans as rules
    from financement.enums import EtatBilan, NatureBilan
    from financement.models import Bilan, ResultatsConvention, TransitionBilan

    today = ctx.today
    rows, logs, resultats, balances = [], [], [], []
    for convention in conventions:
        if convention.date_signature is None:
            continue
        avenant = by_convention.get(convention.pk)
        for prevu in rules.bilans_prevus(convention, [avenant] if avenant else []):
            bilan = Bilan(
                convention=convention,
                nature=prevu.nature,
                periode_debut=prevu.debut,
                periode_fin=prevu.fin,
                date_limite=prevu.date_limite,
                regle=prevu.regle,
                etat=EtatBilan.A_PRODUIRE,
            )
            rows.append(bilan)
            deposit = prevu.fin + _days(rng, 10, max(11, (prevu.date_limite - prevu.fin).days + 20))
            if prevu.fin >= today or deposit > today or rng.random() > DEPOSE_RATE:
                continue  # not due yet, or not produced (late once its due date is past)
            for name, value in _figures(rng, convention).items():
                setattr(bilan, name, value)
            bilan.commentaire = "Chiffres de notre suivi, conformes à la file active du portail."
            bilan.etat, bilan.depose_at = EtatBilan.DEPOSE, at(deposit)
            logs.append(
                TransitionBilan(bilan=bilan, transition="deposer", de="a_produire", vers="depose", at=at(deposit))
            )
            decided = deposit + _days(rng, 10, 45)
            if decided > today:
                continue
            draw = rng.random()
            if draw < CORRECTION_RATE:
                bilan.etat, bilan.motif_correction = EtatBilan.A_CORRIGER, "Joindre le tableau des sorties dynamiques."
                logs.append(
                    TransitionBilan(
                        bilan=bilan,
                        transition="rendre",
                        de="depose",
                        vers="a_corriger",
                        motif=bilan.motif_correction,
                        user=dpid,
                        at=at(decided, 15),
                    )
                )
            elif draw < CORRECTION_RATE + VALIDE_RATE:
                bilan.etat, bilan.valide_at, bilan.valide_par = EtatBilan.VALIDE, at(decided, 15), dpid
                logs.append(
                    TransitionBilan(
                        bilan=bilan, transition="valider", de="depose", vers="valide", user=dpid, at=at(decided, 15)
                    )
                )
                if prevu.nature == NatureBilan.FINAL and prevu.avenant is None:
                    result, payments = _balance(rng, convention, avenant, bilan, decided, today, dpid)
                    resultats.append(result)
                    balances += payments
    ctx.insert(Bilan, rows)
    ctx.insert(TransitionBilan, logs)
    ctx.insert(ResultatsConvention, resultats)
    return len(rows), len(resultats), balances


def _balance(rng, convention, avenant, bilan, validated, today, dpid):
    from financement.models import ResultatsConvention
    from portal.core.formats import format_euros, round_money

    places = convention.places_conventionnees or bilan.file_active or 1
    realisees = min(places, bilan.file_active or 0)
    plafond = convention.montant_max + (avenant.montant_supplementaire if avenant else 0)
    du = round_money(plafond * Decimal(realisees) / Decimal(places))
    verse = sum((e.montant_prevu for e in convention._echeances if e.nature == "avance"), Decimal(0))
    # The avenant's 40 % "au solde de la convention" is paid with the balance (seed 003 l. 934).
    _, echeance, *extra = convention._echeances
    avenant_part = extra[1].montant_prevu if extra else Decimal(0)
    solde = max(Decimal(0), du - verse - avenant_part)
    checked = min(today, validated + _days(rng, 5, 30))
    result = ResultatsConvention(
        convention=convention,
        places_realisees=realisees,
        etp_realises=convention.etp_finances,
        solde_valide=solde,
        calcul_valide=[
            {
                "libelle": "Places en file active",
                "detail": f"{realisees} sur {places} conventionnées",
                "montant": str(du),
            },
            {"libelle": "Déjà versé", "detail": "Avances", "montant": str(-verse)},
            *(
                [{"libelle": "Avenant n° 1", "detail": "40 % versés au solde", "montant": str(-avenant_part)}]
                if extra
                else []
            ),
            {"libelle": "Solde", "detail": format_euros(solde), "montant": str(solde)},
        ],
        valide_par=dpid,
        valide_at=at(checked, 16),
    )
    paid = checked + _days(rng, 10, 40)
    if paid > today:
        return result, []
    payments = [_payment(convention, extra[1], avenant_part, paid, dpid)] if extra else []
    if solde > 0:
        payments.append(_payment(convention, echeance, solde, paid, dpid))
    return result, payments


def _expire(rng, conventions, today, dpid, transitions):
    """Most conventions whose period is over were recorded as ended by the DPID."""
    from financement.enums import EtatActe
    from financement.models import Convention

    ended = []
    for convention in conventions:
        if convention.etat != EtatActe.SIGNEE or convention.date_fin >= today:
            continue
        recorded = convention.date_fin + _days(rng, 5, 60)
        if recorded > today or rng.random() > ECHUE_RATE:
            continue
        convention.etat, convention.fin_le = EtatActe.ECHUE, convention.date_fin
        transitions.append(_log(convention, "echoir", "signee", "echue", at(recorded, 10), dpid))
        ended.append(convention)
    Convention.objects.bulk_update(ended, ["etat", "fin_le"])
