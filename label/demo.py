"""Demo data of the label: structures in each situation of the procedure.

MEMPA (the demo structure account) has a draft with CERs to draw and grade; MIPE waits for the
DPID's control; Pas-de-Calais Actif waits for the SLAI's opinion; PBI is labelled; MEILL HC's
label expires next year; Tous Parrains is in moratorium; PIF was refused after its moratorium
and has filed a recours gracieux. Every person and CER is fictitious.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile

from label.catalogue import ensure_modules
from label.enums import (
    Avis,
    EtatDemande,
    EtatRecours,
    EtatRetrait,
    Evaluateur,
    MotifRetrait,
    NatureFormation,
    TypeDemande,
)
from label.models import (
    CerAnonymise,
    CharteQualite,
    DemandeLabel,
    EvaluationCer,
    FormationReferent,
    Label,
    ModuleFormation,
    Moratoire,
    Recours,
    RetraitLabel,
    TirageCer,
    TransitionDemande,
)
from label.services import draw
from portal.accounts.models import User
from portal.core import cer_grid
from portal.core.dates import add_months, add_years
from portal.core.demo import register
from portal.referentiels.models import Referent, Structure

PARIS = ZoneInfo("Europe/Paris")
# A minimal valid PDF standing for a scanned attendance certificate.
CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
ACTIONS = [
    ("Demande de logement social", "Constitution du dossier et dépôt auprès du bailleur.", False),
    ("Atelier collectif de remobilisation", "Participation hebdomadaire au centre social.", False),
    ("Inscription à France Travail", "Inscription et création de l'espace personnel.", True),
    ("Préparation du permis B", "Orientation vers l'auto-école sociale.", False),
    ("Ouverture des droits CSS auprès de la CPAM", "Dossier de complémentaire santé solidaire.", False),
    ("Immersion en entreprise", "Période de mise en situation en milieu professionnel de deux semaines.", True),
    ("Atelier budget", "Trois séances avec la conseillère en économie sociale et familiale.", False),
]


def at(day: datetime.date, hour=10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=PARIS)


def _cer(referent, number, rng):
    """A fictitious CER of varied quality: most are good, some miss details or dates."""
    start = datetime.date(2025, 1, 6) + datetime.timedelta(days=rng.randrange(0, 300))
    end = add_months(start, 6) - datetime.timedelta(days=1)
    kind = "socioprofessionnel" if referent.type_accompagnement in ("equilibre", "independants") else "solidarite"
    chosen = rng.sample(ACTIONS, rng.randint(2, 4))
    flaw = rng.random()
    actions = []
    for index, (title, detail, pro) in enumerate(chosen):
        action_start = start + datetime.timedelta(days=7 * index)
        action_end = end if index == 0 else min(end, action_start + datetime.timedelta(days=rng.randint(20, 90)))
        if flaw < 0.15 and index == 1:
            action_start = start - datetime.timedelta(days=10)  # starts before the CER's edition
        actions.append(
            {
                "intitule": title,
                "date_debut": action_start.isoformat(),
                "date_fin": action_end.isoformat(),
                "detail": "" if flaw > 0.85 and index == 0 else detail,
                "insertion_professionnelle": pro,
            }
        )
    return {
        "numero_caf": f"{7000000 + referent.pk * 100 + number}",
        "type": kind,
        "date_edition": start.isoformat(),
        "date_debut": start.isoformat(),
        "date_fin": end.isoformat(),
        "remarque": ""
        if flaw > 0.9
        else "Situation stabilisée ; la personne souhaite reprendre une activité après les démarches de logement.",
        "actions": actions,
    }


def _cers_for(structure, per_referent=7):
    rng = random.Random(f"demo-{structure.pk}")
    for referent in Referent.objects.filter(structure=structure).actifs():
        for number in range(per_referent):
            content = _cer(referent, number, rng)
            cer_grid.parse_cer(content)
            CerAnonymise.objects.get_or_create(
                referent=referent,
                empreinte=CerAnonymise.fingerprint(content),
                defaults={"structure": structure, "numero_caf": content["numero_caf"], "contenu": content},
            )


def _trained(referent, *, missing=(), optional="mdph"):
    modules = {m.code: m for m in ModuleFormation.objects.all()}
    for code in ["pssm", "potentiels", "public-feminin", "secret-professionnel", optional]:
        if code in missing:
            continue
        formation = FormationReferent(
            referent=referent,
            module=modules[code],
            nature=NatureFormation.SESSION,
            date=datetime.date(2024, 3, 1) + datetime.timedelta(days=17 * modules[code].ordre),
            organisme="Département du Pas-de-Calais",
        )
        formation.piece.save(f"attestation-{referent.pk}-{code}.pdf", ContentFile(CERTIFICATE), save=False)
        formation.save()


def _panel(demande, *, structure_scores, dpid_scores=None, when):
    """Draw, self-grade and (optionally) control-grade every referent's panel."""
    _cers_for(demande.structure)
    for referent in Referent.objects.filter(structure=demande.structure).actifs():
        pool = list(CerAnonymise.objects.filter(referent=referent).order_by("pk").values_list("pk", flat=True))
        seed = 1000 + referent.pk
        selection = draw(pool, seed)
        tirage = TirageCer.objects.create(
            demande=demande, referent=referent, seed=seed, pool=pool, selection=selection
        )
        TirageCer.objects.filter(pk=tirage.pk).update(created_at=when)
        for cer in CerAnonymise.objects.filter(pk__in=selection):
            result = cer_grid.grade(cer.cer)
            for evaluateur, scores in ((Evaluateur.STRUCTURE, structure_scores), (Evaluateur.DPID, dpid_scores)):
                if scores is None:
                    continue
                EvaluationCer.objects.create(
                    demande=demande,
                    cer=cer,
                    evaluateur=evaluateur,
                    score_automatique=Decimal(str(result["score_automatique"])),
                    duree_adaptee=Decimal(scores[0]),
                    remarque_situation=Decimal(scores[1]),
                    remarque_positionnement=Decimal(scores[2]),
                    secret_professionnel=Decimal(scores[3]),
                    evaluated_at=when,
                )


