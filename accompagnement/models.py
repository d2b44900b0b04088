from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from accompagnement.enums import (
    ModeEntretien,
    NatureEntretien,
    Presence,
    Sexe,
    SourceOrientation,
    StatutDroits,
    TypeCer,
)

numero_caf_validator = RegexValidator(r"^\d{7,13}$", "Le N° CAF comporte de 7 à 13 chiffres.")
SECRET_HINT = (
    "Secret professionnel : n'écrivez que ce qui est nécessaire à l'accompagnement (pas de diagnostic médical, "
    "de traitement, d'addiction ni d'antécédent judiciaire)."
)


class TypeAccompagnement(models.Model):
    """A kind of accompaniment and its caseload ratio, configurable per Département (seeds 000,
    002, 003): 1 ETP = 250 places in référent solidarité, 55 to 70 in the équilibré accompaniment."""

    code = models.SlugField("code", max_length=30, unique=True)
    libelle = models.CharField("intitulé", max_length=150, unique=True)
    places_par_etp = models.DecimalField(
        "places par ETP (plafond)", max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("1"))]
    )
    places_par_etp_min = models.DecimalField(
        "places par ETP (minimum attendu)", max_digits=6, decimal_places=1, null=True, blank=True
    )
    delai_premier_rdv_jours = models.PositiveSmallIntegerField(
        "premier rendez-vous dans les (jours)", null=True, blank=True
    )
    delai_cer_mois = models.PositiveSmallIntegerField("CER signé dans les (mois)", default=2)
    actif = models.BooleanField("proposé aux orientations", default=True)

    class Meta:
        verbose_name = "type d'accompagnement"
        verbose_name_plural = "types d'accompagnement"
        ordering = ["libelle"]

    def __str__(self):
        return self.libelle


class BeneficiaireQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A referent: the people of their own caseload; a structure: the people oriented to it;
        SLAI: the people of its territory; DPID, managers and admins: all."""
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_referent:
            if not scope.referent_id:
                return self.none()
            return self.filter(orientations__referent_id=scope.referent_id).distinct()
        if scope.is_responsable:
            return self.filter(orientations__structure_id=scope.structure_id).distinct()
        if scope.is_slai:
            return self.filter(territoire_id=scope.territoire_id)
        return self.none()


class Beneficiaire(models.Model):
    """A beneficiary of the RSA (BRSA). Only what the accompaniment needs (data minimisation)."""

    numero_caf = models.CharField("N° CAF", max_length=13, unique=True, validators=[numero_caf_validator])
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    code_postal = models.CharField("code postal", max_length=5)
    commune = models.CharField("commune", max_length=120)
    territoire = models.ForeignKey(
        "referentiels.Territoire", verbose_name="territoire (SLAI)", on_delete=models.PROTECT, related_name="+"
    )
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    statut_droits = models.CharField(
        "droits RSA", max_length=20, choices=StatutDroits.choices, default=StatutDroits.OUVERTS
    )
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = BeneficiaireQuerySet.as_manager()

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["nom", "prenom"]
        indexes = [models.Index(fields=["territoire", "nom"]), models.Index(fields=["nom", "prenom"])]

    def __str__(self):
        return f"{self.prenom} {self.nom} (N° CAF {self.numero_caf})"

    def get_absolute_url(self):
        return reverse("accompagnement:beneficiaire_detail", args=[self.pk])


class OrientationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A referent: orientations assigned to them; a structure: those made to it; SLAI:
        those of its territory's beneficiaries; DPID, managers and admins: all."""
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_referent:
            return self.filter(referent_id=scope.referent_id) if scope.referent_id else self.none()
        if scope.is_responsable:
            return self.filter(structure_id=scope.structure_id)
        if scope.is_slai:
            return self.filter(beneficiaire__territoire_id=scope.territoire_id)
        return self.none()

    def actives(self):
        return self.filter(date_fin__isnull=True)


