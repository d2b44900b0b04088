"""CER grading with the grid of annexe 2 (label référent RSA). Pure Python: no database."""

import copy
import datetime
import json
from decimal import Decimal
from pathlib import Path

import pytest

from portal.grille_cer import (
    AUTOMATIC_ITEMS,
    GRID,
    GRID_SECTIONS,
    GRID_TOTAL,
    JUDGEMENT_ITEMS,
    ActionInput,
    CerFormatError,
    CerInput,
    grade,
    parse_cer,
    secrecy_alerts,
)

EXAMPLES_DIR = Path(__file__).resolve().parents[3] / "shared" / "examples" / "cer"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.json") if not p.name.endswith(".expected.json"))


def action(**overrides):
    data = {
        "intitule": "Demande de logement social",
        "date_debut": "2025-01-10",
        "date_fin": "2025-03-31",
        "detail": "Constitution du dossier et dépôt auprès du bailleur.",
        "insertion_professionnelle": False,
    }
    data.update(overrides)
    return data


def cer_data(**overrides):
    data = {
        "numero_caf": "1234567",
        "type": "solidarite",
        "date_edition": "2025-01-10",
        "date_debut": "2025-01-10",
        "date_fin": "2025-07-09",
        "remarque": "Madame souhaite stabiliser son logement avant de reprendre une formation.",
        "actions": [action()],
    }
    data.update(overrides)
    return data


def graded(**overrides):
    return grade(parse_cer(cer_data(**overrides)))


def auto(**overrides):
    return graded(**overrides)["automatique"]


# --- shared examples -------------------------------------------------------------------------------------------


@pytest.mark.skipif(not EXAMPLES_DIR.is_dir(), reason=f"dossier des exemples partagés absent : {EXAMPLES_DIR}")
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_shared_example_matches_expected_output(path):
    expected = json.loads(path.with_name(f"{path.stem}.expected.json").read_text(encoding="utf-8"))
    result = grade(parse_cer(json.loads(path.read_text(encoding="utf-8"))))
    assert result == expected
    # Same JSON, with the same number types (ints stay ints, halves are floats).
    assert json.loads(json.dumps(result)) == expected
    assert json.dumps(result, sort_keys=True) == json.dumps(expected, sort_keys=True)


@pytest.mark.skipif(not EXAMPLES_DIR.is_dir(), reason=f"dossier des exemples partagés absent : {EXAMPLES_DIR}")
def test_there_are_three_shared_examples():
    assert len(EXAMPLES) == 3


# --- grid definition ---------------------------------------------------------------------------------------------


def test_grid_totals_ten_points():
    assert Decimal(10) == GRID_TOTAL == sum(item.maximum for item in GRID)
    assert sum(section.maximum for section in GRID_SECTIONS) == Decimal(10)
    for section in GRID_SECTIONS:
        assert section.maximum == sum(item.maximum for item in GRID if item.rubrique == section.rubrique)


def test_grid_items_split_between_automatic_and_judgement():
    assert [item.code for item in AUTOMATIC_ITEMS] == [
        "debut_actions",
        "fin_actions",
        "nombre_actions",
        "detail_actions",
        "remarque_presente",
    ]
    assert {item.code: item.maximum for item in JUDGEMENT_ITEMS} == {
        "duree_adaptee": Decimal(1),
        "remarque_situation": Decimal(1),
        "remarque_positionnement": Decimal(2),
        "secret_professionnel": Decimal("1.5"),
    }
    assert all(item.libelle for item in GRID)


def test_result_structure_and_json_numbers():
    result = graded()
    assert list(result) == ["numero_caf", "automatique", "score_automatique", "a_evaluer", "indices", "alertes"]
    text = json.dumps(result)
    assert "Decimal" not in text
    assert '"nombre_actions": 2,' in text
    assert '"debut_actions": 0.5' in text
    assert result["score_automatique"] == 4.5
    assert result["score_automatique"] == sum(result["automatique"].values())
    assert isinstance(result["automatique"]["nombre_actions"], int)


# --- durée des actions ----------------------------------------------------------------------------------------


def test_action_starting_exactly_on_edition_date_scores():
    assert auto(actions=[action(date_debut="2025-01-10")])["debut_actions"] == 0.5


def test_action_starting_one_day_before_edition_date_scores_zero():
    assert auto(actions=[action(date_debut="2025-01-09")])["debut_actions"] == 0


