"""The grid of annexe 2 (out of 10) and its scoring: the items a machine can check are computed,
the judgement items returned with their maxima for a person to score. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from portal.grille_cer.parsing import TYPE_SOCIOPROFESSIONNEL, CerInput
from portal.grille_cer.secrecy import secrecy_alerts


@dataclass(frozen=True)
class GridItem:
    code: str
    rubrique: str  # the grid's column ("Durée des actions", ...)
    libelle: str
    maximum: Decimal
    automatique: bool  # True: computed by the portal; False: left to a person's judgement


@dataclass(frozen=True)
class GridSection:
    rubrique: str
    maximum: Decimal


GRID_SECTIONS: tuple[GridSection, ...] = (
    GridSection("Durée des actions", Decimal("2")),
    GridSection("Nombre d'actions", Decimal("2")),
    GridSection("Détail des actions", Decimal("1")),
    GridSection("Remarque", Decimal("3.5")),
    GridSection("Secret professionnel", Decimal("1.5")),
)

GRID: tuple[GridItem, ...] = (
    GridItem(
        "debut_actions",
        "Durée des actions",
        "Les actions démarrent au plus tôt à la date d'édition du contrat",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "fin_actions",
        "Durée des actions",
        "Les actions prennent fin au plus tard à la date de fin du contrat",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "duree_adaptee",
        "Durée des actions",
        "La durée est adaptée à la démarche à réaliser",
        Decimal("1"),
        False,
    ),
    GridItem(
        "nombre_actions",
        "Nombre d'actions",
        "En solidarité, au moins une action (2) ; en socio-pro, au moins 3 actions (1), "
        "dont une à visée d'insertion professionnelle (1)",
        Decimal("2"),
        True,
    ),
    GridItem(
        "detail_actions",
        "Détail des actions",
        "Les actions sont détaillées",
        Decimal("1"),
        True,
    ),
    GridItem(
        "remarque_presente",
        "Remarque",
        "Une remarque est présente",
        Decimal("0.5"),
        True,
    ),
    GridItem(
        "remarque_situation",
        "Remarque",
        "La remarque permet d'appréhender la situation de la personne",
        Decimal("1"),
        False,
    ),
    GridItem(
        "remarque_positionnement",
        "Remarque",
        "La remarque permet de comprendre le positionnement des actions",
        Decimal("2"),
        False,
    ),
    GridItem(
        "secret_professionnel",
        "Secret professionnel",
        "Les informations contenues dans le CER respectent les critères de confidentialité",
        Decimal("1.5"),
        False,
    ),
)

GRID_BY_CODE = {item.code: item for item in GRID}
AUTOMATIC_ITEMS: tuple[GridItem, ...] = tuple(item for item in GRID if item.automatique)
JUDGEMENT_ITEMS: tuple[GridItem, ...] = tuple(item for item in GRID if not item.automatique)
GRID_TOTAL: Decimal = sum((item.maximum for item in GRID), Decimal(0))

if Decimal(10) != GRID_TOTAL:  # pragma: no cover - guards against a mistaken edit of the grid
    raise AssertionError(f"la grille doit totaliser 10 points, pas {GRID_TOTAL}")


def _blank(text: str) -> bool:
    return not text.strip()


def automatic_scores(cer: CerInput) -> dict[str, Decimal]:
    """The five items the portal computes, as Decimals, in grid order."""
    actions = cer.actions
    has_actions = bool(actions)
    pts = {item.code: item.maximum for item in AUTOMATIC_ITEMS}
    zero = Decimal(0)

    debut = pts["debut_actions"] if has_actions and all(a.date_debut >= cer.date_edition for a in actions) else zero
    fin = pts["fin_actions"] if has_actions and all(a.date_fin <= cer.date_fin for a in actions) else zero

    if cer.type == TYPE_SOCIOPROFESSIONNEL:
        # The two points are independent: 3 actions or more = 1, a professional-insertion action = 1.
        nombre = (Decimal(1) if len(actions) >= 3 else zero) + (
            Decimal(1) if any(a.insertion_professionnelle for a in actions) else zero
        )
    else:
        nombre = pts["nombre_actions"] if has_actions else zero

    detail = pts["detail_actions"] if has_actions and not any(_blank(a.detail) for a in actions) else zero
    remarque = pts["remarque_presente"] if not _blank(cer.remarque) else zero
    return {
        "debut_actions": debut,
        "fin_actions": fin,
        "nombre_actions": nombre,
        "detail_actions": detail,
        "remarque_presente": remarque,
    }


def action_spans_whole_contract(cer: CerInput) -> bool:
    """Hint for `duree_adaptee`: at least one action lasts the whole CER (cahier des charges, 5-2)."""
    return any(a.date_debut <= cer.date_debut and a.date_fin >= cer.date_fin for a in cer.actions)


def _number(value: Decimal) -> int | float:
    """A Decimal as a plain JSON number: 2 rather than 2.0, 0.5 rather than "0.5"."""
    return int(value) if value == value.to_integral_value() else float(value)


def grade(cer: CerInput) -> dict:
    """Grade one CER. The result serialises with json.dumps (plain numbers only)."""
    scores = automatic_scores(cer)
    return {
        "numero_caf": cer.numero_caf,
        "automatique": {code: _number(value) for code, value in scores.items()},
        "score_automatique": _number(sum(scores.values(), Decimal(0))),
        "a_evaluer": {item.code: _number(item.maximum) for item in JUDGEMENT_ITEMS},
        "indices": {"action_sur_toute_la_duree": action_spans_whole_contract(cer)},
        "alertes": secrecy_alerts(cer),
    }
