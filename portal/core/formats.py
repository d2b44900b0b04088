"""French formatting for everything people read: "712 000,00 €", "9 décembre 2024"."""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

NBSP = "\u00a0"
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
CENT = Decimal("0.01")


def to_decimal(value) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        # Floats never carry money here; go through repr to avoid binary artefacts.
        return Decimal(repr(value))
    return Decimal(str(value))


def round_money(value) -> Decimal:
    return to_decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def format_number(value, decimals=2) -> str:
    """1234567.891 → "1 234 567,89" (non-breaking spaces between thousands)."""
    quantum = Decimal(1).scaleb(-decimals) if decimals else Decimal(1)
    number = to_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP)
    sign = "-" if number < 0 else ""
    integer, _, fraction = f"{abs(number):f}".partition(".")
    groups = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    text = NBSP.join(groups)
    return f"{sign}{text},{fraction}" if decimals else f"{sign}{text}"


def format_euros(value) -> str:
    """712000 → "712 000,00 €"; empty for None; the raw value when it is not a number."""
    if value is None or value == "":
        return ""
    try:
        return f"{format_number(value, 2)}{NBSP}€"
    except (InvalidOperation, ValueError, TypeError):
        return str(value)


def format_date(value) -> str:
    """date(2024, 12, 9) → "9 décembre 2024"; datetimes are shown in their local date."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day} {MONTHS[value.month - 1]} {value.year}"


def mois_fr(day) -> str:
    """date(2026, 3, 1) → "mars 2026"."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def de_mois(day) -> str:
    """The month after "de", elided before a vowel: "de mars 2026", "d'avril 2026", "d'août 2026"."""
    return de(mois_fr(day))


# --- elision and plurals ------------------------------------------------------------------------

VOWELS = "aeiouàâäéèêëîïôöùûüœæ"
# Words starting with an aspirated h take no elision ("de Harnes", "du handicap", "des
# Hauts-de-France"); any other h before a vowel is mute ("d'Hénin-Carvin", "d'Hélène").
H_ASPIRE = (
    "hache",
    "haie",
    "haine",
    "hainaut",
    "hall",
    "hameau",
    "hanche",
    "handball",
    "handicap",
    "hangar",
    "hardi",
    "hareng",
    "harnes",
    "hasard",
    "haut",
    "héros",
    "hêtre",
    "hibou",
    "hockey",
    "holland",
    "homard",
    "hongr",
    "honte",
    "houill",
    "housse",
    "hublot",
    "hutte",
)


def elides(word) -> bool:
    """True when "de" or "le" elides before this word: a vowel ("Olivier", "ADEFI", "Impact"),
    a mute h ("Hénin", "Hélène"), a y before a consonant ("Yves"). Not before an aspirated h
    ("Harnes", "handicap", "Hauts-de-France") nor a y before a vowel ("Yannick", "Yoann")."""
    lower = str(word).strip().lower()
    if not lower:
        return False
    first = lower[0]
    if first in VOWELS:
        return True
    if first == "y":
        return len(lower) > 1 and lower[1] not in VOWELS
    if first == "h":
        return len(lower) > 1 and lower[1] in VOWELS and not lower.startswith(H_ASPIRE)
    return False


def de(nom) -> str:
    """ "de" before a name, with French contraction and elision: "de MEMPA", "d'Olivier",
    "d'ADEFI", "du reporting" (for "le reporting"), "des Compagnons" (for "les Compagnons"),
    "de la structure", "de l'Arrageois". Empty for an empty name."""
    text = " ".join(str(nom if nom is not None else "").split())
    if not text:
        return ""
    lower = text.lower()
    if lower.startswith("le "):
        return f"du {text[3:]}"
    if lower.startswith("les "):
        return f"des {text[4:]}"
    if elides(text):
        return f"d'{text}"
    return f"de {text}"


def format_count(value) -> str:
    """12 → "12", 1500 → "1 500", Decimal("1.5") → "1,5"."""
    number = to_decimal(value)
    if number == number.to_integral_value():
        return format_number(number, 0)
    return format_decimal(number)


def plural_suffix(count, suffixes="s") -> str:
    """The ending for a count, French rule: 0 and 1 (and anything under 2) are singular.
    `suffixes` is "s" (plural only) or "singular,plural" ("al,aux")."""
    singular, _, plural = suffixes.rpartition(",") if "," in suffixes else ("", "", suffixes)
    try:
        many = abs(to_decimal(count)) >= 2
    except (InvalidOperation, ValueError, TypeError):
        try:
            many = len(count) >= 2
        except TypeError:
            return ""
    return plural if many else singular


def pluriel(count, singulier, pluriel_=None) -> str:
    """(0, "personne") → "0 personne", (2, "personne") → "2 personnes", (3, "CER", "CER")
    → "3 CER"; (1.5, "heure") → "1,5 heure" (French: under 2 is singular)."""
    word = (pluriel_ or f"{singulier}s") if plural_suffix(count) else singulier
    return f"{format_count(count)} {word}"


def format_decimal(value, decimals=None) -> str:
    """A decimal number with a comma: Decimal("0.80") → "0,80", 12.5 → "12,5"; `decimals` fixes
    the number of decimals. Empty for None."""
    if value is None or value == "":
        return ""
    number = to_decimal(value)
    if decimals is None:
        exponent = number.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return format_number(number, decimals)