def test_edition_date_counts_not_contract_start():
    # Edited before the contract starts: an action between the two dates starts "after the edition".
    result = auto(date_edition="2025-01-05", actions=[action(date_debut="2025-01-06")])
    assert result["debut_actions"] == 0.5


def test_one_early_action_is_enough_to_lose_the_start_point():
    result = auto(actions=[action(), action(date_debut="2025-01-09")])
    assert result["debut_actions"] == 0
    assert result["fin_actions"] == 0.5


def test_action_ending_exactly_on_contract_end_scores():
    assert auto(actions=[action(date_fin="2025-07-09")])["fin_actions"] == 0.5


def test_action_ending_one_day_after_contract_end_scores_zero():
    result = auto(actions=[action(date_fin="2025-07-10")])
    assert result["fin_actions"] == 0
    assert result["debut_actions"] == 0.5


# --- nombre d'actions -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("cer_type", ["solidarite", "socioprofessionnel"])
def test_zero_actions_scores_nothing_on_action_items(cer_type):
    result = graded(type=cer_type, actions=[])
    assert result["automatique"] == {
        "debut_actions": 0,
        "fin_actions": 0,
        "nombre_actions": 0,
        "detail_actions": 0,
        "remarque_presente": 0.5,
    }
    assert result["score_automatique"] == 0.5
    assert result["indices"] == {"action_sur_toute_la_duree": False}


def test_solidarite_with_one_action_scores_two():
    assert auto(actions=[action()])["nombre_actions"] == 2


@pytest.mark.parametrize(
    ("count", "professional", "expected"),
    [
        (1, False, 0),
        (1, True, 1),
        (2, False, 0),
        (2, True, 1),
        (3, False, 1),
        (3, True, 2),
        (4, True, 2),
    ],
)
def test_socioprofessionnel_points_are_independent(count, professional, expected):
    actions = [action() for _ in range(count)]
    actions[-1]["insertion_professionnelle"] = professional
    assert auto(type="socioprofessionnel", actions=actions)["nombre_actions"] == expected


def test_professional_action_does_not_matter_in_solidarite():
    assert auto(actions=[action(insertion_professionnelle=True)])["nombre_actions"] == 2


# --- détail des actions, remarque -----------------------------------------------------------------------------


@pytest.mark.parametrize("detail", ["", " ", "  \t\n ", "\u00a0"])
def test_blank_detail_on_any_action_scores_zero(detail):
    assert auto(actions=[action(), action(detail=detail)])["detail_actions"] == 0


def test_all_details_filled_scores_one():
    assert auto(actions=[action(), action(detail="x")])["detail_actions"] == 1


@pytest.mark.parametrize("remarque", ["", "   ", "\n\t"])
def test_blank_remark_scores_zero(remarque):
    assert auto(remarque=remarque)["remarque_presente"] == 0


def test_present_remark_scores_half_a_point():
    assert auto(remarque="Projet d'aide à domicile.")["remarque_presente"] == 0.5


def test_judgement_items_returned_with_their_maxima():
    assert graded(actions=[], remarque="")["a_evaluer"] == {
        "duree_adaptee": 1,
        "remarque_situation": 1,
        "remarque_positionnement": 2,
        "secret_professionnel": 1.5,
    }


# --- hint: one action over the whole contract ------------------------------------------------------------------


def hint(**overrides):
    return graded(**overrides)["indices"]["action_sur_toute_la_duree"]


def test_hint_true_when_an_action_covers_the_contract_exactly():
    assert hint(actions=[action(), action(date_debut="2025-01-10", date_fin="2025-07-09")]) is True


def test_hint_true_when_an_action_is_wider_than_the_contract():
    assert hint(actions=[action(date_debut="2025-01-01", date_fin="2025-08-01")]) is True


def test_hint_false_when_no_single_action_covers_the_contract():
    # Together they cover the contract, but neither does alone.
    actions = [action(date_debut="2025-01-10", date_fin="2025-04-01"), action(date_debut="2025-04-01")]
    actions[1]["date_fin"] = "2025-07-09"
    assert hint(actions=actions) is False


def test_hint_false_one_day_short_on_either_side():
    assert hint(actions=[action(date_debut="2025-01-11", date_fin="2025-07-09")]) is False
    assert hint(actions=[action(date_debut="2025-01-10", date_fin="2025-07-08")]) is False


# --- secrecy alerts -------------------------------------------------------------------------------------------


def alerts_for(remarque="", intitule="Accompagnement", detail="Rendez-vous mensuels."):
    return graded(remarque=remarque, actions=[action(intitule=intitule, detail=detail)])["alertes"]