class Orientation(models.Model):
    """The SLAI orients a beneficiary to a structure and a kind of accompaniment; the structure
    assigns a referent. Identified by N° CAF + structure + date (re-imports create no duplicate)."""

    beneficiaire = models.ForeignKey(Beneficiaire, on_delete=models.PROTECT, related_name="orientations")
    structure = models.ForeignKey("referentiels.Structure", on_delete=models.PROTECT, related_name="orientations")
    type_accompagnement = models.ForeignKey(
        TypeAccompagnement, verbose_name="type d'accompagnement", on_delete=models.PROTECT
    )
    date_orientation = models.DateField("date d'orientation")
    referent = models.ForeignKey(
        "referentiels.Referent",
        verbose_name="référent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orientations",
    )
    date_affectation = models.DateField("affecté le", null=True, blank=True)
    date_fin = models.DateField("fin de l'accompagnement", null=True, blank=True)
    source = models.CharField("origine", max_length=10, choices=SourceOrientation.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)

    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation"
        verbose_name_plural = "orientations"
        ordering = ["-date_orientation", "pk"]
        indexes = [
            models.Index(fields=["structure", "date_fin"]),
            models.Index(fields=["referent", "date_fin"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiaire", "structure", "date_orientation"], name="orientation_unique_caf_structure_date"
            ),
            models.CheckConstraint(
                condition=Q(referent__isnull=True) | Q(date_affectation__isnull=False),
                name="orientation_referent_has_date",
                violation_error_message="Une affectation à un référent a une date.",
            ),
        ]

    def __str__(self):
        return f"Orientation de {self.beneficiaire} vers {self.structure} le {self.date_orientation:%d/%m/%Y}"


class ImportOrientations(models.Model):
    """An uploaded CSV file, its validation report, and whether it was applied."""

    fichier = models.FileField("fichier", upload_to="imports/orientations/%Y/")
    nom_fichier = models.CharField("nom du fichier", max_length=255)
    rapport = models.JSONField("rapport de validation", default=dict)
    applique_le = models.DateTimeField("importé le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        verbose_name = "import d'orientations"
        verbose_name_plural = "imports d'orientations"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Import {self.nom_fichier} du {self.created_at:%d/%m/%Y}"


class FollowUpQuerySet(models.QuerySet):
    """Interviews and CERs: the same scope as the orientation they belong to."""

    def visible_to(self, user):
        return self.filter(orientation__in=Orientation.objects.visible_to(user))


class Entretien(models.Model):
    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="entretiens")
    date = models.DateField("date")
    mode = models.CharField("mode", max_length=20, choices=ModeEntretien.choices)
    nature = models.CharField("nature", max_length=20, choices=NatureEntretien.choices)
    presence = models.CharField("présence", max_length=20, choices=Presence.choices)
    note = models.TextField("note brève", blank=True, help_text=SECRET_HINT)
    prochain_rdv = models.DateField("prochain rendez-vous", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "entretien"
        verbose_name_plural = "entretiens"
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["orientation", "date"])]

    def __str__(self):
        return f"{self.get_nature_display()} du {self.date:%d/%m/%Y}"


class ProcedureSuspension(models.Model):
    """Opened for the SLAI after an unjustified absence (seed 000: procedure after 1 absence)."""

    entretien = models.OneToOneField(Entretien, on_delete=models.CASCADE, related_name="procedure_suspension")
    ouverte_le = models.DateField("ouverte le")
    traitee_le = models.DateField("traitée par le SLAI le", null=True, blank=True)

    class Meta:
        verbose_name = "procédure de suspension"
        verbose_name_plural = "procédures de suspension"

    def __str__(self):
        return f"Procédure de suspension – {self.entretien.orientation.beneficiaire}"


class Cer(models.Model):
    """Contrat d'engagement réciproque (6 months), with its actions."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="cers")
    type = models.CharField("type de CER", max_length=20, choices=TypeCer.choices)
    date_edition = models.DateField("date d'édition")
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    remarque = models.TextField(
        "remarque",
        help_text="Brève : la cohérence entre la situation et les actions. " + SECRET_HINT,
    )
    signe_le = models.DateField("signé le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "CER"
        verbose_name_plural = "CER"
        ordering = ["date_debut", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gt=models.F("date_debut")),
                name="cer_fin_apres_debut",
                violation_error_message="La fin du CER suit son début.",
            )
        ]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date_debut:%d/%m/%Y} au {self.date_fin:%d/%m/%Y}"


class CerAction(models.Model):
    cer = models.ForeignKey(Cer, on_delete=models.CASCADE, related_name="actions")
    intitule = models.CharField("intitulé", max_length=200)
    date_debut = models.DateField("début")
    date_fin = models.DateField("fin")
    detail = models.TextField("détail", help_text=SECRET_HINT)
    insertion_professionnelle = models.BooleanField("vise l'insertion professionnelle", default=False)

    class Meta:
        verbose_name = "action du CER"
        verbose_name_plural = "actions du CER"
        ordering = ["date_debut", "pk"]

    def __str__(self):
        return self.intitule
