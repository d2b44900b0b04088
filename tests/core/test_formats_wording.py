"""French wording helpers: "de" with elision and contraction, plurals where 0 and 1 are
singular, decimals with a comma — in Python and in templates."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from portal.core.formats import de, elides, format_decimal, plural_suffix, pluriel

NBSP = "\u00a0"


@pytest.mark.parametrize(
    ("nom", "expected"),
    [
        ("MEMPA", "de MEMPA"),
        ("Olivier", "d'Olivier"),
        ("Impact Oval", "d'Impact Oval"),
        ("ADEFI", "d'ADEFI"),
        ("Émilie Durand", "d'Émilie Durand"),
        ("Urssaf", "d'Urssaf"),
        # Mute h: elided.
        ("Hénin-Carvin", "d'Hénin-Carvin"),
        ("Hélène Petit", "d'Hélène Petit"),
        ("Habitat 62", "d'Habitat 62"),
        # Aspirated h: not elided.
        ("Harnes", "de Harnes"),
        ("Handicap Services", "de Handicap Services"),
        ("Hauts-de-France Emploi", "de Hauts-de-France Emploi"),
        # A consonant h (no vowel after it) and y before a vowel are not elided; y before a consonant is.
        ("HLM Pas-de-Calais", "de HLM Pas-de-Calais"),
        ("Yannick", "de Yannick"),
        ("Yves", "d'Yves"),
        # Articles contract.
        ("le reporting d'ADEFI", "du reporting d'ADEFI"),
        ("Le Relais", "du Relais"),
        ("les Compagnons du Devoir", "des Compagnons du Devoir"),
        ("Les Attaques", "des Attaques"),
        ("la structure", "de la structure"),
        ("l'Arrageois", "de l'Arrageois"),
        # "Le" alone as the start of a word is not an article.
        ("Lefebvre", "de Lefebvre"),
        ("Lestrem", "de Lestrem"),
        ("  Olivier   Martin ", "d'Olivier Martin"),
        ("", ""),
        (None, ""),
    ],
)
def test_de(nom, expected):
    assert de(nom) == expected


def test_elides_reads_the_first_letter_only():
    assert elides("avril") and elides("août") and elides("Œuvre")
    assert not elides("mars") and not elides("") and not elides("h")


@pytest.mark.parametrize(
    ("count", "singular", "plural", "expected"),
    [
        (0, "personne", None, "0 personne"),
        (1, "personne", None, "1 personne"),
        (2, "personne", None, "2 personnes"),
        (1500, "personne", None, f"1{NBSP}500 personnes"),
        (Decimal("1.5"), "heure", None, "1,5 heure"),
        (Decimal("2.5"), "heure", None, "2,5 heures"),
        (3, "CER", "CER", "3 CER"),
        (0, "journal", "journaux", "0 journal"),
        (4, "journal", "journaux", "4 journaux"),
    ],
)
def test_pluriel(count, singular, plural, expected):
    assert pluriel(count, singular, plural) == expected


def test_plural_suffix_takes_a_list_too():
    assert plural_suffix([]) == ""
    assert plural_suffix([1]) == ""
    assert plural_suffix([1, 2]) == "s"
    assert plural_suffix(5, "al,aux") == "aux"
    assert plural_suffix(1, "al,aux") == "al"


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("0.80"), None, "0,80"),
        (Decimal("0.8"), None, "0,8"),
        (Decimal("250"), None, "250"),
        (Decimal("70.0"), None, "70,0"),
        (12.5, None, "12,5"),
        (Decimal("1234.5"), 2, f"1{NBSP}234,50"),
        (None, None, ""),
    ],
)
def test_format_decimal(value, decimals, expected):
    assert format_decimal(value, decimals) == expected


def render(source, **context):
    return Template(source).render(Context(context))


def test_pluralize_is_french_in_every_template():
    """The project's builtin replaces Django's pluralize: 0 is singular in French."""
    source = "{{ n }} entrée{{ n|pluralize }}"
    assert render(source, n=0) == "0 entrée"
    assert render(source, n=1) == "1 entrée"
    assert render(source, n=2) == "2 entrées"
    assert render("{{ n }} journ{{ n|pluralize:'al,aux' }}", n=3) == "3 journaux"
    assert render("{{ items|length }} CER tiré{{ items|pluralize }}", items=[1]) == "1 CER tiré"


def test_pluriel_filter():
    assert render('{{ n|pluriel:"personne" }}', n=0) == "0 personne"
    assert render('{{ n|pluriel:"personne" }}', n=12) == "12 personnes"
    assert render('{{ n|pluriel:"CER,CER" }}', n=12) == "12 CER"


def test_de_filter_and_tag_keep_the_apostrophe_and_escape_the_name():
    assert render("Situation {{ nom|de }}", nom="ADEFI") == "Situation d'ADEFI"
    assert render("Situation {{ nom|de }}", nom="Le Relais") == "Situation du Relais"
    assert render("Fiche {% de prenom nom %}", prenom="Olivier", nom="Martin") == "Fiche d'Olivier Martin"
    assert render("Fiche {% de prenom nom %}", prenom="Bob", nom="<b>") == "Fiche de Bob &lt;b&gt;"
    assert render("{{ nom|de }}", nom="A&B") == "d'A&amp;B"


def test_decimal_filter():
    assert render("ETP {{ etp|decimal_fr }}", etp=Decimal("0.80")) == "ETP 0,80"
    assert render("le {{ jour|date_fr }}", jour=datetime.date(2026, 12, 7)) == "le 7 décembre 2026"
