"""The key pages of the scale benchmark (benchmarks/scale.py), one registry for every domain.

A domain adds its pages with `register(Page(...))` below (calls for projects, funding: their
queues, the deliberation page, dashboards, cost per result). `url` is a path, or a function of the
benchmark's accounts (`Accounts`) returning one, for pages about a particular object.

Kinds and budgets (issue 11): "liste" for lists and details (p95 ≤ 5× the base-template
reference), "tableau" for dashboards and home pages (p95 ≤ 10×); at most 25 SQL queries each.
"""

import random
from dataclasses import dataclass, field

LIST, DASHBOARD = "liste", "tableau"
P95_BUDGET = {LIST: 5, DASHBOARD: 10}
QUERY_BUDGET = 25


@dataclass(frozen=True)
class Page:
    label: str
    role: str  # a key of Accounts.users: referent, responsable, slai, dpid, manager
    url: object  # "/path/" or a function (accounts) -> "/path/"
    kind: str = LIST

    def path(self, accounts) -> str:
        return self.url(accounts) if callable(self.url) else self.url


# The two references, measured in the same run: a bare signed-in view and the base template alone.
REFERENCE_AUTH = Page("Référence : vue authentifiée nue", "referent", "/sante/auth/")
REFERENCE_BASE = Page("Référence : gabarit de base seul", "referent", "/sante/gabarit/")

PAGES: list[Page] = []


def register(*pages: Page):
    PAGES.extend(pages)


register(
    # Référent
    Page("Accueil du référent", "referent", "/", DASHBOARD),
    Page("File active du référent", "referent", "/accompagnement/"),
    Page("Dossier d'une personne", "referent", lambda a: f"/accompagnement/beneficiaires/{a.person_pk}/"),
    Page("Échéances du référent", "referent", "/echeances/"),
    # Responsable de structure
    Page("Accueil du responsable", "responsable", "/", DASHBOARD),
    Page("File active de la structure", "responsable", "/accompagnement/"),
    Page("Indicateurs de la structure", "responsable", "/accompagnement/indicateurs/", DASHBOARD),
    Page("Échéances du responsable", "responsable", "/echeances/"),
    # SLAI
    Page("Accueil du SLAI", "slai", "/", DASHBOARD),
    Page("File active du SLAI", "slai", "/accompagnement/"),
    Page("À traiter (SLAI)", "slai", "/accompagnement/a-traiter/"),
    Page("Échéances du SLAI", "slai", "/echeances/"),
    # DPID
    Page("Accueil de la DPID", "dpid", "/", DASHBOARD),
    Page("File active de la DPID", "dpid", "/accompagnement/"),
    Page("Indicateurs de la DPID", "dpid", "/accompagnement/indicateurs/", DASHBOARD),
    Page("Demandes de label (DPID)", "dpid", "/label/"),
    Page("Échéances de la DPID", "dpid", "/echeances/"),
    # Pilotage
    Page("Accueil du pilotage", "manager", "/", DASHBOARD),
)


def _current_call(accounts) -> str:
    """The call for projects open today (the latest call), whose page lists its dispositifs."""
    from aap.models import AppelAProjets

    appel = AppelAProjets.objects.order_by("-annee", "-pk").first()
    return f"/aap/appels/{appel.pk}/" if appel else "/aap/"


def _candidature(accounts) -> str:
    """The deposited application with the most instruction behind it (transitions, attachments)."""
    from django.db.models import Count

    from aap.models import Candidature

    candidature = (
        Candidature.objects.exclude(etat="brouillon")
        .annotate(n=Count("transitions", distinct=True) + Count("pieces", distinct=True))
        .order_by("-n", "pk")
        .first()
    )
    return f"/aap/candidatures/{candidature.pk}/" if candidature else "/aap/file/"


def _deliberation(accounts) -> str:
    """The deliberation with the most annex lines (2024-587 in the demo data)."""
    from django.db.models import Count

    from financement.models import Deliberation

    deliberation = Deliberation.objects.annotate(n=Count("lignes")).order_by("-n", "pk").first()
    return f"/financement/deliberations/{deliberation.numero}/" if deliberation else "/financement/deliberations/"


register(
    # Calls for projects: the application queues (DPID: the Département; SLAI: its territory), a call,
    # an application.
    Page("Candidatures à instruire (DPID)", "dpid", "/aap/file/"),
    Page("Candidatures du territoire (SLAI)", "slai", "/aap/file/"),
    Page("Page d'un appel à projets", "dpid", _current_call),
    Page("Page d'une candidature (DPID)", "dpid", _candidature),
    # Funding: the deliberation with its annex, the dashboard, its cost per result (the export).
    Page("Délibération et son annexe", "dpid", _deliberation),
    Page("Tableau de bord du financement", "dpid", "/financement/tableau-de-bord/", DASHBOARD),
    Page("Coût par résultat (export)", "dpid", "/financement/tableau-de-bord/?tableau=couts&format=csv", DASHBOARD),
)


@dataclass
class Accounts:
    """The benchmark's users: for each role the account with the heaviest scope, and pools of
    accounts of each role for the load test."""

    users: dict = field(default_factory=dict)
    person_pk: int = 0
    pools: dict = field(default_factory=dict)


def accounts() -> Accounts:
    from django.db.models import Count

    from accompagnement.models import Beneficiaire, Orientation
    from portal.accounts.enums import Role
    from portal.accounts.models import User
    from portal.referentiels.scale import EMAIL_DOMAIN

    scale_users = User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}")
    busiest = (
        Orientation.objects.filter(date_fin__isnull=True, referent__user__email__endswith=f"@{EMAIL_DOMAIN}")
        .values("referent__user", "structure")
        .annotate(n=Count("pk"))
        .order_by("-n")
    )
    top_referent = busiest[0]
    structure_sizes = (
        Orientation.objects.filter(date_fin__isnull=True, structure__membres__email__endswith=f"@{EMAIL_DOMAIN}")
        .values("structure")
        .annotate(n=Count("pk", distinct=True))
        .order_by("-n")
    )
    top_structure = structure_sizes[0]["structure"]
    territory = (
        Beneficiaire.objects.filter(numero_caf__startswith="88")
        .values("territoire")
        .annotate(n=Count("pk"))
        .order_by("-n")[0]["territoire"]
    )
    result = Accounts()
    result.users = {
        "referent": User.objects.get(pk=top_referent["referent__user"]),
        "responsable": scale_users.filter(role=Role.RESPONSABLE, structure=top_structure).first(),
        "slai": scale_users.get(role=Role.SLAI, territoire=territory),
        "dpid": scale_users.get(role=Role.DPID),
        "manager": scale_users.get(role=Role.MANAGER),
    }
    # The person of the referent's caseload with the longest record (most interviews).
    result.person_pk = (
        Orientation.objects.filter(referent__user=result.users["referent"], date_fin__isnull=True)
        .annotate(n=Count("entretiens"))
        .order_by("-n", "pk")
        .values_list("beneficiaire_id", flat=True)[0]
    )
    rng = random.Random(11)
    for role in (Role.REFERENT, Role.RESPONSABLE, Role.SLAI):
        pool = list(scale_users.filter(role=role).order_by("pk"))
        result.pools[role.value] = rng.sample(pool, min(len(pool), 30))
    result.pools["dpid"] = [result.users["dpid"]]
    result.pools["manager"] = [result.users["manager"]]
    return result
