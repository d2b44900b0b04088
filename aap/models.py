from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from aap import budget
from aap.enums import (
    CLOSED,
    DECIDED,
    Acte,
    AvisSlai,
    EtatAppel,
    EtatCandidature,
    ModeleCout,
    MotifCorrection,
    Section,
    ValidationSlai,
)
from aap.windows import closing_at, opening_at, window_is_open
from portal.core.transitions import TransitionLog

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


# --- Calls and dispositifs -------------------------------------------------------------------


class AppelAProjetsQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Published calls for everyone signed in; drafts for the DPID who prepares them."""
        if user.scope.is_dpid:
            return self
        return self.filter(etat=EtatAppel.PUBLIE)


class AppelAProjets(models.Model):
    annee = models.PositiveSmallIntegerField("année")
    titre = models.CharField("intitulé", max_length=200)
    presentation = models.TextField("présentation", blank=True)
    etat = models.CharField("état", max_length=20, choices=EtatAppel.choices, default=EtatAppel.BROUILLON)
    publie_at = models.DateTimeField("publié le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = AppelAProjetsQuerySet.as_manager()

    class Meta:
        verbose_name = "appel à projets"
        verbose_name_plural = "appels à projets"
        ordering = ["-annee", "titre"]
        constraints = [
            models.UniqueConstraint(fields=["annee", "titre"], name="aap_appel_unique"),
            models.CheckConstraint(
                condition=Q(etat=EtatAppel.BROUILLON) | Q(publie_at__isnull=False),
                name="aap_appel_publie_has_date",
                violation_error_message="Un appel publié a une date de publication.",
            ),
        ]

    def __str__(self):
        return self.titre

    def get_absolute_url(self):
        return reverse("aap:appel_detail", args=[self.pk])

    @property
    def is_published(self):
        return self.etat == EtatAppel.PUBLIE

    def open_window(self, at=None):
        at = at or timezone.now()
        return next((f for f in self.fenetres.all() if f.is_open(at)), None)


class Thematique(models.Model):
    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="thematiques")
    numero = models.PositiveSmallIntegerField("numéro")
    libelle = models.CharField("intitulé", max_length=200)

    class Meta:
        verbose_name = "thématique"
        verbose_name_plural = "thématiques"
        ordering = ["appel", "numero"]
        constraints = [models.UniqueConstraint(fields=["appel", "numero"], name="aap_thematique_unique")]

    def __str__(self):
        return f"{self.numero}. {self.libelle}"


class DispositifQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(appel__in=AppelAProjets.objects.visible_to(user))


class Dispositif(models.Model):
    """A numbered dispositif and its fiche. Codes are per call: "1.1" is "Référent solidarité" in
    2025 and "Dynamisation des parcours : accueil des BRSA" in 2024."""

    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="dispositifs")
    thematique = models.ForeignKey(
        Thematique, verbose_name="thématique", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    code = models.CharField("code", max_length=10, help_text="Numéro du dispositif dans l'appel, par exemple 1.1.")
    libelle = models.CharField("intitulé", max_length=200)
    axe = models.CharField("axe", max_length=200, blank=True)
    contexte = models.TextField("contexte", blank=True)
    public_cible = models.TextField("public cible", blank=True)
    objectifs = models.TextField("objectifs", blank=True)
    phasage = models.TextField("phasage du projet", blank=True)
    modalites = models.TextField("modalités d'accueil et de suivi", blank=True)
    resultats_attendus = models.TextField("résultats attendus", blank=True)
    territoires = models.ManyToManyField("referentiels.Territoire", verbose_name="territoires concernés", blank=True)
    criteres_evaluation = models.TextField("critères d'évaluation", blank=True)
    porteurs_eligibles = models.TextField("porteurs de projets éligibles", blank=True)
    profil_personnel = models.TextField("profil du personnel demandé", blank=True)
    periode_debut = models.DateField("début du conventionnement", null=True, blank=True)
    periode_fin = models.DateField("fin du conventionnement", null=True, blank=True)
    modele_cout = models.CharField(
        "modèle de coût", max_length=30, choices=ModeleCout.choices, default=ModeleCout.PROJET
    )
    taux = models.DecimalField(
        "montant de référence",
        null=True,
        blank=True,
        help_text="Coût d'une place, d'un ETP ou montant du forfait, selon le modèle de coût.",
        **MONEY,
    )
    periode_taux = models.CharField(
        "période du montant de référence", max_length=60, blank=True, help_text="Par exemple « par an »."
    )
    places_forfait = models.PositiveIntegerField("places couvertes par le forfait", null=True, blank=True)
    diagnostics_par_etp = models.PositiveIntegerField("diagnostics attendus par ETP", null=True, blank=True)
    places_par_etp_max = models.PositiveIntegerField("places au plus par ETP", null=True, blank=True)
    part_quantitative = models.DecimalField(
        "part quantitative (%)", max_digits=5, decimal_places=2, default=Decimal("0")
    )
    part_qualitative = models.DecimalField(
        "part qualitative (%)", max_digits=5, decimal_places=2, default=Decimal("0")
    )
    indicateurs = models.TextField("indicateurs d'évaluation", blank=True, help_text="Un indicateur par ligne.")
    pieces_requises = models.TextField(
        "pièces à joindre", blank=True, help_text="Une pièce par ligne ; les CV du personnel sont demandés à part."
    )
    modalites_versement = models.TextField("modalités de versement", blank=True)
    bilan = models.TextField("bilan attendu", blank=True)
    label_requis_a_partir_du = models.DateField(
        "label requis à partir du",
        null=True,
        blank=True,
        help_text="À partir de cette date, seules les structures labellisées peuvent déposer.",
    )
    validation_slai_requise = models.BooleanField(
        "validation du chef de SLAI requise",
        default=False,
        help_text="La validation du chef de SLAI conditionne la candidature (référent solidarité).",
    )
    cofinancement_europeen = models.BooleanField("contrepartie FSE+ / FTJ", default=False)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    objects = DispositifQuerySet.as_manager()

    class Meta:
        verbose_name = "dispositif"
        verbose_name_plural = "dispositifs"
        ordering = ["appel", "ordre", "code"]
        constraints = [
            models.UniqueConstraint(fields=["appel", "code"], name="aap_dispositif_code_par_appel"),
            models.CheckConstraint(
                condition=Q(part_quantitative=0, part_qualitative=0)
                | Q(part_quantitative__gte=0, part_qualitative__gte=0, part_quantitative__lte=100),
                name="aap_dispositif_parts",
                violation_error_message="Les parts quantitative et qualitative sont des pourcentages.",
            ),
            models.CheckConstraint(
                condition=Q(periode_debut__isnull=True)
                | Q(periode_fin__isnull=True)
                | Q(periode_fin__gte=F("periode_debut")),
                name="aap_dispositif_periode",
                violation_error_message="La fin du conventionnement suit son début.",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.libelle}"

    def get_absolute_url(self):
        return reverse("aap:dispositif_detail", args=[self.pk])

    @property
    def pieces(self) -> list[str]:
        return [line.strip() for line in self.pieces_requises.splitlines() if line.strip()]

    @property
    def indicateurs_list(self) -> list[str]:
        return [line.strip() for line in self.indicateurs.splitlines() if line.strip()]

    def label_required_on(self, day) -> bool:
        return self.label_requis_a_partir_du is not None and day >= self.label_requis_a_partir_du


class FenetreDepot(models.Model):
    """A deposit period of a call, both days included, in Paris time."""

    appel = models.ForeignKey(AppelAProjets, on_delete=models.CASCADE, related_name="fenetres")
    libelle = models.CharField("intitulé", max_length=120, blank=True)
    ouverture = models.DateField("ouverture le")
    cloture = models.DateField("clôture le (inclus)")

    class Meta:
        verbose_name = "période de dépôt"
        verbose_name_plural = "périodes de dépôt"
        ordering = ["appel", "ouverture"]
        constraints = [
            models.CheckConstraint(
                condition=Q(cloture__gte=F("ouverture")),
                name="aap_fenetre_dates",
                violation_error_message="La clôture ne peut pas précéder l'ouverture.",
            )
        ]

    def __str__(self):
        return f"du {self.ouverture:%d/%m/%Y} au {self.cloture:%d/%m/%Y} inclus"

    @property
    def opens_at(self):
        return opening_at(self.ouverture)

    @property
    def closes_at(self):
        return closing_at(self.cloture)

    def is_open(self, at=None):
        return window_is_open(opens_on=self.ouverture, closes_on=self.cloture, at=at or timezone.now())


# --- Applications ----------------------------------------------------------------------------


class CandidatureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure members: their structure's applications; SLAI: submitted applications on
        their territory; DPID, managers, admins: every submitted application."""
        scope = user.scope
        if scope.is_structure_member:
            return self.filter(structure_id=scope.structure_id)
        submitted = self.exclude(etat=EtatCandidature.BROUILLON)
        if scope.sees_departement:
            return submitted
        if scope.is_slai:
            return submitted.filter(territoire_id=scope.territoire_id)
        return self.none()

    def proposals(self):
        return self.filter(etat__in=[EtatCandidature.PROPOSEE, EtatCandidature.RETENUE])


