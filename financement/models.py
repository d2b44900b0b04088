"""Funding: budget lines (AE by year), Commission Permanente sessions, deliberations with their
articles and annex lines, what-if programmings; conventions, avenants and payments.

Amounts are Decimal everywhere; what is available on a budget line is computed from what the
portal records as committed, never typed a second time.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from financement.enums import EtatActe, EtatBilan, IndicateurPortail, ModeleCout, NatureBilan, RegleBilan, TypeActe
from portal.core.formats import round_money
from portal.core.transitions import TransitionLog
from portal.referentiels.models import Structure, Territoire

ZERO = Decimal("0.00")


def money_field():
    """The output field of sums of amounts (so that every database returns two decimals)."""
    return models.DecimalField(max_digits=12, decimal_places=2)


def _money(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


def _departement_only(queryset, user):
    """Budgets and deliberations are the Département's: DPID agents, admins and managers (read-only)."""
    return queryset if user.scope.sees_departement else queryset.none()


# --- budget ------------------------------------------------------------------------------------


class LigneBudgetaireQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)


class LigneBudgetaire(models.Model):
    """A budget operation of the Département (code opération, imputation, libellé)."""

    code_operation = models.CharField("code opération", max_length=20, unique=True)
    imputation = models.CharField("imputation budgétaire", max_length=30)
    libelle = models.CharField("libellé de l'opération", max_length=200)

    objects = LigneBudgetaireQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne budgétaire"
        verbose_name_plural = "lignes budgétaires"
        ordering = ["code_operation"]

    def __str__(self):
        return f"{self.code_operation} – {self.libelle}"

    def get_absolute_url(self):
        return reverse("financement:ligne_detail", args=[self.pk])


class AutorisationEngagementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)

    def with_engage(self):
        """Annotate `engage_portail`: what the portal's adopted deliberations voted on the line for
        the year (the articles' voted amounts)."""
        voted = (
            Article.objects.filter(
                ligne_budgetaire=models.OuterRef("ligne_budgetaire"),
                deliberation__adoptee=True,
                deliberation__date__year=models.OuterRef("annee"),
            )
            .values("ligne_budgetaire")
            .annotate(total=Sum("montant_vote"))
            .values("total")
        )
        money = money_field()
        return self.annotate(
            engage_portail=Coalesce(models.Subquery(voted), ZERO, output_field=money),
        ).annotate(
            disponible=models.ExpressionWrapper(F("disponible_ouverture") - F("engage_portail"), output_field=money)
        )


class AutorisationEngagement(models.Model):
    """The AE voted on a budget line for one year.

    `disponible_ouverture` is what was still available when the line's year was opened in the
    portal (commitments made before, elsewhere); from then on the available amount is computed:
    opening figure − what the portal's adopted deliberations voted on the line that year.
    """

    ligne_budgetaire = models.ForeignKey(
        LigneBudgetaire, verbose_name="ligne budgétaire", on_delete=models.PROTECT, related_name="autorisations"
    )
    annee = models.PositiveSmallIntegerField("année")
    montant = _money("autorisation d'engagement (AE)")
    disponible_ouverture = _money(
        "disponible à l'ouverture",
        help_text="Montant encore disponible sur l'AE au moment où l'année a été ouverte dans le portail.",
    )
    source = models.CharField("source", max_length=120, blank=True)

    objects = AutorisationEngagementQuerySet.as_manager()

    class Meta:
        verbose_name = "autorisation d'engagement"
        verbose_name_plural = "autorisations d'engagement"
        ordering = ["ligne_budgetaire__code_operation", "-annee"]
        constraints = [
            models.UniqueConstraint(fields=["ligne_budgetaire", "annee"], name="ae_one_per_line_and_year"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="ae_montant_positive",
                violation_error_message="L'autorisation d'engagement ne peut pas être négative.",
            ),
            models.CheckConstraint(
                condition=Q(disponible_ouverture__gte=0) & Q(disponible_ouverture__lte=F("montant")),
                name="ae_disponible_within_montant",
                violation_error_message="Le disponible à l'ouverture doit être compris entre 0 et le montant de l'AE.",
            ),
        ]

    def __str__(self):
        return f"AE {self.annee} – {self.ligne_budgetaire.code_operation}"


# --- Commission Permanente ---------------------------------------------------------------------


class SessionCommissionPermanenteQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)


