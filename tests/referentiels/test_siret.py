import pytest
from django.core.exceptions import ValidationError

from portal.referentiels.validators import siret_is_valid, validate_siret


@pytest.mark.parametrize(
    "siret",
    [
        "18620009300083",  # Pas-de-Calais Actif (seed 003)
        "186 200 093 00083",  # as people type it
        "35600000000048",  # La Poste head office, which passes Luhn too
    ],
)
def test_valid_siret(siret):
    assert siret_is_valid(siret)
    validate_siret(siret)


def test_la_poste_exception():
    # 35600000049837: digits sum to 45 (a multiple of 5) but the Luhn key fails.
    assert sum(int(c) for c in "35600000049837") % 5 == 0
    from portal.referentiels.validators import luhn_is_valid

    assert not luhn_is_valid("35600000049837")
    assert siret_is_valid("35600000049837")
    # The exception belongs to La Poste only: the same rule elsewhere is refused.
    assert not siret_is_valid("35600000049838")


@pytest.mark.parametrize(
    ("siret", "message"),
    [
        ("18620009300084", "clé de contrôle"),
        ("1862000930008", "14 chiffres (13 saisis)"),
        ("186200093000831", "14 chiffres (15 saisis)"),
        ("1862000930008A", "que des chiffres"),
    ],
)
def test_invalid_siret(siret, message):
    assert not siret_is_valid(siret)
    with pytest.raises(ValidationError) as error:
        validate_siret(siret)
    assert message in error.value.messages[0]