class Candidature(models.Model):
    dispositif = models.ForeignKey(Dispositif, on_delete=models.PROTECT, related_name="candidatures")
    structure = models.ForeignKey(
        "referentiels.Structure", verbose_name="structure", on_delete=models.PROTECT, related_name="candidatures"
    )
    territoire = models.ForeignKey(
        "referentiels.Territoire", verbose_name="territoire", on_delete=models.PROTECT, related_name="+"
    )
    # Seed 003 annex 4 holds two actions of one structure under one dispositif on one territory
    # (MEMPA's two FAJ projects, the valorised and the financed équilibré ETP): they are numbered.
    action = models.PositiveSmallIntegerField("numéro de l'action", default=1)
    etat = models.CharField(
        "état", max_length=20, choices=EtatCandidature.choices, default=EtatCandidature.BROUILLON, db_index=True
    )
    # Project
    intitule = models.CharField("intitulé de l'action", max_length=200, blank=True)
    description = models.TextField("description de l'action", blank=True)
    places = models.PositiveIntegerField("places d'accompagnement", null=True, blank=True)
    etp = models.DecimalField("ETP mobilisés", max_digits=6, decimal_places=2, null=True, blank=True)
    etp_finances = models.BooleanField(
        "ETP financés", default=True, help_text="Décochez si les ETP sont seulement valorisés (0 €)."
    )
    diagnostics = models.PositiveIntegerField("diagnostics prévus", null=True, blank=True)
    beneficiaires = models.PositiveIntegerField("participants prévus", null=True, blank=True)
    date_debut = models.DateField("début de l'action", null=True, blank=True)
    date_fin = models.DateField("fin de l'action", null=True, blank=True)
    partenaires = models.TextField("partenaires", blank=True)
    indicateurs_proposes = models.TextField("indicateurs proposés", blank=True)
    engagement_label = models.BooleanField(
        "engagement dans la démarche de labellisation",
        default=False,
        help_text="La structure s'engage à mettre en œuvre les démarches nécessaires au label référent RSA.",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)
    deposee_at = models.DateTimeField("déposée le", null=True, blank=True)
    etat_depuis = models.DateTimeField("dans cet état depuis", default=timezone.now)
    decision_at = models.DateTimeField("décidée le", null=True, blank=True)
    # A correction request reopens named sections and remembers where the instruction stood.
    sections_ouvertes = models.JSONField("parties à corriger", default=list, blank=True)
    etat_avant_correction = models.CharField(max_length=20, choices=EtatCandidature.choices, blank=True)
    # Instruction
    recevabilite = models.JSONField("recevabilité", default=dict, blank=True)
    coherence = models.JSONField("cohérence du projet", default=dict, blank=True)
    analyse_financiere = models.TextField("analyse financière", blank=True)
    validation_slai = models.CharField(
        "validation du chef de SLAI", max_length=20, choices=ValidationSlai.choices, blank=True
    )
    avis_slai = models.CharField("avis du SLAI", max_length=20, choices=AvisSlai.choices, blank=True)
    commentaire_slai = models.TextField("commentaire du SLAI", blank=True)
    avis_slai_at = models.DateTimeField(null=True, blank=True)
    avis_slai_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # DPID proposal to the Commission Permanente
    montant_propose = models.DecimalField("montant proposé", null=True, blank=True, **MONEY)
    places_proposees = models.PositiveIntegerField("places proposées", null=True, blank=True)
    etp_propose = models.DecimalField("ETP proposés", max_digits=6, decimal_places=2, null=True, blank=True)
    acte_propose = models.CharField("acte proposé", max_length=20, choices=Acte.choices, blank=True)
    modele_acte = models.CharField(
        "modèle d'acte",
        max_length=60,
        blank=True,
        help_text="Par exemple « Modèle d'avenant n° 9 » ou « Convention type ».",
    )
    motif_proposition = models.TextField("motivation de la proposition", blank=True)
    proposee_at = models.DateTimeField("proposée le", null=True, blank=True)

    objects = CandidatureQuerySet.as_manager()

    class Meta:
        verbose_name = "candidature"
        verbose_name_plural = "candidatures"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["etat", "territoire"]),
            models.Index(fields=["dispositif", "etat"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "territoire", "structure", "action"],
                name="aap_candidature_unique",
                violation_error_message="Votre structure a déjà une candidature pour cette action de ce dispositif "
                "sur ce territoire.",
            ),
            models.CheckConstraint(
                # A draft withdrawn before its deposit has no deposit date.
                condition=Q(etat__in=[EtatCandidature.BROUILLON, EtatCandidature.RETIREE])
                | Q(deposee_at__isnull=False),
                name="aap_candidature_deposee_has_date",
                violation_error_message="Une candidature déposée a une date de dépôt.",
            ),
            models.CheckConstraint(
                condition=~Q(etat__in=list(DECIDED)) | Q(decision_at__isnull=False),
                name="aap_candidature_decidee_has_date",
                violation_error_message="Une candidature décidée a une date de décision.",
            ),
            models.CheckConstraint(
                condition=~Q(etat__in=[EtatCandidature.PROPOSEE, EtatCandidature.RETENUE])
                | Q(proposee_at__isnull=False, montant_propose__isnull=False),
                name="aap_candidature_proposee_has_amount",
                violation_error_message="Une candidature proposée a un montant et une date de proposition.",
            ),
        ]

    def __str__(self):
        suffix = f" (action {self.action})" if self.action > 1 else ""
        return f"{self.dispositif.code} – {self.structure} – {self.territoire}{suffix}"

    def get_absolute_url(self):
        return reverse("aap:candidature_detail", args=[self.pk])

    @property
    def appel(self):
        return self.dispositif.appel

    @property
    def is_editable(self):
        return self.etat in (EtatCandidature.BROUILLON, EtatCandidature.CORRECTION)

    def section_is_open(self, section) -> bool:
        if self.etat == EtatCandidature.BROUILLON:
            return True
        return self.etat == EtatCandidature.CORRECTION and section in self.sections_ouvertes

    @property
    def is_closed(self):
        return self.etat in CLOSED

    def budget_amounts(self) -> dict:
        return {line.compte: line.montant for line in self.lignes_budget.all()}

    @property
    def volume_display(self) -> str:
        """« 166 places · 2,38 ETP financés · 400 diagnostics », only the parts filled in."""
        from portal.core.formats import format_number

        parts = []
        if self.places:
            parts.append(f"{self.places} places")
        if self.etp:
            parts.append(f"{format_number(self.etp, 2)} ETP {'financés' if self.etp_finances else 'valorisés'}")
        if self.diagnostics:
            parts.append(f"{self.diagnostics} diagnostics")
        if self.beneficiaires:
            parts.append(f"{self.beneficiaires} participants")
        return " · ".join(parts)

    def budget_summary(self):
        return budget.summarize(
            self.budget_amounts(),
            places=self.places,
            beneficiaires=self.beneficiaires,
            bassin_minier=self.territoire.bassin_minier,
        )


