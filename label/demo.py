"""Demo data of the label: structures in each situation of the procedure.

Every date is counted back from the day `load_demo` runs and respects the seed's calendar: requests
from January 2025 (seed 001 l. 308), labels from mid-2025 (001 l. 578), a decision within 6 months
of its request (001 l. 310), new requests after a moratorium from January 2026 (001 l. 314). Only
structures that run an RSA accompaniment (structures.csv, seed 003 annex 4) are concerned.

MEMPA (the demo structure account) has a draft with CERs to draw and grade; MIPE waits for the
DPID's control; Pas-de-Calais Actif waits for the SLAI's opinion; MEILL HC, PBI and La Fabrique
DEFI were labelled in the first campaign (MEILL HC's first quality charter is missing, PBI's waits
for the DPID, La Fabrique DEFI faces a withdrawal: a referent arrived in 2025 was never trained);
Tous Parrains is in moratorium; PIF was refused after its moratorium and has filed a recours
gracieux. Every person and CER is fictitious.
"""

import datetime
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.utils import timezone

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
from portal import grille_cer
from portal.accounts.models import User
from portal.core.dates import add_months, add_years
from portal.core.demo import register
from portal.core.formats import format_date, mois_fr
from portal.referentiels.demo import structures_with_rsa_accompaniment
from portal.referentiels.models import Referent, Structure

PARIS = ZoneInfo("Europe/Paris")
# A minimal valid PDF standing for a scanned attendance certificate.
CERTIFICATE = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
GOOD = ("1", "1", "2", "1.5")  # the structure's or the DPID's grading of a good CER
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


def _cer(referent, number, rng, before):
    """A fictitious CER of varied quality, edited in the year before `before`: most are good, some
    miss details or dates."""
    start = before - datetime.timedelta(days=rng.randrange(30, 330))
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


def _cers_for(structure, before, per_referent=7):
    # Reproducible demo data.
    rng = random.Random(f"demo-{structure.pk}-{before}")  # nosec B311
    for referent in Referent.objects.filter(structure=structure).actifs():
        for number in range(per_referent):
            content = _cer(referent, number, rng, before)
            grille_cer.parse_cer(content)
            CerAnonymise.objects.get_or_create(
                referent=referent,
                empreinte=CerAnonymise.fingerprint(content),
                defaults={"structure": structure, "numero_caf": content["numero_caf"], "contenu": content},
            )


def _recent_cers(structure, *, since, today, per_referent=6):
    """CERs written since `since` (a withdrawal's new study draws among them), numbered after
    the others (N° CAF …50 and up)."""
    rng = random.Random(f"demo-recent-{structure.pk}-{today}")  # nosec B311
    for referent in Referent.objects.filter(structure=structure).actifs():
        made, number = 0, 50
        while made < per_referent and number < 100:
            content = _cer(referent, number, rng, today)
            number += 1
            if content["date_edition"] < since.isoformat():
                continue
            grille_cer.parse_cer(content)
            CerAnonymise.objects.get_or_create(
                referent=referent,
                empreinte=CerAnonymise.fingerprint(content),
                defaults={"structure": structure, "numero_caf": content["numero_caf"], "contenu": content},
            )
            made += 1


def _trained(referent, *, missing=(), optional="mdph"):
    modules = {m.code: m for m in ModuleFormation.objects.all()}
    for code in ["pssm", "potentiels", "public-feminin", "secret-professionnel", optional]:
        if code in missing:
            continue
        # The Département's 2023–2024 plan, or the sessions after the referent's arrival.
        first_day = max(datetime.date(2024, 3, 1), referent.date_arrivee)
        formation = FormationReferent(
            referent=referent,
            module=modules[code],
            nature=NatureFormation.SESSION,
            date=min(first_day + datetime.timedelta(days=17 * modules[code].ordre), timezone.localdate()),
            organisme="Département du Pas-de-Calais",
        )
        formation.piece.save(f"attestation-{referent.pk}-{code}.pdf", ContentFile(CERTIFICATE), save=False)
        formation.save()


