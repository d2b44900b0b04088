"""Calls for projects at a Département's scale (`seed_scale`): the demo's three calls (2024 with
deliberation 2024-587's annex 4, 2025 "référent solidarité", the call open today) and, for the
scale structures, applications across their territories at every step of the instruction — the
queues of the DPID and of each SLAI, and a call's page, then hold hundreds of files.

Registered by `portal.core.scale` (autodiscovery of `<app>.scale`); runs after the structures and
accounts (referentiels) and before funding, which reads the retained applications.
"""

import datetime
from decimal import Decimal

from aap.enums import EtatCandidature as E
from aap.enums import ValidationSlai
from aap.models import AppelAProjets, Candidature
from portal.core.scale import register
from portal.referentiels.models import Structure

# Per scale structure and call (product choice, seeds silent): two applications to the 2024 call,
# decided; two to the call open today, at each step of the instruction.
DECIDED = (E.RETENUE, E.RETENUE, E.NON_RETENUE, E.IRRECEVABLE, E.RETIREE)
OPEN = (E.BROUILLON, E.DEPOSEE, E.RECEVABLE, E.CORRECTION, E.EN_INSTRUCTION, E.AVIS_RENDU, E.AVIS_RENDU)


def _structures(ctx):
    structures = ctx.shared.get("structures")
    if structures is None:
        structures = list(Structure.objects.filter(siret__startswith="9001").order_by("pk"))
    return structures


def _scale_dpid():
    from portal.accounts.enums import Role
    from portal.accounts.models import User
    from portal.referentiels.scale import EMAIL_DOMAIN

    return User.objects.filter(role=Role.DPID, email__endswith=f"@{EMAIL_DOMAIN}").first()


def _territoire(rng, structure, dispositif, fallback):
    allowed = list(dispositif.territoires.all())
    own = list(structure.territoires.all())
    both = [t for t in own if not allowed or t in allowed]
    return rng.choice(both or allowed or own or fallback)


@register("Appels à projets : appels, périodes de dépôt et candidatures", order=80)
def seed(ctx):
    from aap import demo

    demo_summary = demo.load()
    if Candidature.objects.filter(structure__siret__startswith="9001").exists():
        return f"{demo_summary} ; candidatures des structures d'échelle déjà chargées"
    made = add_applications(ctx)
    ctx.filled.update({Candidature, *(m for m in _related_models())})
    ctx.counts["aap.Candidature"] = ctx.counts.get("aap.Candidature", 0) + made
    return f"{demo_summary} ; {made} candidatures des structures d'échelle"


def add_applications(ctx, *, first_action=51, rng_name="aap") -> int:
    """Applications of every scale structure (two per call, see DECIDED and OPEN), numbered from
    `first_action` (tests call it twice to double the queues). Returns how many."""
    from aap import demo
    from portal.referentiels.models import Territoire

    rng = ctx.rng(rng_name)
    territoires = list(Territoire.objects.order_by("pk"))
    dpid = ctx.shared.get("dpid") or _scale_dpid()
    users = {"structure": None, "dpid": dpid, "rendre_avis": None}
    calls = {appel.annee: appel for appel in AppelAProjets.objects.prefetch_related("dispositifs__territoires")}
    plans = []
    past, current = calls.get(2024), max(calls.values(), key=lambda appel: appel.annee, default=None)
    for structure in _structures(ctx):
        for appel, states in ((past, DECIDED), (current, OPEN)):
            if appel is None:
                continue
            dispositifs = sorted(appel.dispositifs.all(), key=lambda d: d.ordre)
            for _ in range(2):
                plans.append((structure, appel, rng.choice(dispositifs), rng.choice(states)))
    made = 0
    actions = {}  # unique (dispositif, territory, structure, action number)
    for n, (structure, appel, dispositif, etat) in enumerate(plans):
        territoire = _territoire(rng, structure, dispositif, territoires)
        key = (dispositif.pk, territoire.pk, structure.pk)
        actions[key] = actions.get(key, first_action - 1) + 1  # above the demo's own action numbers
        window = appel.fenetres.order_by("ouverture").first()
        start = min(window.ouverture + datetime.timedelta(days=n % 20), ctx.today)
        if dispositif.validation_slai_requise and etat in (E.RETENUE, E.AVIS_RENDU):
            etat = E.NON_RETENUE if etat == E.RETENUE else E.EN_INSTRUCTION  # no SLAI chief here
        if dispositif.label_requis_a_partir_du and etat == E.RETENUE:
            etat = E.NON_RETENUE
        montant = Decimal(rng.randrange(15_000, 120_000, 500))
        extra = {}
        if etat in (E.AVIS_RENDU, E.RETENUE, E.NON_RETENUE):
            extra["avis_slai"] = "favorable"
        if etat == E.RETENUE:
            extra.update(montant_propose=montant, acte_propose="convention", motif_proposition="Projet complet.")
        if dispositif.validation_slai_requise and etat == E.NON_RETENUE:
            extra["validation_slai"] = ValidationSlai.REFUSEE
        demo._simple(
            dispositif,
            structure,
            territoire,
            etat,
            action=actions[key],
            start=start,
            users=users,
            montant=montant,
            etp=Decimal(rng.choice(["0.50", "1.00", "2.00"])),
            places=rng.randint(20, 120),
            beneficiaires=rng.randint(20, 120),
            intitule=f"{dispositif.libelle} – {structure.nom}",
            motifs={"ne_pas_retenir": "Enveloppe engagée.", "declarer_irrecevable": "Pièces manquantes."},
            **extra,
        )
        made += 1
    return made


def _related_models():
    from aap.models import AppelAProjets, Dispositif, FenetreDepot, LigneBudget, Thematique, TransitionCandidature

    return (AppelAProjets, Dispositif, FenetreDepot, LigneBudget, Thematique, TransitionCandidature)