class SessionCommissionPermanente(models.Model):
    """A meeting of the Commission Permanente deciding one phase of the calls for projects."""

    date = models.DateField("date de la réunion")
    phase = models.PositiveSmallIntegerField("phase")
    annee_appel = models.PositiveSmallIntegerField("année de l'appel à projets")
    libelle = models.CharField("libellé", max_length=250)

    objects = SessionCommissionPermanenteQuerySet.as_manager()

    class Meta:
        verbose_name = "séance de Commission Permanente"
        verbose_name_plural = "séances de Commission Permanente"
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["annee_appel", "phase"], name="cp_one_session_per_phase"),
        ]

    def __str__(self):
        return f"Commission Permanente – phase {self.phase} ({self.annee_appel})"


class DeliberationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)


class Deliberation(models.Model):
    """A deliberation of the Commission Permanente: before the vote the DPID's proposal (its annex
    lines, chosen through simulations), after it the number, the vote and the articles."""

    session = models.ForeignKey(
        SessionCommissionPermanente, verbose_name="séance", on_delete=models.PROTECT, related_name="deliberations"
    )
    numero = models.CharField("numéro", max_length=20, unique=True)
    date = models.DateField("date")
    intitule = models.CharField("intitulé", max_length=250)
    rapport_numero = models.CharField("numéro du rapport", max_length=20, blank=True)
    vote_pour = models.PositiveSmallIntegerField("voix pour", null=True, blank=True)
    vote_contre = models.PositiveSmallIntegerField("voix contre", null=True, blank=True)
    vote_abstention = models.PositiveSmallIntegerField("abstentions", null=True, blank=True)
    vote_absents = models.PositiveSmallIntegerField("absents sans délégation de vote", null=True, blank=True)
    membres_interesses = models.TextField(
        "membres intéressés à l'affaire n'ayant pas pris part au vote",
        blank=True,
        help_text="Un nom par ligne.",
    )
    adoptee = models.BooleanField("adoptée", null=True, blank=True, help_text="Vide tant que le vote n'a pas eu lieu.")
    source = models.CharField("source", max_length=120, blank=True)

    objects = DeliberationQuerySet.as_manager()

    class Meta:
        verbose_name = "délibération"
        verbose_name_plural = "délibérations"
        ordering = ["-date", "numero"]
        constraints = [
            models.CheckConstraint(
                condition=Q(adoptee__isnull=True)
                | (
                    Q(vote_pour__isnull=False)
                    & Q(vote_contre__isnull=False)
                    & Q(vote_abstention__isnull=False)
                    & Q(vote_absents__isnull=False)
                ),
                name="deliberation_vote_counts_when_voted",
                violation_error_message="Un vote indique les voix pour, contre, les abstentions et les absents.",
            ),
        ]

    def __str__(self):
        return f"Délibération n° {self.numero}"

    def get_absolute_url(self):
        return reverse("financement:deliberation_detail", args=[self.numero])

    @property
    def is_voted(self):
        return self.adoptee is not None

    @property
    def membres_interesses_list(self):
        return [name.strip() for name in self.membres_interesses.splitlines() if name.strip()]