def _panel(demande, *, structure_scores, dpid_scores=None, when):
    """Draw, self-grade and (optionally) control-grade every referent's panel."""
    _cers_for(demande.structure, demande.deposee_at.date())
    for referent in Referent.objects.filter(structure=demande.structure).actifs():
        pool = list(CerAnonymise.objects.filter(referent=referent).order_by("pk").values_list("pk", flat=True))
        seed = 1000 + referent.pk
        selection = draw(pool, seed)
        tirage = TirageCer.objects.create(
            demande=demande, referent=referent, seed=seed, pool=pool, selection=selection
        )
        TirageCer.objects.filter(pk=tirage.pk).update(created_at=when)
        for cer in CerAnonymise.objects.filter(pk__in=selection):
            result = grille_cer.grade(cer.cer)
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


def _granted(structure, *, deposee, decidee, when):
    """A request of the first campaign granted after the DPID's and the SLAI's favourable opinions,
    and its 5-year label."""
    demande = _demande(
        structure,
        EtatDemande.ACCORDEE,
        deposee=deposee,
        avis_dpid=Avis.FAVORABLE,
        avis_dpid_at=at(decidee - datetime.timedelta(days=30)),
        avis_slai=Avis.FAVORABLE,
        avis_slai_at=at(decidee - datetime.timedelta(days=10)),
        decision_at=at(decidee),
        notifiee_le=decidee,
    )
    _panel(demande, structure_scores=GOOD, dpid_scores=GOOD, when=at(when))
    return Label.objects.create(
        structure=structure,
        demande=demande,
        date_decision=decidee,
        date_fin=add_years(decidee, 5) - datetime.timedelta(days=1),
    )


def _log(demande, steps):
    for transition, de, vers, day in steps:
        log = TransitionDemande.objects.create(demande=demande, transition=transition, de=de, vers=vers)
        TransitionDemande.objects.filter(pk=log.pk).update(at=at(day))