@pytest.mark.parametrize(
    ("text", "category", "wording"),
    [
        ("Monsieur est atteint d'un cancer.", "diagnostic médical", "cancer"),
        ("Diabète de type 2 mal équilibré.", "diagnostic médical", "Diabète"),
        ("Madame traverse une DÉPRESSION.", "diagnostic médical", "DÉPRESSION"),
        ("Schizophrénie stabilisée.", "diagnostic médical", "Schizophrénie"),
        ("Trouble bipolaire diagnostiqué en 2019.", "diagnostic médical", "Trouble bipolaire"),
        ("Crises d'épilepsie fréquentes.", "diagnostic médical", "épilepsie"),
        ("Hépatite C.", "diagnostic médical", "Hépatite"),
        ("Soignée pour une tuberculose.", "diagnostic médical", "tuberculose"),
        ("Sa mère a la maladie d'Alzheimer.", "diagnostic médical", "Alzheimer"),
        ("Sous chimiothérapie jusqu'en mars.", "traitement médical", "chimiothérapie"),
        ("Traitement par méthadone.", "traitement médical", "méthadone"),
        ("Prend du Subutex.", "traitement médical", "Subutex"),
        ("Sous antidépresseurs.", "traitement médical", "antidépresseurs"),
        ("Traitement neuroleptique.", "traitement médical", "neuroleptique"),
        ("Après une hospitalisation psychiatrique.", "traitement médical", "hospitalisation psychiatrique"),
        ("Dialyse trois fois par semaine.", "traitement médical", "Dialyse"),
        ("Monsieur est alcoolique.", "addiction", "alcoolique"),
        ("Alcoolisme ancien.", "addiction", "Alcoolisme"),
        ("Suivi en addictologie.", "addiction", "addictologie"),
        ("Passé de toxicomanie.", "addiction", "toxicomanie"),
        ("Consommation de drogue.", "addiction", "drogue"),
        ("Consomme du cannabis.", "addiction", "cannabis"),
        ("Ancien usager d'héroïne.", "addiction", "héroïne"),
        ("Cocaïne.", "addiction", "Cocaïne"),
        ("Sevrage en cours.", "addiction", "Sevrage"),
        ("Cure de désintoxication prévue.", "addiction", "Cure de désintoxication"),
        ("Casier judiciaire chargé.", "antécédent judiciaire", "Casier judiciaire"),
        ("Sorti de prison en janvier.", "antécédent judiciaire", "prison"),
        ("Après son incarcération.", "antécédent judiciaire", "incarcération"),
        ("Deux ans de détention.", "antécédent judiciaire", "détention"),
        ("Une condamnation pour vol.", "antécédent judiciaire", "condamnation"),
        ("Placé en garde à vue.", "antécédent judiciaire", "garde à vue"),
        ("Peine avec sursis.", "antécédent judiciaire", "sursis"),
        ("Porte un bracelet électronique.", "antécédent judiciaire", "bracelet électronique"),
        ("Suivi par le SPIP.", "antécédent judiciaire", "SPIP"),
        ("Madame est séropositive.", "statut VIH", "séropositive"),
        ("Séropositif depuis 2010.", "statut VIH", "Séropositif"),
        ("Porteur du VIH.", "statut VIH", "VIH"),
        ("Malade du sida.", "statut VIH", "sida"),
    ],
)
def test_sensitive_wording_in_remark_is_flagged(text, category, wording):
    assert alerts_for(remarque=text) == [f"Remarque : mention {ARTICLES[category]}{category} (« {wording} »)"]


ARTICLES = {
    "diagnostic médical": "d'un ",
    "traitement médical": "d'un ",
    "addiction": "d'une ",
    "antécédent judiciaire": "d'un ",
    "statut VIH": "du ",
}


def test_alerts_name_the_action_and_the_field():
    alerts = graded(
        remarque="Parcours à construire.",
        actions=[
            action(),
            action(intitule="Sortie de prison", detail="Suivi après son incarcération."),
        ],
    )["alertes"]
    assert alerts == [
        "Action 2, intitulé : mention d'un antécédent judiciaire (« prison »)",
        "Action 2, détail : mention d'un antécédent judiciaire (« incarcération »)",
    ]


def test_one_alert_per_place_and_category():
    alerts = alerts_for(remarque="Alcoolique, sevrage en cours, consommation de cannabis ; condamnation en 2020.")
    assert alerts == [
        "Remarque : mention d'une addiction (« Alcoolique »)",
        "Remarque : mention d'un antécédent judiciaire (« condamnation »)",
    ]


