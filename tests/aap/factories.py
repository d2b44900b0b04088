"""Calls, dispositifs and applications for the aap tests, driven through aap.services."""

import datetime
from decimal import Decimal
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aap import services
from aap.enums import EtatAppel, ModeleCout
from aap.models import (
    AppelAProjets,
    Candidature,
    Dispositif,
    FenetreDepot,
    LigneBudget,
    Personnel,
    PieceJointe,
    Thematique,
)

PDF = b"%PDF-1.7\n% piece de test\n"
PIECE = "Statuts de la structure"


def pdf(name="piece.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def make_appel(*, ouverture=None, cloture=None, published=True, annee=2026, titre=None, **dispositif_fields):
    today = timezone.localdate()
    appel = AppelAProjets.objects.create(
        annee=annee,
        titre=titre or f"Appel à projets des politiques d'inclusion durable {annee}",
        etat=EtatAppel.PUBLIE if published else EtatAppel.BROUILLON,
        publie_at=timezone.now() if published else None,
    )
    thematique = Thematique.objects.create(appel=appel, numero=1, libelle="Accompagnement des BRSA")
    fields = {
        "code": "1.1",
        "libelle": "Référent solidarité",
        "modele_cout": ModeleCout.PAR_PLACE,
        "taux": Decimal("80.00"),
        "pieces_requises": PIECE,
        "part_quantitative": Decimal(50),
        "part_qualitative": Decimal(50),
    }
    fields.update(dispositif_fields)
    dispositif = Dispositif.objects.create(appel=appel, thematique=thematique, **fields)
    fenetre = FenetreDepot.objects.create(
        appel=appel,
        ouverture=ouverture or today - datetime.timedelta(days=10),
        cloture=cloture or today + datetime.timedelta(days=20),
    )
    return SimpleNamespace(appel=appel, thematique=thematique, dispositif=dispositif, fenetre=fenetre)


BALANCED = {
    "64": Decimal("15000.00"),
    "62": Decimal("5000.00"),
    "74_departement": Decimal("16000.00"),
    "fonds_propres": Decimal("4000.00"),
}


def make_candidature(*, dispositif, structure, territoire, user=None, complete=True):
    """A draft; `complete` fills every part so it can be filed."""
    candidature = Candidature.objects.create(
        dispositif=dispositif, structure=structure, territoire=territoire, created_by=user
    )
    if complete:
        fill(candidature)
    return candidature


def fill(candidature):
    today = timezone.localdate()
    Candidature.objects.filter(pk=candidature.pk).update(
        intitule="Accompagnement de proximité",
        description="Accueil individuel et suivi des parcours.",
        places=250,
        etp=Decimal("1.00"),
        beneficiaires=250,
        date_debut=today,
        date_fin=today + datetime.timedelta(days=180),
        indicateurs_proposes="Taux de contractualisation",
        engagement_label=True,
    )
    candidature.refresh_from_db()
    for code, amount in BALANCED.items():
        LigneBudget.objects.create(candidature=candidature, compte=code, montant=amount)
    personnel = Personnel(candidature=candidature, nom="Camille Durand", fonction="Référente", etp=Decimal("1.00"))
    personnel.cv.save("cv.pdf", ContentFile(PDF), save=False)
    personnel.cv_nom = "cv.pdf"
    personnel.save()
    piece = PieceJointe(candidature=candidature, nature=PIECE, nom_original="statuts.pdf", taille=len(PDF))
    piece.fichier.save("statuts.pdf", ContentFile(PDF), save=False)
    piece.save()
    return candidature


def advance(candidature, etat, *, users):
    """Drive an application through the services to `etat` (users: role → user)."""
    structure_user, dpid, slai = users["responsable"], users["dpid"], users["slai"]
    if etat == "brouillon":
        return candidature
    services.candidature_deposit(candidature=candidature, user=structure_user)
    if etat == "retiree":
        services.candidature_withdraw(candidature=candidature, user=structure_user, motif="Projet abandonné.")
    elif etat == "irrecevable":
        services.candidature_admissibility(
            candidature=candidature, checklist={}, recevable=False, motif="Public non conforme.", user=dpid
        )
    elif etat == "correction":
        services.candidature_request_correction(
            candidature=candidature, motif="incomplet", sections=["budget"], message="Budget à détailler.", user=dpid
        )
    elif etat != "deposee":
        steps = ["recevable", "en_instruction", "avis_rendu", "proposee", "retenue"]
        target = "avis_rendu" if etat == "non_retenue" else etat
        for step in steps[: steps.index(target) + 1]:
            _step(candidature, step, dpid=dpid, slai=slai)
        if etat == "non_retenue":
            services.candidature_decide(candidature=candidature, retenue=False, motif="Budget insuffisant.", user=dpid)
    candidature.refresh_from_db()
    return candidature


def _step(candidature, step, *, dpid, slai):
    if step == "recevable":
        services.candidature_admissibility(
            candidature=candidature, checklist={"statut": True}, recevable=True, motif="", user=dpid
        )
    elif step == "en_instruction":
        services.candidature_start_instruction(candidature=candidature, user=dpid)
    elif step == "avis_rendu":
        if candidature.dispositif.validation_slai_requise:
            services.candidature_territorial_opinion(candidature=candidature, user=slai, validation="validee")
        else:
            services.candidature_territorial_opinion(candidature=candidature, user=slai, avis="favorable")
    elif step == "proposee":
        services.candidature_propose(
            candidature=candidature,
            montant=Decimal("16000.00"),
            places=200,
            etp=Decimal("0.80"),
            acte="convention",
            motif="",
            user=dpid,
        )
    elif step == "retenue":
        services.candidature_decide(candidature=candidature, retenue=True, motif="", user=dpid)


def aap_world(world):
    """Objects of the calls for projects on the shared `world` (created once per test): a published
    call, structure A's application in instruction with a CV and a piece, its draft on another
    dispositif, and an opinion asked of the DPID user."""
    cached = getattr(world, "_aap", None)
    if cached is not None:
        return cached
    users = world.users
    made = make_appel()
    other = Dispositif.objects.create(appel=made.appel, code="3.14", libelle="Actions d'insertion innovantes")
    candidature = make_candidature(
        dispositif=made.dispositif, structure=world.structure_a, territoire=world.territoire_a
    )
    advance(candidature, "en_instruction", users=users)
    draft = make_candidature(dispositif=other, structure=world.structure_a, territoire=world.territoire_a)
    demande_avis = services.avis_request(
        candidature=candidature,
        destinataire=users["dpid"],
        question="Le partenariat est-il réel ?",
        echeance=timezone.localdate() + datetime.timedelta(days=7),
        user=users["slai"],
    )
    cached = SimpleNamespace(
        appel=made.appel,
        dispositif=made.dispositif,
        fenetre=made.fenetre,
        candidature=candidature,
        draft=draft,
        personnel=candidature.personnels.get(),
        piece=candidature.pieces.get(),
        draft_personnel=draft.personnels.get(),
        draft_piece=draft.pieces.get(),
        demande_avis=demande_avis,
    )
    world._aap = cached
    return cached
