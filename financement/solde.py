"""The balance of a convention modulated by its results, computed line by line.

What the structure earned = the quantitative part (places in file active against places funded)
+ each weighted qualitative indicator (achieved against target, capped at 100 %); capped at the
maximum of the convention and its signed avenants; the balance is what is earned minus what was
already paid, never below zero. Each line is rounded once (half up) and the total is the sum of the
rounded lines, so that the figures shown add up.
"""

from dataclasses import asdict, dataclass, field
from decimal import Decimal

from financement.enums import ModeleCout
from financement.models import ZERO, Versement
from portal.core.formats import format_euros, format_number, round_money

ONE = Decimal(1)
HUNDRED = Decimal(100)


@dataclass
class LigneCalcul:
    libelle: str
    detail: str
    montant: Decimal | None = None


@dataclass
class CalculSolde:
    lignes: list = field(default_factory=list)
    manquants: list = field(default_factory=list)  # what must be entered before validating
    base: Decimal = ZERO
    du: Decimal = ZERO
    deja_verse: Decimal = ZERO
    solde: Decimal = ZERO
    trop_percu: Decimal = ZERO

    @property
    def complet(self):
        return not self.manquants

    def as_json(self):
        return [
            {**asdict(ligne), "montant": None if ligne.montant is None else str(ligne.montant)}
            for ligne in self.lignes
        ]


def _pct(value: Decimal) -> str:
    return f"{format_number(value, 2).rstrip('0').rstrip(',')} %"


def _ratio(achieved, target) -> Decimal:
    if achieved is None or not target:
        return ZERO
    return min(ONE, Decimal(achieved) / Decimal(target))


def _base(convention, calcul) -> Decimal:
    model = convention.modele_cout
    if model == ModeleCout.PAR_PLACE:
        if convention.places_conventionnees is None or convention.taux_place is None:
            calcul.manquants.append("le nombre de places et le coût d'une place de la convention")
            return ZERO
        base = round_money(convention.places_conventionnees * convention.taux_place)
        detail = f"{convention.places_conventionnees} places × {format_euros(convention.taux_place)}"
    elif model == ModeleCout.FORFAIT_PLACES:
        if not (convention.forfait_montant and convention.forfait_places and convention.places_conventionnees):
            calcul.manquants.append("le forfait, ses places et les places de la convention")
            return ZERO
        base = round_money(convention.forfait_montant * convention.places_conventionnees / convention.forfait_places)
        detail = (
            f"{format_euros(convention.forfait_montant)} pour {convention.forfait_places} places, "
            f"au prorata de {convention.places_conventionnees} places"
        )
    elif model == ModeleCout.PAR_ETP:
        if convention.etp_finances is None or convention.cout_etp is None:
            calcul.manquants.append("les ETP financés et le coût d'un ETP")
            return ZERO
        base = round_money(convention.etp_finances * convention.cout_etp)
        detail = f"{format_number(convention.etp_finances, 2)} ETP × {format_euros(convention.cout_etp)}"
    else:
        base = convention.montant_max
        detail = "montant fixé par la convention"
    calcul.lignes.append(LigneCalcul("Participation prévue", detail, base))
    return base


def _quantitative(convention, resultats, base, calcul) -> Decimal:
    share = convention.part_quantitative
    if not share:
        return ZERO
    if convention.modele_cout == ModeleCout.PAR_ETP:
        achieved, target, unit = resultats and resultats.etp_realises, convention.etp_finances, "ETP réalisés"
    elif convention.places_conventionnees:
        achieved, target, unit = resultats and resultats.places_realisees, convention.places_conventionnees, "places"
    else:
        achieved, target, unit = 1, 1, None
    missing = achieved is None
    if missing:
        calcul.manquants.append("les places réalisées (file active)" if unit == "places" else "les ETP réalisés")
        achieved = 0
    ratio = _ratio(achieved, target)
    amount = round_money(base * share / HUNDRED * ratio)
    detail = f"{format_euros(base)} × {_pct(share)}"
    if unit:
        decimals = 0 if unit == "places" else 2
        realise = (
            "non renseigné"
            if missing
            else f"{format_number(Decimal(achieved), decimals)} {'places réalisées' if unit == 'places' else unit}"
        )
        detail += (
            f" × {format_number(ratio * HUNDRED, 1)} % ({realise} sur {format_number(Decimal(target), decimals)}"
            f"{' places' if unit == 'places' else ''}, 100 % au plus)"
        )
    calcul.lignes.append(LigneCalcul(f"Part quantitative ({_pct(share)})", detail, amount))
    return amount