def test_alerts_in_reading_order_remark_then_each_action():
    alerts = graded(
        remarque="Diabète.",
        actions=[
            action(intitule="Cure de désintoxication", detail="Hospitalisation prévue."),
            action(intitule="Accès aux droits", detail="Suivi SPIP."),
        ],
    )["alertes"]
    assert [alert.split(" : ")[0] for alert in alerts] == [
        "Remarque",
        "Action 1, intitulé",
        "Action 1, détail",
        "Action 2, détail",
    ]


def test_matching_ignores_case_accents_and_ligatures():
    assert alerts_for(remarque="HEROINE et COCAINE") == ["Remarque : mention d'une addiction (« HEROINE »)"]
    assert alerts_for(remarque="depression") == ["Remarque : mention d'un diagnostic médical (« depression »)"]
    assert alerts_for(remarque="Madame   est\nséro-positive") == [
        "Remarque : mention du statut VIH (« séro-positive »)"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Ouverture des droits CSS auprès de la CPAM",
        "Constitution du dossier MDPH",
        "Demande de RQTH",
        "Bilan de santé au centre d'examens de santé",
        "Déclaration d'un médecin traitant",
        "Demande de complémentaire santé solidaire",
        "Mise à jour de la carte Vitale",
        "Inscription à France Travail et recherche d'emploi",
        "Achat de produits à la droguerie du quartier",
        "Cours de chimie au lycée",
        "Projet de formation d'aide-soignante",
        "Candidature au poste d'agent de prévention",
        "Demande d'aide juridictionnelle pour le divorce",
        "Accompagnement vers la mission locale",
        "Atelier de remobilisation : confiance en soi, estime de soi",
        "Recherche d'un logement adapté au handicap",
        "Arrêt maladie de deux semaines",
        "Demande de pension d'invalidité",
        "Préparation du permis B",
        "Candidature comme agent de service au centre hospitalier",
        "Rendez-vous avec la psychologue du centre social",
    ],
)
def test_legitimate_wording_is_not_flagged(text):
    assert alerts_for(remarque=text, intitule=text, detail=text) == []


@pytest.mark.parametrize(
    "text",
    [
        "Conciliation avec le bailleur",  # contains "cili", nothing sensitive
        "Épiceries solidaires et associations caritatives",  # "epi" is not "epilepsie"
        "Emprisonnement de la vapeur",  # "prison" inside a word is only flagged as a word start
        "Ressources : prestations familiales",
        "Moniteur d'auto-école",
    ],
)
def test_no_false_positive_inside_unrelated_words(text):
    # "emprisonnement" starts with "em", so the "prison" stem must not fire inside it.
    assert alerts_for(remarque=text) == []


def test_alerts_never_change_a_score():
    clean = graded(remarque="Madame souhaite reprendre une formation.")
    flagged = graded(remarque="Madame, alcoolique et séropositive, souhaite reprendre une formation.")
    assert flagged["alertes"]
    assert flagged["automatique"] == clean["automatique"]
    assert flagged["score_automatique"] == clean["score_automatique"]
    assert flagged["a_evaluer"] == clean["a_evaluer"]


def test_secrecy_alerts_works_on_a_cer_input():
    cer = CerInput(
        numero_caf="1",
        type="solidarite",
        date_edition=datetime.date(2025, 1, 1),
        date_debut=datetime.date(2025, 1, 1),
        date_fin=datetime.date(2025, 6, 30),
        remarque="",
        actions=[ActionInput("Suivi", datetime.date(2025, 1, 1), datetime.date(2025, 6, 30), "Garde à vue.", False)],
    )
    assert secrecy_alerts(cer) == ["Action 1, détail : mention d'un antécédent judiciaire (« Garde à vue »)"]


# --- parsing --------------------------------------------------------------------------------------------------


def test_parse_cer_builds_typed_dataclasses():
    cer = parse_cer(cer_data(actions=[action(insertion_professionnelle=True)]))
    assert cer.date_fin == datetime.date(2025, 7, 9)
    assert cer.actions == [
        ActionInput(
            intitule="Demande de logement social",
            date_debut=datetime.date(2025, 1, 10),
            date_fin=datetime.date(2025, 3, 31),
            detail="Constitution du dossier et dépôt auprès du bailleur.",
            insertion_professionnelle=True,
        )
    ]