class LigneBudget(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="lignes_budget")
    compte = models.CharField("compte", max_length=20, choices=list(budget.ACCOUNTS.items()))
    precision = models.CharField("précision", max_length=200, blank=True)
    montant = models.DecimalField("montant", **MONEY)

    class Meta:
        verbose_name = "ligne du budget prévisionnel"
        verbose_name_plural = "budget prévisionnel"
        ordering = ["candidature", "compte"]
        constraints = [
            models.UniqueConstraint(fields=["candidature", "compte"], name="aap_ligne_budget_unique"),
            models.CheckConstraint(
                condition=Q(montant__gte=0),
                name="aap_ligne_budget_positive",
                violation_error_message="Un montant ne peut pas être négatif.",
            ),
        ]

    def __str__(self):
        return f"{self.get_compte_display()} : {self.montant}"


def _upload_to(instance, filename):
    # Private storage: served only through a permission-checked view (portal.core.uploads). The
    # forms rename each upload after its detected type; the stored name is random and keeps an
    # extension only if it is one of a detected type (never `.html`, `.exe`).
    import uuid

    from portal.core.uploads import stored_extension

    return f"aap/candidatures/{instance.candidature_id}/{uuid.uuid4().hex}.{stored_extension(filename)}"


class Personnel(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="personnels")
    nom = models.CharField("nom et prénom", max_length=150)
    fonction = models.CharField("fonction", max_length=150)
    qualification = models.CharField("diplôme ou expérience", max_length=250, blank=True)
    etp = models.DecimalField("ETP sur l'action", max_digits=4, decimal_places=2)
    cv = models.FileField("CV", upload_to=_upload_to, blank=True)
    cv_nom = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name = "personnel affecté"
        verbose_name_plural = "personnel affecté"
        ordering = ["candidature", "nom"]
        constraints = [
            models.CheckConstraint(
                condition=Q(etp__gt=0, etp__lte=1),
                name="aap_personnel_etp",
                violation_error_message="L'ETP d'une personne est compris entre 0 et 1.",
            )
        ]

    def __str__(self):
        return self.nom