class Article(models.Model):
    """One article of a deliberation: the amount voted for a thématique, as voted."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="délibération", on_delete=models.CASCADE, related_name="articles"
    )
    numero = models.PositiveSmallIntegerField("numéro d'article")
    thematique = models.CharField("thématique", max_length=10)
    thematique_libelle = models.CharField("libellé de la thématique", max_length=250)
    montant_vote = _money("montant voté")
    ligne_budgetaire = models.ForeignKey(
        LigneBudgetaire, verbose_name="imputation", on_delete=models.PROTECT, related_name="articles"
    )
    source = models.CharField("source", max_length=120, blank=True)

    class Meta:
        verbose_name = "article"
        verbose_name_plural = "articles"
        ordering = ["deliberation", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "numero"], name="article_numero_unique"),
            models.UniqueConstraint(fields=["deliberation", "thematique"], name="article_one_per_thematique"),
            models.CheckConstraint(
                condition=Q(montant_vote__gte=0),
                name="article_montant_positive",
                violation_error_message="Le montant voté ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"Article {self.numero} – thématique {self.thematique}"


class LigneAnnexeQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)

    def retenues(self):
        return self.filter(retenue=True)


class LigneAnnexe(models.Model):
    """One line of the deliberation's financial annex (seed 003, annex 4): what one structure does
    on one territory for one operation, and for how much.

    The fields are self-sufficient: a line exists without the call-for-projects application that
    produced it.
    """

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="délibération", on_delete=models.CASCADE, related_name="lignes"
    )
    # The call-for-projects application this line proposes (None for lines loaded from a printed
    # annex without their application). Not unique: an application left out of one session may be
    # proposed again at the next one.
    candidature = models.ForeignKey(
        "aap.Candidature",
        verbose_name="candidature (appel à projets)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lignes_annexe",
    )
    ordre = models.PositiveSmallIntegerField("ordre dans l'annexe")
    thematique = models.CharField("thématique", max_length=10)
    operation = models.PositiveSmallIntegerField("opération")
    operation_libelle = models.CharField("libellé de l'opération", max_length=200)
    dispositif = models.CharField("dispositif", max_length=10, blank=True)
    territoire = models.ForeignKey(
        Territoire,
        verbose_name="territoire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Vide pour une action départementale.",
    )
    territoire_secondaire = models.ForeignKey(
        Territoire,
        verbose_name="second territoire couvert",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Quand l'annexe couvre deux territoires SLAI (« Montreuillois/Ternois »).",
    )
    structure = models.ForeignKey(Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="+")
    description = models.TextField("description de l'action")
    etp = models.DecimalField("ETP", max_digits=5, decimal_places=2, null=True, blank=True)
    places = models.PositiveIntegerField("places", null=True, blank=True)
    diagnostics = models.PositiveIntegerField("diagnostics", null=True, blank=True)
    montant = _money("montant retenu")
    type_acte = models.CharField("acte", max_length=20, choices=TypeActe.choices)
    numero_modele = models.PositiveSmallIntegerField("numéro du modèle d'avenant", null=True, blank=True)
    date_debut = models.DateField("début de la période", null=True, blank=True)
    date_fin = models.DateField("fin de la période", null=True, blank=True)
    ligne_budgetaire = models.ForeignKey(
        LigneBudgetaire, verbose_name="imputation", on_delete=models.PROTECT, related_name="lignes_annexe"
    )
    retenue = models.BooleanField(
        "retenue", default=True, help_text="Proposée au vote (choisie par la simulation promue)."
    )
    source = models.CharField("source", max_length=120, blank=True)

    objects = LigneAnnexeQuerySet.as_manager()

    class Meta:
        verbose_name = "ligne d'annexe"
        verbose_name_plural = "lignes d'annexe"
        ordering = ["deliberation", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["deliberation", "ordre"], name="ligne_annexe_ordre_unique"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="ligne_annexe_montant_positive",
                violation_error_message="Le montant retenu ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(type_acte=TypeActe.CONVENTION) | Q(numero_modele__isnull=False),
                name="ligne_annexe_avenant_has_model",
                violation_error_message="Un avenant indique le numéro de son modèle.",
            ),
            models.CheckConstraint(
                condition=Q(date_debut__isnull=True) | Q(date_fin__isnull=True) | Q(date_fin__gte=F("date_debut")),
                name="ligne_annexe_period_ordered",
                violation_error_message="La fin de la période ne peut pas précéder son début.",
            ),
        ]

    def __str__(self):
        return f"{self.structure} – {self.operation_libelle}"

    @property
    def modele(self):
        if self.type_acte == TypeActe.AVENANT:
            return f"Modèle d'avenant n° {self.numero_modele}"
        return "Convention type"

    @property
    def territoire_libelle(self):
        if self.territoire is None:
            return "Départemental"
        if self.territoire_secondaire is not None:
            return f"{self.territoire.nom} / {self.territoire_secondaire.nom}"
        return self.territoire.nom


# --- what-if programmings ------------------------------------------------------------------------


class SimulationQuerySet(models.QuerySet):
    def visible_to(self, user):
        return _departement_only(self, user)


class SimulationProgrammation(models.Model):
    """A what-if choice of proposals for a deliberation, checked against the available AE.
    Several are compared side by side; the promoted one sets the lines proposed to the vote."""

    deliberation = models.ForeignKey(
        Deliberation, verbose_name="délibération", on_delete=models.CASCADE, related_name="simulations"
    )
    nom = models.CharField("nom", max_length=120)
    lignes = models.ManyToManyField(LigneAnnexe, verbose_name="propositions retenues", related_name="simulations")
    promue = models.BooleanField("promue", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="créée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    promue_at = models.DateTimeField("promue le", null=True, blank=True)

    objects = SimulationQuerySet.as_manager()

    class Meta:
        verbose_name = "simulation de programmation"
        verbose_name_plural = "simulations de programmation"
        ordering = ["deliberation", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["deliberation"],
                condition=Q(promue=True),
                name="simulation_one_promoted_per_deliberation",
                violation_error_message="Une seule simulation peut être promue par délibération.",
            ),
            models.UniqueConstraint(fields=["deliberation", "nom"], name="simulation_nom_unique"),
            models.CheckConstraint(
                condition=Q(promue=False) | Q(promue_at__isnull=False),
                name="simulation_promoted_has_date",
                violation_error_message="Une simulation promue est datée.",
            ),
        ]

    def __str__(self):
        return self.nom


# --- conventions and avenants ---------------------------------------------------------------------


class ActeQuerySet(models.QuerySet):
    structure_path = "structure"

    def visible_to(self, user):
        """The Département's roles see every convention; a structure's members see their own;
        SLAI agents none (they follow people, not money)."""
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_structure_member:
            return self.filter(**{f"{self.structure_path}_id": scope.structure_id})
        return self.none()

    def signees(self):
        return self.filter(etat__in=[EtatActe.SIGNEE, EtatActe.ECHUE, EtatActe.RESILIEE])


class AvenantQuerySet(ActeQuerySet):
    structure_path = "convention__structure"


class Acte(models.Model):
    """What conventions and avenants share: their state, signatures and signatories.

    States move only through `financement.workflow` (brouillon → à signer → signé(e) → résilié(e)
    or échu(e)); a signed text is frozen and a change is a new avenant.
    """

    etat = models.CharField(
        "état", max_length=20, choices=EtatActe.choices, default=EtatActe.BROUILLON, editable=False
    )
    objet = models.TextField("objet")
    deliberation = models.ForeignKey(
        Deliberation,
        verbose_name="délibération d'autorisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ligne_annexe = models.ForeignKey(
        LigneAnnexe,
        verbose_name="ligne d'annexe retenue",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    signataire_structure = models.CharField(
        "signataire pour la structure", max_length=200, blank=True, help_text="Nom et qualité."
    )
    signataire_departement = models.CharField(
        "signataire pour le Département",
        max_length=200,
        default="La Directrice des Politiques d'Inclusion Durable, par délégation",
    )
    a_signer_at = models.DateTimeField("envoyé à la signature le", null=True, blank=True, editable=False)
    signe_structure_le = models.DateField("signé par la structure le", null=True, blank=True)
    signe_departement_le = models.DateField("signé par le Département le", null=True, blank=True)
    fin_le = models.DateField("résilié ou échu le", null=True, blank=True, editable=False)
    motif_fin = models.TextField("motif de la résiliation", blank=True, editable=False)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True

    @property
    def date_signature(self):
        """The date the text binds both parties: the later of the two signatures."""
        if self.signe_structure_le and self.signe_departement_le:
            return max(self.signe_structure_le, self.signe_departement_le)
        return None

    @property
    def is_frozen(self):
        return self.etat != "brouillon"


def _acte_constraints(prefix):
    return [
        models.CheckConstraint(
            condition=Q(etat__in=["brouillon", "a_signer", "signee", "resiliee", "echue"]),
            name=f"{prefix}_etat_valid",
        ),
        models.CheckConstraint(
            condition=Q(etat="brouillon") | Q(a_signer_at__isnull=False),
            name=f"{prefix}_sent_has_date",
            violation_error_message="Un texte envoyé à la signature est daté.",
        ),
        models.CheckConstraint(
            condition=~Q(etat__in=["signee", "resiliee", "echue"])
            | (Q(signe_structure_le__isnull=False) & Q(signe_departement_le__isnull=False)),
            name=f"{prefix}_signed_has_both_dates",
            violation_error_message="Un texte signé porte la date de chaque signature.",
        ),
        models.CheckConstraint(
            condition=~Q(etat__in=["resiliee", "echue"]) | Q(fin_le__isnull=False),
            name=f"{prefix}_ended_has_date",
            violation_error_message="Une résiliation ou une échéance est datée.",
        ),
    ]


class Convention(Acte):
    """A partnership convention with a structure (model convention of the CP of 12 June 2023)."""

    numero = models.CharField("numéro", max_length=20, unique=True, help_text="Par exemple 2024-01213.")
    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="conventions"
    )
    intitule = models.CharField(
        "intitulé",
        max_length=250,
        help_text="Suite de « dans le cadre de … », par exemple « l'accompagnement des travailleurs indépendants ».",
    )
    date_debut = models.DateField("début de la période")
    date_fin = models.DateField("fin de la période")
    montant_max = _money("coût maximum (article 4)")
    obligations = models.TextField("obligations de la structure (article 8)", blank=True)
    ligne_budgetaire = models.ForeignKey(
        LigneBudgetaire,
        verbose_name="imputation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="conventions",
    )
    # Cost model: how the contribution earned is computed at the balance (DOMAIN.md §3).
    modele_cout = models.CharField(
        "modèle de coût", max_length=20, choices=ModeleCout.choices, default=ModeleCout.MONTANT_FIXE
    )
    taux_place = _money("coût d'une place", null=True, blank=True, help_text="80 € pour le référent solidarité.")
    places_conventionnees = models.PositiveIntegerField("places conventionnées", null=True, blank=True)
    forfait_montant = _money(
        "forfait", null=True, blank=True, help_text="Montant pour le nombre de places du forfait."
    )
    forfait_places = models.PositiveIntegerField("places du forfait", null=True, blank=True)
    etp_finances = models.DecimalField("ETP financés", max_digits=5, decimal_places=2, null=True, blank=True)
    cout_etp = _money("coût d'un ETP", null=True, blank=True)
    regle_bilan = models.CharField(
        "échéance du bilan final",
        max_length=20,
        choices=RegleBilan.choices,
        default=RegleBilan.MARS_N1,
        help_text="31 mars N+1 (fiche référent solidarité, dynamisation), 6 mois après la fin (accompagnement "
        "équilibré), 3 mois après la fin (Pas-de-Calais Actif).",
    )
    part_quantitative = models.DecimalField(
        "part quantitative (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("100.00"),
        help_text="Le reste est la part qualitative, répartie entre les indicateurs pondérés (50 % / 50 % pour "
        "le référent solidarité).",
    )

    objects = ActeQuerySet.as_manager()

    class Meta:
        verbose_name = "convention"
        verbose_name_plural = "conventions"
        ordering = ["-numero"]
        constraints = [
            *_acte_constraints("convention"),
            models.CheckConstraint(
                condition=Q(date_fin__gte=F("date_debut")),
                name="convention_period_ordered",
                violation_error_message="La fin de la convention ne peut pas précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(montant_max__gte=0),
                name="convention_montant_positive",
                violation_error_message="Le coût maximum ne peut pas être négatif.",
            ),
            models.CheckConstraint(
                condition=Q(part_quantitative__gte=0) & Q(part_quantitative__lte=100),
                name="convention_part_quantitative_percent",
                violation_error_message="La part quantitative est un pourcentage entre 0 et 100.",
            ),
        ]

    def __str__(self):
        return f"Convention n° {self.numero}"

    def get_absolute_url(self):
        return reverse("financement:convention_detail", args=[self.pk])

    def plafond(self, avenants=None):
        """Maximum the Département may pay: the convention's maximum plus the signed avenants'
        additional costs (avenants in their state at call time)."""
        avenants = self.avenants.all() if avenants is None else avenants
        signed = [a.montant_supplementaire for a in avenants if a.etat in ("signee", "echue", "resiliee")]
        return self.montant_max + sum(signed, ZERO)


class Avenant(Acte):
    """An amendment to a convention: the articles it replaces and what it adds."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.PROTECT, related_name="avenants"
    )
    numero = models.PositiveSmallIntegerField("numéro d'avenant")
    numero_modele = models.PositiveSmallIntegerField(
        "modèle d'avenant", null=True, blank=True, help_text="Numéro du modèle joint à la délibération (5 à 10)."
    )
    articles_modifies = models.CharField(
        "articles modifiés",
        max_length=60,
        help_text="Par exemple « 4, 12 » (1 objet, 3 période, 4 coût, 8 obligations, 12 annexes).",
    )
    texte_cout = models.TextField("nouvelle rédaction de l'article 4", blank=True)
    montant_supplementaire = _money("coût supplémentaire", default=ZERO)
    date_debut_supplement = models.DateField("début de la période supplémentaire", null=True, blank=True)
    nouvelle_date_fin = models.DateField("nouvelle fin de la convention", null=True, blank=True)

    objects = AvenantQuerySet.as_manager()

    class Meta:
        verbose_name = "avenant"
        verbose_name_plural = "avenants"
        ordering = ["convention", "numero"]
        constraints = [
            *_acte_constraints("avenant"),
            models.UniqueConstraint(fields=["convention", "numero"], name="avenant_numero_unique"),
            models.CheckConstraint(
                condition=Q(montant_supplementaire__gte=0),
                name="avenant_montant_positive",
                violation_error_message="Le coût supplémentaire ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"Avenant n° {self.numero} à la convention n° {self.convention.numero}"

    def get_absolute_url(self):
        return reverse("financement:avenant_detail", args=[self.pk])

    @property
    def structure(self):
        return self.convention.structure

    @property
    def date_fin(self):
        return self.nouvelle_date_fin or self.convention.date_fin

    @property
    def articles_list(self):
        return [part.strip() for part in self.articles_modifies.split(",") if part.strip()]


class FicheAnnexe(models.Model):
    """An annex fiche of a convention or avenant (seed 003: Durée, Coût, Public-Cible, …)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, null=True, blank=True, related_name="fiches")
    avenant = models.ForeignKey(Avenant, on_delete=models.CASCADE, null=True, blank=True, related_name="fiches")
    numero = models.PositiveSmallIntegerField("numéro d'annexe")
    titre = models.CharField("titre", max_length=250)
    duree = models.CharField("durée", max_length=120, blank=True)
    cout = models.CharField("coût", max_length=120, blank=True)
    public_cible = models.TextField("public cible", blank=True)
    objectifs = models.TextField("objectifs", blank=True)
    deroulement = models.TextField("déroulement de l'action", blank=True)
    territoire = models.CharField("territoire d'intervention", max_length=250, blank=True)
    profil = models.TextField("profil du professionnel", blank=True)
    modalites_financement = models.TextField("modalités de financement", blank=True)
    modalites_versement = models.TextField("modalités de versement", blank=True)
    bilan = models.TextField("bilan et indicateurs", blank=True)

    class Meta:
        verbose_name = "fiche annexe"
        verbose_name_plural = "fiches annexes"
        ordering = ["numero"]
        constraints = [
            models.CheckConstraint(
                condition=Q(convention__isnull=False, avenant__isnull=True)
                | Q(convention__isnull=True, avenant__isnull=False),
                name="fiche_annexe_one_owner",
                violation_error_message="Une fiche annexe appartient à une convention ou à un avenant.",
            ),
        ]

    def __str__(self):
        return f"Annexe n° {self.numero} – {self.titre}"


class TransitionActe(TransitionLog):
    """Who moved a convention or avenant from one state to another, when and why."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions"
    )
    avenant = models.ForeignKey(Avenant, on_delete=models.CASCADE, null=True, blank=True, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état"
        verbose_name_plural = "changements d'état"

    def __str__(self):
        return f"{self.de} → {self.vers}"


# --- payments --------------------------------------------------------------------------------------


class EcheanceVersement(models.Model):
    """One planned payment of a convention (advance, intermediate, balance, or a share of an
    avenant such as "60 % à la signature de l'avenant")."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="echeances")
    avenant = models.ForeignKey(Avenant, on_delete=models.CASCADE, null=True, blank=True, related_name="echeances")
    ordre = models.PositiveSmallIntegerField("ordre")
    nature = models.CharField("nature", max_length=20)
    libelle = models.CharField("libellé", max_length=200)
    montant_prevu = _money(
        "montant prévu", null=True, blank=True, help_text="Vide pour un solde calculé selon les résultats."
    )
    date_prevue = models.DateField("date prévue", null=True, blank=True)

    class Meta:
        verbose_name = "échéance de versement"
        verbose_name_plural = "échéances de versement"
        ordering = ["convention", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "ordre"], name="echeance_versement_ordre_unique"),
            models.CheckConstraint(
                condition=Q(montant_prevu__isnull=True) | Q(montant_prevu__gte=0),
                name="echeance_versement_montant_positive",
                violation_error_message="Le montant prévu ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return self.libelle


class VersementQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(convention__in=Convention.objects.visible_to(user))

    def total(self):
        return round_money(self.aggregate(total=Coalesce(Sum("montant"), ZERO, output_field=money_field()))["total"])


class Versement(models.Model):
    """A payment made: one per planned payment (never twice), with its mandate reference."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="versements")
    echeance = models.OneToOneField(
        EcheanceVersement,
        verbose_name="échéance",
        on_delete=models.PROTECT,
        related_name="versement",
        error_messages={"unique": "Cette échéance est déjà payée."},
    )
    montant = _money("montant versé")
    date_versement = models.DateField("date du versement")
    reference_mandat = models.CharField("référence du mandat", max_length=40, unique=True)
    calcul = models.JSONField("détail du calcul", default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)

    objects = VersementQuerySet.as_manager()

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["convention", "date_versement", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="versement_montant_positive",
                violation_error_message="Un versement est d'un montant positif.",
            ),
        ]

    def __str__(self):
        return f"{self.echeance} – {self.montant} €"


# --- results and the modulated balance -------------------------------------------------------------


class ResultatsConvention(models.Model):
    """What the operation achieved, as the balance needs it: the quantitative result entered or
    computed, then the DPID's validation of the balance with its calculation frozen."""

    convention = models.OneToOneField(Convention, on_delete=models.CASCADE, related_name="resultats")
    places_realisees = models.PositiveIntegerField(
        "places réalisées (file active)", null=True, blank=True, help_text="Places en file active sur la période."
    )
    etp_realises = models.DecimalField(
        "ETP effectivement affectés", max_digits=5, decimal_places=2, null=True, blank=True
    )
    solde_valide = _money("solde validé", null=True, blank=True)
    calcul_valide = models.JSONField("calcul validé", default=list, blank=True)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valide_at = models.DateTimeField("validé le", null=True, blank=True)

    class Meta:
        verbose_name = "résultats de la convention"
        verbose_name_plural = "résultats des conventions"
        constraints = [
            models.CheckConstraint(
                condition=Q(solde_valide__isnull=True) | (Q(valide_at__isnull=False) & Q(solde_valide__gte=0)),
                name="resultats_validated_has_date",
                violation_error_message="Un solde validé est daté et positif.",
            ),
        ]

    def __str__(self):
        return f"Résultats – {self.convention}"


class IndicateurQualitatif(models.Model):
    """One weighted indicator of the qualitative part (référent solidarité: procedures 15 %,
    quality of the pathways 35 %, seed 000 l. 139–238)."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="indicateurs")
    ordre = models.PositiveSmallIntegerField("ordre")
    famille = models.CharField("famille", max_length=120)
    libelle = models.CharField("indicateur", max_length=200)
    poids = models.DecimalField("poids (% de la participation)", max_digits=5, decimal_places=2)
    cible = models.DecimalField("cible", max_digits=12, decimal_places=2)
    valeur = models.DecimalField("valeur atteinte", max_digits=12, decimal_places=2, null=True, blank=True)
    calcule = models.BooleanField(
        "calculé par le portail", default=False, help_text="Sinon saisi par la DPID (présence aux COPIL, …)."
    )
    code_portail = models.CharField(
        "indicateur de l'accompagnement",
        max_length=40,
        choices=IndicateurPortail.choices,
        blank=True,
        help_text="Pré-rempli à partir des données d'accompagnement de la structure sur la période.",
    )

    class Meta:
        verbose_name = "indicateur qualitatif"
        verbose_name_plural = "indicateurs qualitatifs"
        ordering = ["convention", "ordre"]
        constraints = [
            models.UniqueConstraint(fields=["convention", "ordre"], name="indicateur_ordre_unique"),
            models.CheckConstraint(
                condition=Q(poids__gte=0) & Q(poids__lte=100) & Q(cible__gt=0),
                name="indicateur_poids_cible_valid",
                violation_error_message="Le poids est un pourcentage et la cible est positive.",
            ),
        ]

    def __str__(self):
        return self.libelle


# --- bilans ------------------------------------------------------------------------------------------


class BilanQuerySet(models.QuerySet):
    def visible_to(self, user):
        """As the conventions: the Département's roles see every bilan, a structure its own, SLAI
        agents none."""
        return self.filter(convention__in=Convention.objects.visible_to(user))

    def en_retard(self, today):
        return self.filter(etat__in=[EtatBilan.A_PRODUIRE, EtatBilan.A_CORRIGER], date_limite__lt=today)

    def a_examiner(self):
        return self.filter(etat=EtatBilan.DEPOSE)


class Bilan(models.Model):
    """An intermediate or final bilan of a convention (or of an operation added by an avenant),
    due by a date that follows the convention's rule. The structure confirms the figures the
    portal pre-fills from its caseload, comments and attaches documents; the DPID validates or
    hands it back for correction. States move only through `financement.bilans`."""

    convention = models.ForeignKey(
        Convention, verbose_name="convention", on_delete=models.CASCADE, related_name="bilans"
    )
    avenant = models.ForeignKey(
        Avenant,
        verbose_name="avenant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="bilans",
        help_text="Quand le bilan porte sur l'opération ajoutée par un avenant.",
    )
    nature = models.CharField("nature", max_length=20, choices=NatureBilan.choices)
    periode_debut = models.DateField("période du")
    periode_fin = models.DateField("au")
    date_limite = models.DateField("à remettre au plus tard le")
    regle = models.CharField("règle", max_length=250)
    etat = models.CharField(
        "état", max_length=20, choices=EtatBilan.choices, default=EtatBilan.A_PRODUIRE, editable=False
    )
    # Figures confirmed by the structure (pre-filled from the caseload).
    file_active = models.PositiveIntegerField("file active en fin de période", null=True, blank=True)
    entrees = models.PositiveIntegerField("personnes entrées", null=True, blank=True)
    sorties = models.PositiveIntegerField("personnes sorties", null=True, blank=True)
    sorties_dynamiques = models.PositiveIntegerField(
        "sorties dynamiques", null=True, blank=True, help_text="Emploi durable, emploi de transition, sortie positive."
    )
    reorientations = models.PositiveIntegerField("réorientations", null=True, blank=True)
    sorties_autres = models.PositiveIntegerField(
        "autres sorties", null=True, blank=True, help_text="Situation financière, déménagement, fin de droits, autre."
    )
    entretiens = models.PositiveIntegerField("entretiens physiques", null=True, blank=True)
    commentaire = models.TextField("commentaire de la structure", blank=True)
    donnees_portail = models.JSONField(
        "chiffres de l'accompagnement au dépôt", default=dict, blank=True, editable=False
    )
    depose_at = models.DateTimeField("déposé le", null=True, blank=True, editable=False)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    valide_at = models.DateTimeField("validé le", null=True, blank=True, editable=False)
    valide_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    motif_correction = models.TextField("motif de la correction demandée", blank=True, editable=False)

    objects = BilanQuerySet.as_manager()

    class Meta:
        verbose_name = "bilan"
        verbose_name_plural = "bilans"
        ordering = ["date_limite", "pk"]
        indexes = [models.Index(fields=["etat", "date_limite"], name="bilan_etat_limite_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "nature", "periode_fin"],
                condition=Q(avenant__isnull=True),
                name="bilan_one_per_convention_period",
            ),
            models.UniqueConstraint(
                fields=["avenant", "nature", "periode_fin"],
                condition=Q(avenant__isnull=False),
                name="bilan_one_per_avenant_period",
            ),
            models.CheckConstraint(
                condition=Q(etat__in=["a_produire", "depose", "a_corriger", "valide"]), name="bilan_etat_valid"
            ),
            models.CheckConstraint(
                condition=Q(periode_fin__gte=F("periode_debut")),
                name="bilan_period_ordered",
                violation_error_message="La fin de la période ne peut pas précéder son début.",
            ),
            models.CheckConstraint(
                condition=Q(etat="a_produire") | Q(depose_at__isnull=False),
                name="bilan_deposited_has_date",
                violation_error_message="Un bilan déposé est daté.",
            ),
            models.CheckConstraint(
                condition=~Q(etat="valide") | Q(valide_at__isnull=False),
                name="bilan_validated_has_date",
                violation_error_message="Un bilan validé est daté.",
            ),
            models.CheckConstraint(
                condition=~Q(etat="a_corriger") | ~Q(motif_correction=""),
                name="bilan_correction_has_reason",
                violation_error_message="Un bilan rendu pour correction en indique le motif.",
            ),
        ]

    def __str__(self):
        suffix = f" (avenant n° {self.avenant.numero})" if self.avenant_id else ""
        return f"{self.get_nature_display()} – convention n° {self.convention.numero}{suffix}"

    def get_absolute_url(self):
        return reverse("financement:bilan_detail", args=[self.pk])

    @property
    def structure(self):
        return self.convention.structure

    @property
    def is_open(self):
        """Still for the structure to produce (or correct)."""
        return self.etat in (EtatBilan.A_PRODUIRE, EtatBilan.A_CORRIGER)

    def is_late(self, today):
        return self.is_open and self.date_limite < today


def _bilan_upload_to(instance, filename):
    # The name was replaced by a random one with the detected type's extension
    # (portal.core.uploads.validate_document_upload): the uploaded name is never used.
    return f"financement/bilans/{instance.bilan_id}/{filename}"


class PieceBilan(models.Model):
    """A document attached to a bilan by the structure (PDF, JPEG or PNG, checked by content)."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="pieces")
    titre = models.CharField("intitulé", max_length=200)
    fichier = models.FileField("fichier", upload_to=_bilan_upload_to)
    ajoute_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    ajoute_at = models.DateTimeField("ajoutée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce du bilan"
        verbose_name_plural = "pièces du bilan"
        ordering = ["ajoute_at", "pk"]

    def __str__(self):
        return self.titre


class TransitionBilan(TransitionLog):
    """Who moved a bilan from one state to another, when and why (as `TransitionActe`)."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="transitions")

    class Meta(TransitionLog.Meta):
        verbose_name = "changement d'état du bilan"
        verbose_name_plural = "changements d'état des bilans"

    def __str__(self):
        return f"{self.de_label} → {self.vers_label}"

    @property
    def de_label(self):
        return EtatBilan(self.de).label

    @property
    def vers_label(self):
        return EtatBilan(self.vers).label