def test_parse_cer_does_not_modify_its_input():
    data = cer_data()
    before = copy.deepcopy(data)
    parse_cer(data)
    assert data == before


def parse_error(data):
    with pytest.raises(CerFormatError) as excinfo:
        parse_cer(data)
    error = excinfo.value
    assert isinstance(error, ValueError)
    assert error.field in str(error)
    return error


@pytest.mark.parametrize(
    "field", ["numero_caf", "type", "date_edition", "date_debut", "date_fin", "remarque", "actions"]
)
def test_missing_cer_field(field):
    data = cer_data()
    del data[field]
    error = parse_error(data)
    assert error.field == field
    assert str(error) == f"champ obligatoire manquant : {field}"


@pytest.mark.parametrize("field", ["intitule", "date_debut", "date_fin", "detail", "insertion_professionnelle"])
def test_missing_action_field_names_the_action(field):
    second = action()
    del second[field]
    error = parse_error(cer_data(actions=[action(), second]))
    assert error.field == f"actions[1].{field}"
    assert "champ obligatoire manquant" in str(error)
    assert "action n° 2" in str(error)


def test_impossible_date():
    error = parse_error(cer_data(date_fin="2025-02-30"))
    assert error.field == "date_fin"
    assert "date impossible" in str(error)
    assert "2025-02-30" in str(error)


def test_impossible_action_date():
    error = parse_error(cer_data(actions=[action(date_debut="2025-13-01")]))
    assert error.field == "actions[0].date_debut"
    assert "date impossible" in str(error)


@pytest.mark.parametrize(
    "value", ["10/01/2025", "2025-1-10", "2025-01-10T00:00:00", "", "２０２５-01-10", 20250110, None]
)
def test_badly_formatted_date(value):
    error = parse_error(cer_data(date_edition=value))
    assert error.field == "date_edition"
    assert "AAAA-MM-JJ" in str(error)


def test_unknown_type_lists_allowed_values():
    error = parse_error(cer_data(type="insertion"))
    assert error.field == "type"
    assert "insertion" in str(error)
    assert "solidarite" in str(error)
    assert "socioprofessionnel" in str(error)


def test_end_before_start_is_refused():
    error = parse_error(cer_data(date_debut="2025-07-10", date_fin="2025-07-09"))
    assert error.field == "date_fin"
    assert "antérieure" in str(error)


def test_contract_of_one_day_is_accepted():
    assert parse_cer(cer_data(date_debut="2025-07-09", date_fin="2025-07-09")).date_fin == datetime.date(2025, 7, 9)


def test_action_ending_before_it_starts_is_refused():
    error = parse_error(cer_data(actions=[action(date_debut="2025-03-01", date_fin="2025-02-01")]))
    assert error.field == "actions[0].date_fin"


@pytest.mark.parametrize("value", [1, 0, "true", None])
def test_insertion_professionnelle_must_be_a_boolean(value):
    error = parse_error(cer_data(actions=[action(insertion_professionnelle=value)]))
    assert error.field == "actions[0].insertion_professionnelle"
    assert "booléen" in str(error)


@pytest.mark.parametrize(("field", "value"), [("numero_caf", 1234567), ("remarque", None), ("remarque", ["x"])])
def test_strings_must_be_strings(field, value):
    error = parse_error(cer_data(**{field: value}))
    assert error.field == field
    assert "texte" in str(error)


@pytest.mark.parametrize("field", ["intitule", "detail"])
def test_action_strings_must_be_strings(field):
    error = parse_error(cer_data(actions=[action(**{field: 3})]))
    assert error.field == f"actions[0].{field}"


def test_blank_numero_caf_is_refused():
    assert parse_error(cer_data(numero_caf="  ")).field == "numero_caf"


@pytest.mark.parametrize("value", [{"intitule": "x"}, "x", None])
def test_actions_must_be_a_list(value):
    error = parse_error(cer_data(actions=value))
    assert error.field == "actions"
    assert "liste" in str(error)


@pytest.mark.parametrize("value", ["Demande de logement", None, []])
def test_each_action_must_be_an_object(value):
    error = parse_error(cer_data(actions=[action(), value]))
    assert error.field == "actions[1]"
    assert "objet" in str(error)


@pytest.mark.parametrize("value", [[], "cer", None])
def test_cer_must_be_an_object(value):
    with pytest.raises(CerFormatError, match="objet JSON"):
        parse_cer(value)


def test_extra_fields_are_ignored():
    assert parse_cer(cer_data(commentaire_interne="x")).numero_caf == "1234567"
