from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from portal.accounts.enums import Role
from portal.accounts.managers import UserManager
from portal.accounts.scope import Scope


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address; one role, tied to a structure or a territory."""

    email = models.EmailField("adresse e-mail", unique=True)
    first_name = models.CharField("prénom", max_length=150, blank=True)
    last_name = models.CharField("nom", max_length=150, blank=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structure = models.ForeignKey(
        "referentiels.Structure",
        verbose_name="structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="membres",
        help_text="Obligatoire pour un responsable ou un référent de structure.",
    )
    territoire = models.ForeignKey(
        "referentiels.Territoire",
        verbose_name="territoire (SLAI)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agents",
        help_text="Obligatoire pour un agent SLAI.",
    )
    is_active = models.BooleanField("actif", default=True)
    is_staff = models.BooleanField("accès à l'administration technique", default=False)
    date_joined = models.DateTimeField("date de création", default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=(Q(role__in=[Role.RESPONSABLE, Role.REFERENT]) & Q(structure__isnull=False))
                | (~Q(role__in=[Role.RESPONSABLE, Role.REFERENT]) & Q(structure__isnull=True)),
                name="user_structure_iff_structure_role",
                violation_error_message="Une structure est requise pour un responsable ou un référent, "
                "et seulement pour eux.",
            ),
            models.CheckConstraint(
                condition=(Q(role=Role.SLAI) & Q(territoire__isnull=False))
                | (~Q(role=Role.SLAI) & Q(territoire__isnull=True)),
                name="user_territoire_iff_slai",
                violation_error_message="Un territoire est requis pour un agent SLAI, et seulement pour lui.",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    @property
    def scope(self):
        return Scope.of(self)
