"""The results expected of a référent solidarité (seed 000 l. 86–91, 211–215): reorientations
toward the socio-professional sphere and changes of financial situation; dynamic exits keep seed
004's definition; one motive, one category (issue 14, item 11)."""

import datetime

from accompagnement.enums import CATEGORIE_DU_MOTIF, CategorieSortie, EtatDemande, MotifSortie
from accompagnement.models import DemandeReorientation, TypeAccompagnement
from tests.accompagnement.test_indicateurs import orient, sortie, structure_c, total  # noqa: F401

D = datetime.date


def reoriented(structure, referent, day, kind):
    origin = orient(structure, referent, D(2026, 1, 5))
    new = orient(structure, None, day, kind=kind)
    DemandeReorientation.objects.create(
        orientation=origin,
        date_demande=day - datetime.timedelta(days=10),
        type_souhaite=TypeAccompagnement.objects.get(code=kind),
        argumentaire="Projet professionnel.",
        etat=EtatDemande.ACCEPTEE,
        decidee_le=day,
        nouvelle_orientation=new,
    )
    sortie(origin, day, MotifSortie.REORIENTATION)
    return origin


def test_reorientations_and_financial_changes_are_the_solidarite_results(structure_c):  # noqa: F811
    structure, referent = structure_c
    reoriented(structure, referent, D(2026, 3, 2), "equilibre")  # toward the socio-professional sphere
    reoriented(structure, referent, D(2026, 3, 9), "solidarite")  # another solidarité referent: not a result
    sortie(orient(structure, referent, D(2026, 1, 5)), D(2026, 4, 1), MotifSortie.AAH)
    sortie(orient(structure, referent, D(2026, 1, 5)), D(2026, 4, 2), MotifSortie.RETRAITE)
    sortie(orient(structure, referent, D(2026, 1, 5)), D(2026, 4, 3), MotifSortie.CDI)
    v = total(structure, D(2026, 1, 1), D(2026, 6, 30), D(2026, 12, 15)).valeurs
    assert v["reorientations_sociopro"] == 1
    assert v["resultats_solidarite"] == 3  # 1 reorientation + AAH + retirement
    assert v["sorties_dynamiques"] == 1  # seed 004: the CDI only


def test_one_motive_belongs_to_one_category():
    assert CATEGORIE_DU_MOTIF[MotifSortie.AAH] == CategorieSortie.SITUATION_FINANCIERE
    assert "hors AAH" in MotifSortie.AUTRES_DROITS.label
    assert set(CATEGORIE_DU_MOTIF) == set(MotifSortie)