@register("Label référent RSA", order=40)
def load():
    ensure_modules()  # a flushed test database has lost the migration's rows
    today = timezone.localdate()
    rsa = structures_with_rsa_accompaniment()
    structures = {s.nom: s for s in Structure.objects.filter(siret__in=rsa)}
    if DemandeLabel.objects.filter(structure__nom__in=structures).exists():
        return "déjà chargé"
    dpid = User.objects.filter(email="dpid@demo.rsa62.test").first()
    average, weak = ("1", "0", "1", "1.5"), ("0", "0", "0", "1.5")

    def months_ago(months, days=0):
        return add_months(today, -months) - datetime.timedelta(days=days)

    # Training records of the RSA referents: complete for most; MEMPA has gaps to fill in the
    # demo; Antoine Lefèvre (La Fabrique DEFI, arrived in June 2025) was never trained.
    for referent in (
        Referent.objects.actifs().filter(structure__in=structures.values()).exclude(structure__nom="MEMPA")
    ):
        if referent.date_arrivee.year < today.year and referent.nom_complet != "Antoine Lefèvre":
            _trained(referent)
    mempa = structures["MEMPA"]
    for referent in Referent.objects.filter(structure=mempa):
        if referent.nom == "Lefebvre":
            _trained(referent)
        elif referent.nom == "Dupont":
            _trained(referent, missing=("public-feminin",))
        else:  # Sophie Martin arrived this year: a training plan
            FormationReferent.objects.create(
                referent=referent,
                module=ModuleFormation.objects.get(code="pssm"),
                nature=NatureFormation.PREVUE,
                date=today + datetime.timedelta(days=10),
                organisme="Département du Pas-de-Calais",
            )
    _cers_for(mempa, today)
    DemandeLabel.objects.create(structure=mempa, created_by=User.objects.filter(structure=mempa).first())

    # MEILL HC: one of the first labels (requested 22 months ago, granted 5 months later); its
    # quality charter of the first year, due on the label's anniversary, is missing.
    _granted(structures["MEILL HC"], deposee=months_ago(22), decidee=months_ago(17), when=months_ago(21))

    # PBI: labelled 15 months ago; its first charter waits for the DPID's review.
    pbi = _granted(structures["PBI"], deposee=months_ago(20), decidee=months_ago(15), when=months_ago(19))
    CharteQualite.objects.create(
        label=pbi,
        annee=1,
        deposee_le=add_years(pbi.date_decision, 1) - datetime.timedelta(days=14),
        bilan="Deux nouveaux référents formés dans l'année ; moyenne d'auto-contrôle 88 %.",
    )
    # PBI's yearly control then found its CERs below 80 % on the grid: 6 months of SLAI support
    # (seed 001 §9), ended 3 days ago; the DPID can launch the new study, a new draw among the CERs
    # written since the support began, graded on the same grid.
    engaged = add_months(today, -6) - datetime.timedelta(days=3)
    support = RetraitLabel.objects.create(
        label=pbi,
        motif=MotifRetrait.QUALITE_CER,
        etat=EtatRetrait.ACCOMPAGNEMENT,
        griefs="Contrôle annuel de la qualité des CER : moyenne de 68 % sur la grille (80 % attendus) ; "
        "remarques absentes ou trop brèves, actions peu détaillées.",
        accompagnement_fin=add_months(engaged, 6),
        created_by=dpid,
    )
    RetraitLabel.objects.filter(pk=support.pk).update(created_at=at(engaged))
    _recent_cers(pbi.structure, since=engaged, today=today)

    # La Fabrique DEFI: labelled 13 months ago, first charter reviewed; a referent who arrived in
    # June 2025 was never trained (due within the year of arrival): withdrawal envisaged, the
    # structure may send its observations for 30 days.
    fabrique = _granted(
        structures["La Fabrique DEFI"], deposee=months_ago(18), decidee=months_ago(13), when=months_ago(17)
    )
    anniversary = add_years(fabrique.date_decision, 1)
    CharteQualite.objects.create(
        label=fabrique,
        annee=1,
        deposee_le=anniversary - datetime.timedelta(days=10),
        bilan="Auto-contrôle trimestriel des CER ; plan de formation du nouveau référent à finaliser.",
        examinee_le=min(anniversary + datetime.timedelta(days=5), today),
        conforme=True,
    )
    newcomer = Referent.objects.get(structure=fabrique.structure, nom="Lefèvre", prenom="Antoine")
    # When the label was granted he was a newcomer with a training plan (which counts, seed 001
    # §5-1 b); he then attended none of its sessions.
    planned_on = min(fabrique.date_decision + datetime.timedelta(days=40), today - datetime.timedelta(days=1))
    for module in ModuleFormation.objects.filter(
        code__in=["pssm", "potentiels", "public-feminin", "secret-professionnel", "retraite"]
    ):
        FormationReferent.objects.create(
            referent=newcomer,
            module=module,
            nature=NatureFormation.PREVUE,
            date=planned_on,
            organisme="Département du Pas-de-Calais",
        )
    notified = today - datetime.timedelta(days=20)
    RetraitLabel.objects.create(
        label=fabrique,
        motif=MotifRetrait.ENGAGEMENTS,
        etat=EtatRetrait.CONTRADICTOIRE,
        griefs=f"Antoine Lefèvre, arrivé le {format_date(newcomer.date_arrivee)}, devait être formé dans "
        f"l'année de son arrivée (avant le 31 décembre {newcomer.date_arrivee.year}) et n'a suivi aucun des "
        "modules obligatoires, "
        "malgré l'engagement pris lors de la demande de label.",
        notifie_le=notified,
        observations_avant=notified + datetime.timedelta(days=30),
        created_by=dpid,
    )

    # MIPE: submitted 5 months ago, the DPID has to control its panel (6-month limit next month).
    mipe_day = months_ago(5)
    mipe = _demande(structures["MIPE"], EtatDemande.DEPOSEE, deposee=mipe_day)
    _panel(mipe, structure_scores=GOOD, when=at(mipe_day - datetime.timedelta(days=6)))
    for evaluation in mipe.evaluations.all():
        EvaluationCer.objects.create(
            demande=mipe,
            cer=evaluation.cer,
            evaluateur=Evaluateur.DPID,
            score_automatique=evaluation.score_automatique,
        )
    _log(mipe, [("deposer", EtatDemande.BROUILLON, EtatDemande.DEPOSEE, mipe_day)])

    # Pas-de-Calais Actif: the DPID proposed a favourable opinion; the SLAI has to confirm it.
    pca_day, pca_opinion = today - datetime.timedelta(days=108), today - datetime.timedelta(days=38)
    pca = _demande(
        structures["Pas-de-Calais Actif"],
        EtatDemande.AVIS_DPID,
        deposee=pca_day,
        avis_dpid=Avis.FAVORABLE,
        avis_dpid_at=at(pca_opinion),
        evaluation_dpid="Dossier complet ; tous les référents sont formés ; CER de bonne qualité.",
    )
    _panel(
        pca,
        structure_scores=GOOD,
        dpid_scores=GOOD,
        when=at(pca_opinion - datetime.timedelta(days=15)),
    )
    _log(
        pca,
        [
            ("deposer", EtatDemande.BROUILLON, EtatDemande.DEPOSEE, pca_day),
            ("evaluer", EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, pca_opinion),
        ],
    )

    # Tous Parrains: refused two months ago, within 6 months of its request: 6-month moratorium.
    tp_decision = months_ago(2, days=2)
    tp = _demande(
        structures["Tous Parrains"],
        EtatDemande.MORATOIRE,
        deposee=add_months(tp_decision, -6) + datetime.timedelta(days=10),
        avis_dpid=Avis.DEFAVORABLE,
        avis_slai=Avis.DEFAVORABLE,
        decision_at=at(tp_decision),
        notifiee_le=tp_decision,
        motifs_decision="Qualité des CER insuffisante : actions peu détaillées, remarques absentes.",
    )
    _panel(tp, structure_scores=average, dpid_scores=weak, when=at(tp.deposee_at.date() + datetime.timedelta(days=38)))
    meeting, tp_end = tp_decision + datetime.timedelta(days=29), add_months(tp_decision, 6)
    Moratoire.objects.create(
        demande=tp,
        date_debut=tp_decision,
        date_fin=tp_end,
        date_rencontre=meeting,
        criteres_non_remplis="Qualité des CER : moyenne du contrôle inférieure à 80 %",
        objectifs="Détailler chaque action ; rédiger une remarque argumentée.",
        moyens="Deux ateliers d'écriture avec l'animatrice SLAI.",
        temporalite=f"{mois_fr(meeting).capitalize()} à {mois_fr(add_months(tp_end, -1))}",
        signe_slai_le=meeting,
    )

    # PIF: first request refused (moratorium), new request after the moratorium refused 7 weeks
    # ago, recours gracieux filed 3 weeks later (within 2 months).
    pif_decision = today - datetime.timedelta(days=48)
    pif_deposit = add_months(pif_decision, -5)
    first_end = add_months(pif_deposit, -1)
    first_decision = add_months(first_end, -6)
    first = _demande(
        structures["PIF"],
        EtatDemande.MORATOIRE,
        deposee=add_months(first_decision, -4),
        decision_at=at(first_decision),
        notifiee_le=first_decision,
        motifs_decision="Attestations de formation au secret professionnel manquantes pour deux référents.",
    )
    Moratoire.objects.create(demande=first, date_debut=first_decision, date_fin=first_end)
    pif = _demande(
        structures["PIF"],
        EtatDemande.REFUSEE,
        deposee=pif_deposit,
        type_demande=TypeDemande.APRES_MORATOIRE,
        avis_dpid=Avis.DEFAVORABLE,
        avis_slai=Avis.DEFAVORABLE,
        decision_at=at(pif_decision),
        notifiee_le=pif_decision,
        motifs_decision="La qualité des CER reste inférieure au seuil de 80 % à l'issue du moratoire.",
    )
    _panel(pif, structure_scores=average, dpid_scores=weak, when=at(pif_deposit + datetime.timedelta(days=30)))
    Recours.objects.create(
        demande=pif,
        etat=EtatRecours.DEPOSE,
        depose_le=pif_decision + datetime.timedelta(days=21),
        actions_menees="Formation de toute l'équipe à la rédaction des CER ; "
        "nouvelle grille d'auto-contrôle mensuelle.",
        created_by=dpid,
    )
    return "9 structures dans chaque situation du label"
