"""fixtures/: reference data files with their seed lines, read by portal.core.fixtures."""

import re
from decimal import Decimal

import pytest

from portal.core import fixtures
from portal.core.fixtures import FixtureError, as_bool, as_decimal, as_list, read_fixture
from portal.referentiels.validators import siret_is_valid

FILES = sorted(path for path in fixtures.FIXTURES_DIR.glob("*/*") if path.suffix in (".csv", ".json"))
SOURCE = re.compile(r"\b00\d l\. \d+|choix produit")


def test_the_pas_de_calais_folder_holds_the_seeds_reference_data():
    names = {path.name for path in FILES if path.parent.name == "pas-de-calais"}
    assert {"territoires.csv", "structures.csv", "modules_formation.csv", "types_accompagnement.csv"} <= names
    assert (fixtures.FIXTURES_DIR / "README.md").is_file()


@pytest.mark.parametrize("path", FILES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_row_cites_the_seed_line_it_comes_from(path):
    rows = read_fixture(path.parent.name, path.name)
    assert rows
    for row in rows:
        assert SOURCE.search(row["source"]), row


def test_territories_and_structures_are_consistent():
    territoires = read_fixture("pas-de-calais", "territoires.csv")
    codes = {row["code"] for row in territoires}
    assert len(codes) == 9
    assert {row["nom"] for row in territoires if as_bool(row["bassin_minier"])} == {
        "Artois",
        "Lens-Liévin",
        "Hénin-Carvin",
    }
    assert len({row["secteur_dpid"] for row in territoires}) == 4
    structures = read_fixture("pas-de-calais", "structures.csv")
    assert len({row["code"] for row in structures}) == len({row["siret"] for row in structures}) == 15
    for row in structures:
        assert siret_is_valid(row["siret"]), row["nom"]
        assert row["territoires"] == "tous" or set(as_list(row["territoires"])) <= codes, row["nom"]
    real = {row["nom"]: row["siret"] for row in structures if as_bool(row["siret_reel"])}
    assert real == {"Pas-de-Calais Actif": "18620009300083"}  # 003 l. 785
    without_rsa = {row["nom"] for row in structures if not as_bool(row["accompagnement_rsa"])}
    assert without_rsa == {"CCAS de Liévin", "AIFOR", "Les Amis Copeaux", "Impact Oval"}


def test_the_migrations_loaded_the_catalogues_from_the_files(db):
    from accompagnement.models import TypeAccompagnement
    from label.models import ModuleFormation

    modules = read_fixture("pas-de-calais", "modules_formation.csv")
    assert set(ModuleFormation.objects.values_list("code", flat=True)) == {row["code"] for row in modules}
    assert ModuleFormation.objects.filter(obligatoire=True).count() == 4
    equilibre = TypeAccompagnement.objects.get(code="equilibre")
    assert (equilibre.places_par_etp, equilibre.places_par_etp_min, equilibre.delai_premier_rdv_jours) == (
        Decimal("70"),
        Decimal("55"),
        15,
    )


def test_reloading_the_catalogues_restores_the_modules_and_keeps_adjusted_kinds(db):
    from accompagnement.catalogue import ensure_types
    from accompagnement.models import TypeAccompagnement
    from label.catalogue import ensure_modules
    from label.models import ModuleFormation

    ModuleFormation.objects.filter(code="pssm").update(libelle="Ancien intitulé")
    ModuleFormation.objects.filter(code="mdph").delete()
    TypeAccompagnement.objects.filter(code="solidarite").update(places_par_etp=Decimal("200"))
    ensure_modules()
    ensure_types()
    assert ModuleFormation.objects.get(code="pssm").libelle.startswith("Détresse et troubles psy")
    assert ModuleFormation.objects.filter(code="mdph").exists()
    assert TypeAccompagnement.objects.get(code="solidarite").places_par_etp == Decimal("200")


def test_reading_refuses_a_row_without_source_or_with_a_wrong_column_count(tmp_path, monkeypatch):
    monkeypatch.setattr(fixtures, "FIXTURES_DIR", tmp_path)
    (tmp_path / "test").mkdir()
    (tmp_path / "test" / "ok.csv").write_text("code;nom;source\na;Été;003 l. 1\n\n", encoding="utf-8")
    assert read_fixture("test", "ok.csv") == [{"code": "a", "nom": "Été", "source": "003 l. 1"}]
    (tmp_path / "test" / "sans_source.csv").write_text("code;source\na;\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="source"):
        read_fixture("test", "sans_source.csv")
    (tmp_path / "test" / "colonnes.csv").write_text("code;source\na;003 l. 1; 004 l. 2\n", encoding="utf-8")
    with pytest.raises(FixtureError, match="colonnes"):
        read_fixture("test", "colonnes.csv")
    (tmp_path / "test" / "liste.json").write_text('[{"code": "a", "source": "001 l. 5"}]', encoding="utf-8")
    assert read_fixture("test", "liste.json") == [{"code": "a", "source": "001 l. 5"}]
    with pytest.raises(FixtureError, match="introuvable"):
        read_fixture("test", "absent.csv")


def test_cell_converters():
    assert as_bool("Oui") is True and as_bool("non") is False
    with pytest.raises(FixtureError):
        as_bool("peut-être")
    assert as_decimal("0,8") == Decimal("0.8") and as_decimal("") is None
    assert as_list("a| b |") == ["a", "b"]