def _demande(structure, etat, *, deposee, type_demande=TypeDemande.INITIALE, **fields):
    demande = DemandeLabel.objects.create(
        structure=structure,
        type=type_demande,
        etat=etat,
        engagement=True,
        commentaire="Tous nos référents sont engagés dans la démarche qualité du Département.",
        deposee_at=at(deposee) if deposee else None,
        **fields,
    )
    DemandeLabel.objects.filter(pk=demande.pk).update(created_at=at(deposee - datetime.timedelta(days=20)))
    return demande


def _log(demande, steps):
    for transition, de, vers, day in steps:
        log = TransitionDemande.objects.create(demande=demande, transition=transition, de=de, vers=vers)
        TransitionDemande.objects.filter(pk=log.pk).update(at=at(day))


@register("Label référent RSA", order=40)
def load():
    ensure_modules()  # a flushed test database has lost the migration's rows
    structures = {s.nom: s for s in Structure.objects.all()}
    if DemandeLabel.objects.filter(structure__nom__in=structures).exists():
        return "déjà chargé"
    dpid = User.objects.filter(email="dpid@demo.rsa62.test").first()
    good, average, weak = ("1", "1", "2", "1.5"), ("1", "0", "1", "1.5"), ("0", "0", "0", "1.5")

    # Training records: complete for most referents; MEMPA has gaps to fill in the demo.
    for referent in Referent.objects.actifs().exclude(structure__nom="MEMPA"):
        if referent.date_arrivee.year < 2026 and referent.nom_complet != "Kevin Lambert":
            _trained(referent)
    mempa = structures["MEMPA"]
    for referent in Referent.objects.filter(structure=mempa):
        if referent.nom == "Lefebvre":
            _trained(referent)
        elif referent.nom == "Dupont":
            _trained(referent, missing=("public-feminin",))
        else:  # Sophie Martin arrived in 2026: a training plan
            FormationReferent.objects.create(
                referent=referent,
                module=ModuleFormation.objects.get(code="pssm"),
                nature=NatureFormation.PREVUE,
                date=datetime.date(2026, 12, 10),
                organisme="Département du Pas-de-Calais",
            )
    _cers_for(mempa)
    DemandeLabel.objects.create(structure=mempa, created_by=User.objects.filter(structure=mempa).first())

    # PBI: labelled in 2025.
    pbi = _demande(
        structures["PBI"],
        EtatDemande.ACCORDEE,
        deposee=datetime.date(2025, 3, 10),
        avis_dpid=Avis.FAVORABLE,
        avis_slai=Avis.FAVORABLE,
        decision_at=at(datetime.date(2025, 9, 15)),
        notifiee_le=datetime.date(2025, 9, 15),
    )
    _panel(pbi, structure_scores=good, dpid_scores=good, when=at(datetime.date(2025, 4, 1)))
    Label.objects.create(
        structure=pbi.structure,
        demande=pbi,
        date_decision=datetime.date(2025, 9, 15),
        date_fin=add_years(datetime.date(2025, 9, 15), 5) - datetime.timedelta(days=1),
    )

    # MEILL HC: an early label that expires next year (renewal window January–July 2027); its
    # charter of the 4th year (due 15 March 2026) is missing.
    meill = Label.objects.create(
        structure=structures["MEILL HC"], date_decision=datetime.date(2022, 3, 15), date_fin=datetime.date(2027, 3, 14)
    )
    for year in (1, 2, 3):
        CharteQualite.objects.create(
            label=meill,
            annee=year,
            deposee_le=datetime.date(2022 + year, 3, 1),
            bilan="Tous les référents formés ; auto-contrôle trimestriel des CER.",
            examinee_le=datetime.date(2022 + year, 4, 2),
            conforme=True,
        )
    CharteQualite.objects.create(
        label=Label.objects.get(demande=pbi),
        annee=1,
        deposee_le=datetime.date(2026, 9, 1),
        bilan="Deux nouveaux référents formés en 2026 ; moyenne d'auto-contrôle 88 %.",
    )

    # MIPE: submitted in July, the DPID has to control its panel (6-month limit: 1 January).
    mipe = _demande(structures["MIPE"], EtatDemande.DEPOSEE, deposee=datetime.date(2026, 7, 1))
    _panel(mipe, structure_scores=good, when=at(datetime.date(2026, 6, 25)))
    for evaluation in mipe.evaluations.all():
        EvaluationCer.objects.create(
            demande=mipe,
            cer=evaluation.cer,
            evaluateur=Evaluateur.DPID,
            score_automatique=evaluation.score_automatique,
        )
    _log(mipe, [("deposer", EtatDemande.BROUILLON, EtatDemande.DEPOSEE, datetime.date(2026, 7, 1))])

    # Pas-de-Calais Actif: the DPID proposed a favourable opinion; the SLAI has to confirm it.
    pca = _demande(
        structures["Pas-de-Calais Actif"],
        EtatDemande.AVIS_DPID,
        deposee=datetime.date(2026, 8, 20),
        avis_dpid=Avis.FAVORABLE,
        avis_dpid_at=at(datetime.date(2026, 10, 30)),
        evaluation_dpid="Dossier complet ; tous les référents sont formés ; CER de bonne qualité.",
    )
    _panel(pca, structure_scores=good, dpid_scores=good, when=at(datetime.date(2026, 10, 15)))
    _log(
        pca,
        [
            ("deposer", EtatDemande.BROUILLON, EtatDemande.DEPOSEE, datetime.date(2026, 8, 20)),
            ("evaluer", EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, datetime.date(2026, 10, 30)),
        ],
    )

    # Tous Parrains: refused in October, moratorium until April.
    tp = _demande(
        structures["Tous Parrains"],
        EtatDemande.MORATOIRE,
        deposee=datetime.date(2026, 4, 2),
        avis_dpid=Avis.DEFAVORABLE,
        avis_slai=Avis.DEFAVORABLE,
        decision_at=at(datetime.date(2026, 10, 5)),
        notifiee_le=datetime.date(2026, 10, 5),
        motifs_decision="Qualité des CER insuffisante : actions peu détaillées, remarques absentes.",
    )
    _panel(tp, structure_scores=average, dpid_scores=weak, when=at(datetime.date(2026, 5, 10)))
    Moratoire.objects.create(
        demande=tp,
        date_debut=datetime.date(2026, 10, 5),
        date_fin=datetime.date(2027, 4, 5),
        date_rencontre=datetime.date(2026, 11, 3),
        criteres_non_remplis="Qualité des CER : moyenne du contrôle inférieure à 80 %",
        objectifs="Détailler chaque action ; rédiger une remarque argumentée.",
        moyens="Deux ateliers d'écriture avec l'animatrice SLAI.",
        temporalite="Novembre 2026 à mars 2027",
        signe_slai_le=datetime.date(2026, 11, 3),
    )

    # PIF: refused after a moratorium, recours gracieux filed.
    first = _demande(
        structures["PIF"],
        EtatDemande.MORATOIRE,
        deposee=datetime.date(2025, 2, 3),
        decision_at=at(datetime.date(2025, 6, 2)),
        notifiee_le=datetime.date(2025, 6, 2),
        motifs_decision="Trois référents sans formation au secret professionnel.",
    )
    Moratoire.objects.create(demande=first, date_debut=datetime.date(2025, 6, 2), date_fin=datetime.date(2025, 12, 2))
    pif = _demande(
        structures["PIF"],
        EtatDemande.REFUSEE,
        deposee=datetime.date(2026, 3, 2),
        type_demande=TypeDemande.APRES_MORATOIRE,
        avis_dpid=Avis.DEFAVORABLE,
        avis_slai=Avis.DEFAVORABLE,
        decision_at=at(datetime.date(2026, 10, 20)),
        notifiee_le=datetime.date(2026, 10, 20),
        motifs_decision="La qualité des CER reste inférieure au seuil de 80 % à l'issue du moratoire.",
    )
    _panel(pif, structure_scores=average, dpid_scores=weak, when=at(datetime.date(2026, 4, 1)))
    Recours.objects.create(
        demande=pif,
        etat=EtatRecours.DEPOSE,
        depose_le=datetime.date(2026, 11, 10),
        actions_menees="Formation de toute l'équipe à la rédaction des CER en octobre ; "
        "nouvelle grille d'auto-contrôle mensuelle.",
        created_by=dpid,
    )
    # Impact Oval: labelled, but a new referent was never trained: withdrawal envisaged, the
    # structure may send its observations until 15 December.
    impact = Label.objects.create(
        structure=structures["Impact Oval"],
        date_decision=datetime.date(2025, 12, 1),
        date_fin=datetime.date(2030, 11, 30),
    )
    RetraitLabel.objects.create(
        label=impact,
        motif=MotifRetrait.ENGAGEMENTS,
        etat=EtatRetrait.CONTRADICTOIRE,
        griefs="Kevin Lambert, arrivé le 2 septembre 2024, n'a suivi aucun des modules obligatoires "
        "malgré l'engagement pris lors de la demande de label.",
        notifie_le=datetime.date(2026, 11, 15),
        observations_avant=datetime.date(2026, 12, 15),
        created_by=dpid,
    )
    return "9 structures dans chaque situation du label"