def calcul_solde(convention, *, resultats=None, indicateurs=None, plafond=None, deja_verse=None) -> CalculSolde:
    """The calculation for one convention; every input may be given to avoid queries (lists)."""
    calcul = CalculSolde()
    if resultats is None:
        resultats = getattr(convention, "resultats", None)
    indicateurs = list(convention.indicateurs.all()) if indicateurs is None else indicateurs
    plafond = convention.plafond() if plafond is None else plafond
    deja_verse = Versement.objects.filter(convention=convention).total() if deja_verse is None else deja_verse
    base = calcul.base = _base(convention, calcul)
    total = _quantitative(convention, resultats, base, calcul)
    for indicateur in indicateurs:
        if indicateur.valeur is None:
            calcul.manquants.append(f"l'indicateur « {indicateur.libelle} »")
        ratio = _ratio(indicateur.valeur, indicateur.cible)
        amount = round_money(base * indicateur.poids / HUNDRED * ratio)
        valeur = "non renseigné" if indicateur.valeur is None else format_number(indicateur.valeur, 2)
        calcul.lignes.append(
            LigneCalcul(
                f"{indicateur.famille} – {indicateur.libelle} ({_pct(indicateur.poids)})",
                f"{format_euros(base)} × {_pct(indicateur.poids)} × {format_number(ratio * HUNDRED, 1)} % "
                f"(réalisé {valeur} pour une cible de {format_number(indicateur.cible, 2)}, 100 % au plus)",
                amount,
            )
        )
        total += amount
    calcul.lignes.append(LigneCalcul("Total des parts", "somme des lignes ci-dessus", total))
    calcul.du = min(total, plafond)
    if total > plafond:
        calcul.lignes.append(LigneCalcul("Plafond de la convention", "le total est ramené au maximum", plafond))
    calcul.deja_verse = deja_verse
    calcul.lignes.append(LigneCalcul("Déjà versé", "avance et versements enregistrés", -deja_verse))
    calcul.solde = max(ZERO, calcul.du - deja_verse)
    calcul.trop_percu = max(ZERO, deja_verse - calcul.du)
    calcul.lignes.append(
        LigneCalcul(
            "Solde à verser",
            "dû − déjà versé, jamais négatif"
            + (f" ; trop-perçu de {format_euros(calcul.trop_percu)}" if calcul.trop_percu else ""),
            calcul.solde,
        )
    )
    return calcul


def solde_bloque(convention, bilans=None) -> str | None:
    """Why the balance cannot be validated nor paid yet (its final bilan is not validated), or None.
    `bilans`: the convention's bilans when the caller already has them."""
    from financement.enums import EtatBilan, NatureBilan
    from portal.core.formats import format_date

    bilans = list(convention.bilans.all()) if bilans is None else bilans
    finals = [b for b in bilans if b.nature == NatureBilan.FINAL and b.avenant_id is None]
    if any(b.etat == EtatBilan.VALIDE for b in finals):
        return None
    if not finals:
        return "Le solde attend le bilan final, qui sera dû une fois la convention signée."
    final = finals[-1]
    return (
        f"Le solde attend la validation du bilan final (à remettre au plus tard le {format_date(final.date_limite)}, "
        f"aujourd'hui : {final.get_etat_display().lower()})."
    )
