from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.accounts.enums import Role
from portal.referentiels.enums import FormeJuridique, TypeAccompagnement
from portal.referentiels.validators import validate_siret

code_postal_validator = RegexValidator(r"^\d{5}$", "Le code postal doit comporter 5 chiffres.")
telephone_validator = RegexValidator(
    r"^\+?[\d .-]{10,20}$", "Numéro de téléphone invalide (10 chiffres, espaces autorisés)."
)


class SecteurDpid(models.Model):
    """One of the four DPID contact sectors grouping the SLAI territories (seed 000)."""

    nom = models.CharField("nom", max_length=120, unique=True)

    class Meta:
        verbose_name = "secteur DPID"
        verbose_name_plural = "secteurs DPID"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class TerritoireQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The nine territories are a public referential for every signed-in user."""
        return self if user.scope.is_authenticated else self.none()


class Territoire(models.Model):
    """A SLAI territory (Service Local Allocation Insertion)."""

    code = models.SlugField("code", max_length=40, unique=True)
    nom = models.CharField("nom", max_length=80, unique=True)
    secteur = models.ForeignKey(SecteurDpid, verbose_name="secteur DPID", on_delete=models.PROTECT)
    bassin_minier = models.BooleanField(
        "bassin minier", default=False, help_text="Territoire éligible au cofinancement FTJ."
    )

    objects = TerritoireQuerySet.as_manager()

    class Meta:
        verbose_name = "territoire"
        verbose_name_plural = "territoires"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


def scope_by_structure(queryset, user, path="structure"):
    """The scope of records that belong to a structure (through `path`): its members see their
    structure's, SLAI agents those of structures working on their territory, DPID agents,
    managers and admins all of them. One rule, used by every such model family."""
    scope = user.scope
    if scope.sees_departement:
        return queryset
    if scope.is_structure_member:
        return queryset.filter(**{f"{path}_id": scope.structure_id})
    if scope.is_slai:
        return queryset.filter(**{f"{path}__territoires": scope.territoire_id})
    return queryset.none()


class StructureQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure members: their own structure; SLAI: structures working on their territory;
        DPID, managers and admins: all."""
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_structure_member:
            return self.filter(pk=scope.structure_id)
        if scope.is_slai:
            return self.filter(territoires=scope.territoire_id)
        return self.none()


class Structure(models.Model):
    """A partner structure (porteur de projet), identified by its SIRET."""

    nom = models.CharField("nom", max_length=200)
    forme_juridique = models.CharField("forme juridique", max_length=20, choices=FormeJuridique.choices)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        unique=True,
        validators=[validate_siret],
        help_text="14 chiffres, sans espace.",
        error_messages={"unique": "Une structure avec ce SIRET existe déjà."},
    )
    adresse = models.CharField("adresse", max_length=250)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    commune = models.CharField("commune", max_length=120)
    territoires = models.ManyToManyField(
        Territoire,
        verbose_name="territoires d'intervention",
        related_name="structures",
        help_text="Territoires SLAI sur lesquels la structure intervient.",
    )
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    updated_at = models.DateTimeField("modifiée le", auto_now=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        verbose_name_plural = "structures"
        ordering = ["nom"]
        indexes = [models.Index(fields=["nom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(siret__regex=r"^\d{14}$"),
                name="structure_siret_14_digits",
                violation_error_message="Le SIRET doit comporter 14 chiffres.",
            )
        ]

    def __str__(self):
        return self.nom

    def get_absolute_url(self):
        return reverse("referentiels:structure_detail", args=[self.pk])


class Contact(models.Model):
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    nom = models.CharField("nom et prénom", max_length=150)
    fonction = models.CharField("fonction", max_length=150, blank=True)
    email = models.EmailField("adresse e-mail", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True, validators=[telephone_validator])

    class Meta:
        verbose_name = "contact"
        verbose_name_plural = "contacts"
        ordering = ["nom"]

    def __str__(self):
        return self.nom


class ReferentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A referent: their own record; a structure: its referents; SLAI: referents of the
        structures working on its territory; DPID, managers and admins: all."""
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_referent:
            return self.filter(pk=scope.referent_id) if scope.referent_id else self.none()
        if scope.is_responsable:
            return self.filter(structure_id=scope.structure_id)
        if scope.is_slai:
            return self.filter(structure__territoires=scope.territoire_id)
        return self.none()

    def actifs(self):
        return self.filter(date_depart__isnull=True)


class Referent(models.Model):
    """A professional of a structure who accompanies RSA beneficiaries."""

    structure = models.ForeignKey(
        Structure, verbose_name="structure", on_delete=models.PROTECT, related_name="referents"
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte utilisateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="referent",
        limit_choices_to={"role": Role.REFERENT},
    )
    nom = models.CharField("nom", max_length=150)
    prenom = models.CharField("prénom", max_length=150)
    email = models.EmailField("adresse e-mail professionnelle", blank=True)
    etp = models.DecimalField(
        "ETP",
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="Équivalent temps plein consacré à l'accompagnement RSA (ex. 0,8).",
    )
    type_accompagnement = models.CharField(
        "type d'accompagnement",
        max_length=20,
        choices=TypeAccompagnement.choices,
        help_text="Un référent travaille de préférence sur un seul type d'accompagnement.",
    )
    date_arrivee = models.DateField("date d'arrivée")
    date_depart = models.DateField("date de départ", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = ReferentQuerySet.as_manager()

    class Meta:
        verbose_name = "référent"
        verbose_name_plural = "référents"
        ordering = ["nom", "prenom"]
        indexes = [models.Index(fields=["structure", "nom"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(etp__gt=0) & Q(etp__lte=1),
                name="referent_etp_between_0_and_1",
                violation_error_message="L'ETP doit être compris entre 0 (exclu) et 1.",
            ),
            models.CheckConstraint(
                condition=Q(date_depart__isnull=True) | Q(date_depart__gte=models.F("date_arrivee")),
                name="referent_depart_after_arrivee",
                violation_error_message="La date de départ ne peut pas précéder la date d'arrivée.",
            ),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom}"

    @property
    def nom_complet(self):
        return f"{self.prenom} {self.nom}"
