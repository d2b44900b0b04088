from django.core.exceptions import ValidationError

# La Poste's establishments share one SIREN and do not follow the Luhn key: their SIRET is valid
# when the sum of its digits is a multiple of 5 (INSEE rule). The head office passes Luhn too.
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalize_siret(value: str) -> str:
    """Remove the spaces and dots people type or paste ("186 200 093 00083")."""
    return "".join(ch for ch in str(value) if ch not in " .\u00a0\u202f")


def siret_is_valid(value: str) -> bool:
    siret = normalize_siret(value)
    if len(siret) != 14 or not siret.isdigit():
        return False
    if siret.startswith(LA_POSTE_SIREN):
        return luhn_is_valid(siret) or sum(int(c) for c in siret) % 5 == 0
    return luhn_is_valid(siret)


def validate_siret(value):
    siret = normalize_siret(value)
    if not siret.isdigit():
        raise ValidationError("Le SIRET ne doit contenir que des chiffres.", code="siret_digits")
    if len(siret) != 14:
        raise ValidationError(
            "Le SIRET doit comporter 14 chiffres (%(count)s saisis).",
            code="siret_length",
            params={"count": len(siret)},
        )
    if not siret_is_valid(siret):
        raise ValidationError(
            "Ce SIRET n'est pas valide : sa clé de contrôle ne correspond pas. Vérifiez la saisie.",
            code="siret_key",
        )