class PieceJointe(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="pieces")
    nature = models.CharField("pièce", max_length=250)
    fichier = models.FileField("fichier", upload_to=_upload_to)
    nom_original = models.CharField("nom du fichier", max_length=200)
    taille = models.PositiveIntegerField("taille (octets)")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["candidature", "nature", "uploaded_at"]

    def __str__(self):
        return f"{self.nature} ({self.nom_original})"


class TransitionCandidature(TransitionLog):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField("état de départ", max_length=20, choices=EtatCandidature.choices)
    vers = models.CharField("nouvel état", max_length=20, choices=EtatCandidature.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape de la candidature"
        verbose_name_plural = "historique de la candidature"


class DemandeCorrection(models.Model):
    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="corrections")
    motif = models.CharField("motif", max_length=20, choices=MotifCorrection.choices)
    sections = models.JSONField("parties à corriger", default=list)
    message = models.TextField("précisions pour la structure")
    demandee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    demandee_at = models.DateTimeField("demandée le", auto_now_add=True)
    corrigee_at = models.DateTimeField("corrigée le", null=True, blank=True)

    class Meta:
        verbose_name = "demande de correction"
        verbose_name_plural = "demandes de correction"
        ordering = ["-demandee_at"]

    def __str__(self):
        return f"Correction ({self.get_motif_display()})"

    @property
    def sections_display(self):
        labels = dict(Section.choices)
        return [labels.get(code, code) for code in self.sections]


