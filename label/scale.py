"""Scale data of the label: one structure in three has a request (submitted, graded by the DPID,
or granted), each referent's panel of 5 CERs drawn from 8 anonymised CERs taken from their own
caseload and graded on the grid of annexe 2 (the automatic score from `grille_cer.grade`)."""

import datetime
from decimal import Decimal

from accompagnement.models import Cer
from label.enums import Avis, EtatDemande, Evaluateur, TypeDemande
from label.models import CerAnonymise, DemandeLabel, EvaluationCer, Label, TirageCer, TransitionDemande
from label.services import draw
from portal import grille_cer
from portal.core.scale import at, register

POOL = 8
STATES = [EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, EtatDemande.ACCORDEE]
# (duree, situation, positionnement, secret) judgement marks, good to weak.
MARKS = [("1", "1", "2", "1.5"), ("1", "1", "1", "1.5"), ("1", "0", "1", "1.5"), ("0", "0", "0", "1.5")]


def cer_content(cer) -> dict:
    """A CER of the accompaniment in the `grade_cer` JSON format (what a structure uploads)."""
    return {
        "numero_caf": cer.orientation.beneficiaire.numero_caf,
        "type": cer.type,
        "date_edition": cer.date_edition.isoformat(),
        "date_debut": cer.date_debut.isoformat(),
        "date_fin": cer.date_fin.isoformat(),
        "remarque": cer.remarque,
        "actions": [
            {
                "intitule": action.intitule,
                "date_debut": action.date_debut.isoformat(),
                "date_fin": action.date_fin.isoformat(),
                "detail": action.detail,
                "insertion_professionnelle": action.insertion_professionnelle,
            }
            for action in cer.actions.all()
        ],
    }


@register("Demandes de label et CER évalués", order=60)
def seed(ctx):
    rng = ctx.rng("label")
    dpid = ctx.shared["dpid"]
    referents_by_structure = {}
    for referent in ctx.shared["referents"]:
        referents_by_structure.setdefault(referent.structure_id, []).append(referent)
    demandes, anonymised, plans = [], [], []
    for n, structure in enumerate(ctx.shared["structures"]):
        if n % 3:
            continue
        etat = STATES[(n // 3) % len(STATES)]
        deposee = ctx.today - datetime.timedelta(days=rng.randint(20, 150))
        decided = deposee + datetime.timedelta(days=60)
        demande = DemandeLabel(
            structure=structure,
            type=TypeDemande.INITIALE,
            etat=etat,
            engagement=True,
            commentaire="Tous nos référents sont engagés dans la démarche qualité du Département.",
            created_by=ctx.shared["responsables"].get(structure.pk),
            deposee_at=at(deposee),
            avis_dpid=Avis.FAVORABLE if etat != EtatDemande.DEPOSEE else "",
            avis_dpid_at=at(deposee + datetime.timedelta(days=30)) if etat != EtatDemande.DEPOSEE else None,
            evaluation_dpid="Dossier complet ; CER conformes à la grille." if etat != EtatDemande.DEPOSEE else "",
            decision_at=at(decided) if etat == EtatDemande.ACCORDEE else None,
            motifs_decision="Critères du cahier des charges remplis." if etat == EtatDemande.ACCORDEE else "",
        )
        demandes.append(demande)
        for referent in referents_by_structure.get(structure.pk, []):
            cers = list(
                Cer.objects.filter(orientation__referent=referent, signe_le__isnull=False)
                .select_related("orientation__beneficiaire")
                .prefetch_related("actions")
                .order_by("pk")[:POOL]
            )
            rows = []
            for cer in cers:
                content = cer_content(cer)
                rows.append(
                    CerAnonymise(
                        structure=structure,
                        referent=referent,
                        numero_caf=content["numero_caf"],
                        contenu=content,
                        empreinte=CerAnonymise.fingerprint(content),
                        created_by=demande.created_by,
                    )
                )
            anonymised.extend(rows)
            plans.append((demande, referent, rows))
    ctx.insert(DemandeLabel, demandes)
    ctx.insert(CerAnonymise, anonymised)
    tirages, evaluations, transitions, labels = [], [], [], []
    for demande, referent, rows in plans:
        pool = [row.pk for row in rows]
        seed = 1000 + referent.pk
        selection = draw(pool, seed)
        tirages.append(
            TirageCer(demande=demande, referent=referent, seed=seed, pool=pool, selection=selection, created_by=dpid)
        )
        for row in rows:
            if row.pk not in selection:
                continue
            score = Decimal(str(grille_cer.grade(row.cer)["score_automatique"]))
            evaluators = [Evaluateur.STRUCTURE] + ([Evaluateur.DPID] if demande.etat != EtatDemande.DEPOSEE else [])
            for evaluateur in evaluators:
                marks = rng.choice(MARKS)
                evaluations.append(
                    EvaluationCer(
                        demande=demande,
                        cer=row,
                        evaluateur=evaluateur,
                        score_automatique=score,
                        duree_adaptee=Decimal(marks[0]),
                        remarque_situation=Decimal(marks[1]),
                        remarque_positionnement=Decimal(marks[2]),
                        secret_professionnel=Decimal(marks[3]),
                        evaluated_by=dpid if evaluateur == Evaluateur.DPID else demande.created_by,
                        evaluated_at=demande.deposee_at,
                    )
                )
    for demande in demandes:
        steps = [("deposer", EtatDemande.BROUILLON, EtatDemande.DEPOSEE)]
        if demande.etat != EtatDemande.DEPOSEE:
            steps.append(("avis_dpid", EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID))
        if demande.etat == EtatDemande.ACCORDEE:
            steps.append(("accorder", EtatDemande.AVIS_DPID, EtatDemande.ACCORDEE))
            decided = demande.decision_at.date()
            labels.append(
                Label(
                    structure=demande.structure,
                    demande=demande,
                    date_decision=decided,
                    date_fin=decided.replace(year=decided.year + 5) - datetime.timedelta(days=1),
                )
            )
        transitions.extend(
            TransitionDemande(demande=demande, transition=name, de=de, vers=vers, user=demande.created_by)
            for name, de, vers in steps
        )
    ctx.insert(TirageCer, tirages)
    ctx.insert(EvaluationCer, evaluations)
    ctx.insert(TransitionDemande, transitions)
    ctx.insert(Label, labels)
    return f"{len(demandes)} demandes, {len(anonymised)} CER anonymisés, {len(evaluations)} évaluations"