class Annotation(models.Model):
    """A private note of the instructors: the structure never sees it."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="annotations")
    auteur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    texte = models.TextField("annotation")
    created_at = models.DateTimeField("écrite le", auto_now_add=True)

    class Meta:
        verbose_name = "annotation privée"
        verbose_name_plural = "annotations privées"
        ordering = ["created_at"]

    def __str__(self):
        return self.texte[:60]


class DemandeAvis(models.Model):
    """An instructor asks another agent for an opinion, with a due date."""

    candidature = models.ForeignKey(Candidature, on_delete=models.CASCADE, related_name="demandes_avis")
    demandee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    destinataire = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="agent sollicité", on_delete=models.PROTECT, related_name="avis_aap"
    )
    question = models.TextField("question")
    echeance = models.DateField("avis attendu pour le")
    reponse = models.TextField("avis", blank=True)
    rendu_at = models.DateTimeField("rendu le", null=True, blank=True)
    created_at = models.DateTimeField("demandé le", auto_now_add=True)

    class Meta:
        verbose_name = "demande d'avis"
        verbose_name_plural = "demandes d'avis"
        ordering = ["echeance", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rendu_at__isnull=True) | ~Q(reponse=""),
                name="aap_avis_rendu_has_text",
                violation_error_message="Un avis rendu a un contenu.",
            )
        ]

    def __str__(self):
        return f"Avis demandé à {self.destinataire}"
