import datetime
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse

from accompagnement.enums import (
    CATEGORIE_DU_MOTIF,
    CategorieSortie,
    DecisionSuspension,
    EtatDemande,
    ModeEntretien,
    MomentDiagnostic,
    MotifSortie,
    NatureEntretien,
    PhaseCerp,
    Presence,
    Sexe,
    SourceOrientation,
    StatutDroits,
    StatutPrescription,
    TypeCer,
)
from portal.core.dates import add_months
from portal.core.formats import de, format_count, format_date, mois_fr
from portal.referentiels.models import scope_by_structure

numero_caf_validator = RegexValidator(r"^\d{7,13}$", "Le N° CAF comporte de 7 à 13 chiffres.")
SECRET_HINT = (  # a help text about professional secrecy, not a password
    "Secret professionnel : n'écrivez que ce qui est nécessaire à l'accompagnement (pas de diagnostic médical, "  # nosec B105
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
    delai_cer_jours = models.PositiveSmallIntegerField(
        "CER signé dans les (jours)",
        null=True,
        blank=True,
        help_text="Remplace le délai en mois quand il est renseigné (accompagnement équilibré : le contrat est "
        "signé pendant la phase d'accueil de 15 jours, seed 003 l. 462).",
    )
    duree_cer_mois = models.PositiveSmallIntegerField(
        "durée d'un CER (mois)",
        null=True,
        blank=True,
        help_text="La fin d'un CER suit de cette durée son début ; une fin plus tardive est refusée (vide : la "
        "durée dépend de l'étape, comme pour les CERP des travailleurs indépendants).",
    )
    rdv_physiques = models.PositiveSmallIntegerField(
        "rendez-vous physiques attendus sur l'accompagnement", null=True, blank=True
    )
    actif = models.BooleanField("proposé aux orientations", default=True)

    class Meta:
        verbose_name = "type d'accompagnement"
        verbose_name_plural = "types d'accompagnement"
        ordering = ["libelle"]

    def __str__(self):
        return self.libelle

    def date_limits(self, date_orientation) -> dict:
        """The due dates an orientation of this kind starts with (stored on the orientation so that
        deadlines and indicators filter in the database, and a later change of the rule does not
        rewrite past deadlines)."""
        return {
            "date_limite_cer": date_orientation + datetime.timedelta(days=self.delai_cer_jours)
            if self.delai_cer_jours
            else add_months(date_orientation, self.delai_cer_mois),
            "date_limite_premier_rdv": date_orientation + datetime.timedelta(days=self.delai_premier_rdv_jours)
            if self.delai_premier_rdv_jours
            else None,
        }


class BeneficiaireQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A referent: the people of their own caseload; a structure: the people oriented to it;
        SLAI: the people of its territory; DPID, managers and admins: all. Archived records
        (retention) are the DPID's alone."""
        scope = user.scope
        if scope.is_dpid:
            return self
        if scope.sees_departement:
            return self.filter(archive_le__isnull=True)
        current = self.filter(archive_le__isnull=True)
        if scope.is_referent:
            if not scope.referent_id:
                return self.none()
            return current.filter(orientations__referent_id=scope.referent_id).distinct()
        if scope.is_responsable:
            return current.filter(orientations__structure_id=scope.structure_id).distinct()
        if scope.is_slai:
            return current.filter(territoire_id=scope.territoire_id)
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
    # Retention: archived (out of every list but the DPID's) a configurable time after the exit,
    # then purged (see accompagnement.retention).
    archive_le = models.DateField("archivé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = BeneficiaireQuerySet.as_manager()

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["nom", "prenom"]
        indexes = [
            models.Index(fields=["territoire", "nom"]),
            models.Index(fields=["nom", "prenom"]),
            # Scoping a SLAI's records (`orientation__in` its territory's) probes one beneficiary per
            # row: read from this index alone, without the table (page "À traiter").
            models.Index(fields=["id"], include=["territoire", "archive_le"], name="beneficiaire_scope"),
            # The archived people, few: a caseload leaves them out with an anti-join on this index
            # (`OrientationQuerySet.visible_to`) instead of joining every person of the scope.
            models.Index(fields=["id"], condition=Q(archive_le__isnull=False), name="beneficiaire_archivee"),
        ]

    def __str__(self):
        return f"{self.prenom} {self.nom} (N° CAF {self.numero_caf})"

    def get_absolute_url(self):
        return reverse("accompagnement:beneficiaire_detail", args=[self.pk])

    @property
    def nom_complet(self):
        return f"{self.prenom} {self.nom}"


def sans_referent_q(today=None):
    """No referent, or one who has left (leaving date reached): from that day the person is
    "sans référent" for the structure, and the former referent no longer sees them."""
    from django.utils import timezone

    return Q(referent__isnull=True) | Q(referent__date_depart__lte=today or timezone.localdate())


def caseload_scope(queryset, user, *, current, territoire):
    """The scope of a caseload's rows (orientations, kept indicator figures): a referent their
    own, a structure its own, SLAI its territory's people (`territoire`: the lookup of the
    person's territory), DPID everything; managers and admins everything but archived people
    (`current`: the condition of a row about a person not archived), as for every role but DPID."""
    scope = user.scope
    if scope.is_dpid:
        return queryset
    current = queryset.filter(current)
    if scope.sees_departement:
        return current
    if scope.is_referent:
        return current.filter(referent_id=scope.referent_id) if scope.referent_id else queryset.none()
    if scope.is_responsable:
        return current.filter(structure_id=scope.structure_id)
    if scope.is_slai:
        return current.filter(**{territoire: scope.territoire_id})
    return queryset.none()


class OrientationQuerySet(models.QuerySet):
    def sans_referent(self, today=None):
        return self.filter(sans_referent_q(today))

    def visible_to(self, user):
        """A referent: orientations assigned to them; a structure: those made to it; SLAI:
        those of its territory's beneficiaries; DPID, managers and admins: all. Archived people's
        orientations are the DPID's alone. The person's territory is the one stored on the
        orientation (`Orientation.territoire`), so that a SLAI reads its territory's rows alone
        from an index; an archived person is left out by an anti-join on the few archived people
        (the same rows as a join on every person, without reading them)."""
        return caseload_scope(self, user, current=~Exists(archived_person()), territoire="territoire_id")

    def bulk_create(self, objs, *args, **kwargs):
        """Bulk loads (import, demo, seed_scale, tests) give orientations their person's territory
        here, as `signals.orientation_territory` does for one saved through the ORM: from the person
        given with the orientation, else from one query for them all."""
        objs = list(objs)
        missing = []
        for orientation in objs:
            if orientation.territoire_id is None:
                if Orientation.beneficiaire.is_cached(orientation):
                    orientation.territoire_id = orientation.beneficiaire.territoire_id
                else:
                    missing.append(orientation)
        if missing:
            territories = dict(
                Beneficiaire.objects.filter(pk__in={orientation.beneficiaire_id for orientation in missing})
                .order_by()
                .values_list("pk", "territoire_id")
            )
            for orientation in missing:
                orientation.territoire_id = territories.get(orientation.beneficiaire_id)
        return super().bulk_create(objs, *args, **kwargs)

    def actives(self):
        return self.filter(date_fin__isnull=True)

    def refresh_premiers(self):
        """Recompute the stored first dates (first signed CER, first attended interview, first
        attended "premier" appointment) of these orientations from their CERs and interviews: one
        UPDATE. Called by the signals on `Cer` and `Entretien` (every save and delete through the
        ORM) and by the bulk loads that bypass them (demo, seed_scale, tests' bulk_create)."""
        return self.update(**premiers_expressions())


def archived_person():
    """The orientation's person, if archived (for `~Exists(...)` in an orientation's filter)."""
    return Beneficiaire.objects.filter(pk=OuterRef("beneficiaire_id"), archive_le__isnull=False)


def premiers_expressions() -> dict:
    """The stored first dates of an orientation, as subqueries on its CERs and interviews."""
    from django.db.models import Min, OuterRef, Subquery

    def first(model, field, **conditions):
        rows = model.objects.filter(orientation=OuterRef("pk"), **conditions).order_by().values("orientation")
        return Subquery(rows.annotate(first=Min(field)).values("first")[:1])

    return {
        "premier_cer_le": first(Cer, "signe_le", signe_le__isnull=False),
        "premier_present_le": first(Entretien, "date", presence=Presence.PRESENT),
        "premier_rdv_le": first(Entretien, "date", presence=Presence.PRESENT, nature=NatureEntretien.PREMIER),
        "renouvellement_attendu_depuis": first(Cer, "date_debut", **RENEWAL_AWAITED),
    }


# A signed CER still running, neither renewed nor with a renewal request: its renewal request is
# due at 5 months (the caseload's "late first" order, `accompagnement.selectors.late_condition`).
RENEWAL_AWAITED = {
    "signe_le__isnull": False,
    "cloture_le__isnull": True,
    "demande_renouvellement__isnull": True,
    "renouvellements__isnull": True,
}


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
    # Set from the kind's rules when the orientation is made (TypeAccompagnement.date_limits).
    date_limite_cer = models.DateField("CER à signer avant le")
    date_limite_premier_rdv = models.DateField("premier rendez-vous avant le", null=True, blank=True)
    source = models.CharField("origine", max_length=10, choices=SourceOrientation.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    # Kept from the CERs and interviews (`OrientationQuerySet.refresh_premiers`, signals in
    # accompagnement/signals.py): the indicators, the "late first" order of the caseloads and the
    # deadlines read these columns instead of a subquery per orientation.
    premier_cer_le = models.DateField("premier CER signé le", null=True, blank=True, editable=False)
    premier_present_le = models.DateField("premier entretien honoré le", null=True, blank=True, editable=False)
    premier_rdv_le = models.DateField("premier rendez-vous honoré le", null=True, blank=True, editable=False)
    # The start of the earliest signed CER still running with neither a renewal request nor a
    # renewal (`RENEWAL_AWAITED`), kept with the first dates: the caseloads' order reads it instead
    # of scanning every CER of the Département on each page.
    renouvellement_attendu_depuis = models.DateField(
        "CER sans demande de renouvellement, débuté le", null=True, blank=True, editable=False
    )
    # The person's territory (`Beneficiaire.territoire`), kept on each of their orientations
    # (`signals.orientation_territory`, `signals.person_territory`, `OrientationQuerySet.bulk_create`):
    # a SLAI's caseload and decisions read their territory's orientations from an index instead
    # of walking the Département's to keep one in nine.
    territoire = models.ForeignKey(
        "referentiels.Territoire",
        verbose_name="territoire de la personne (SLAI)",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # orientation_territoire_date begins with it
    )

    objects = OrientationQuerySet.as_manager()

    class Meta:
        verbose_name = "orientation"
        verbose_name_plural = "orientations"
        ordering = ["-date_orientation", "pk"]
        indexes = [
            # The scoping probes (a SLAI's: the territory) and the "still accompanied" filter, without the table.
            models.Index(fields=["id"], include=["beneficiaire", "date_fin", "territoire"], name="orientation_scope"),
            models.Index(fields=["structure", "date_fin"]),
            models.Index(fields=["referent", "date_fin"]),
            models.Index(fields=["date_orientation"]),
            models.Index(fields=["date_fin", "date_limite_cer"]),
            # The caseloads read a page of their active orientations in date order (late first,
            # then the others: `accompagnement.selectors.LateFirstKeys`), by structure, by referent
            # or across the Département; an index walk stops after the page's rows.
            models.Index(
                fields=["structure", "date_orientation", "id"],
                condition=Q(date_fin__isnull=True),
                name="orientation_active_structure",
            ),
            models.Index(
                fields=["referent", "date_orientation", "id"],
                condition=Q(date_fin__isnull=True),
                name="orientation_active_referent",
            ),
            models.Index(
                fields=["date_orientation", "id"], condition=Q(date_fin__isnull=True), name="orientation_active_date"
            ),
            # A SLAI's orientations of a period whatever their state (indicators, the people behind a figure).
            models.Index(fields=["territoire", "date_orientation"], name="orientation_territoire_date"),
            # A SLAI's caseload (the person's territory), with the person for the archived ones' anti-join.
            models.Index(
                fields=["territoire", "date_orientation", "id"],
                include=["beneficiaire"],
                condition=Q(date_fin__isnull=True),
                name="orientation_active_territoire",
            ),
            # The open deadlines: CER not yet signed, first appointment not yet held.
            models.Index(
                fields=["date_limite_cer"],
                condition=Q(date_fin__isnull=True, premier_cer_le__isnull=True),
                name="orientation_cer_a_signer",
            ),
            models.Index(
                fields=["date_limite_premier_rdv"],
                condition=Q(date_fin__isnull=True, premier_rdv_le__isnull=True, date_limite_premier_rdv__isnull=False),
                name="orientation_rdv_a_tenir",
            ),
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
        return f"Orientation {de(self.beneficiaire)} vers {self.structure} le {format_date(self.date_orientation)}"

    @property
    def referent_en_poste(self):
        """The referent, unless they have left (then the person is "sans référent")."""
        from django.utils import timezone

        referent = self.referent
        if referent is None or (referent.date_depart and referent.date_depart <= timezone.localdate()):
            return None
        return referent


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
        return f"Import {self.nom_fichier} du {format_date(self.created_at)}"


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
        indexes = [
            models.Index(fields=["orientation", "date"]),
            # The indicators' interviews of a month, whatever the orientation (indicateurs.concernees).
            models.Index(
                fields=["date"], condition=Q(presence="present", mode="physique"), name="entretien_physique_date"
            ),
            # The unjustified absences (indicators: "absentéistes", three times a page): 4 % of the
            # interviews, read without scanning the others.
            models.Index(fields=["orientation"], condition=Q(presence="absent"), name="entretien_absent_orientation"),
            # From a suspension procedure to its orientation without the table (page "À traiter").
            models.Index(fields=["id"], include=["orientation"], name="entretien_orientation"),
        ]

    def __str__(self):
        return f"{self.get_nature_display()} du {format_date(self.date)}"


class ParentOrientationQuerySet(FollowUpQuerySet):
    """For a model keeping its parent's orientation (`KeepsParentOrientation`): bulk loads (demo,
    tests) set it as `save()` does — always the parent's, whatever was given (the SLAI's scope of
    these rows rests on it) — from the parent given, else from one query for them all."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        parent = self.model._meta.get_field(self.model.orientation_parent)
        loose = {getattr(obj, parent.attname) for obj in objs if not parent.is_cached(obj)}
        orientations = dict(
            parent.related_model.objects.filter(pk__in=loose).order_by().values_list("pk", "orientation_id")
        )
        for obj in objs:
            if not parent.is_cached(obj):
                obj.orientation_id = orientations.get(getattr(obj, parent.attname))
            else:
                obj.keep_parent_orientation()
        return super().bulk_create(objs, *args, **kwargs)


class KeepsParentOrientation(models.Model):
    """A row hanging from an interview or a CER (`orientation_parent`) that keeps their orientation
    too — it never changes — so that the SLAI's pending rows ("À traiter", home counts) are read with
    their orientation from one index and scoped by a hash of the territory's orientations, where
    going through the parent probed one parent row per pending row of the Département."""

    orientation_parent = ""  # the field naming the parent (an Entretien or a Cer)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        # Always the parent's on creation, whatever was given: the SLAI's scope of these rows
        # (`visible_to`, "À traiter", the decision pages) rests on it. A parent never changes.
        if self._state.adding or self.orientation_id is None:
            self.keep_parent_orientation()
        super().save(*args, **kwargs)

    def keep_parent_orientation(self):
        parent_field = self._meta.get_field(self.orientation_parent)
        if parent_field.is_cached(self):
            parent = getattr(self, self.orientation_parent)
            if type(parent).orientation.is_cached(parent):  # maybe not saved yet: linked at insert
                self.orientation = parent.orientation
            else:
                self.orientation_id = parent.orientation_id
        else:
            parent_pk = getattr(self, parent_field.attname)
            model = parent_field.related_model
            self.orientation_id = model.objects.values_list("orientation_id", flat=True).get(pk=parent_pk)


class ProcedureQuerySet(ParentOrientationQuerySet):
    def a_traiter(self):
        return self.filter(traitee_le__isnull=True)


class ProcedureSuspension(KeepsParentOrientation):
    """Opened for the SLAI after an unjustified absence (seed 000: procedure after 1 absence)."""

    entretien = models.OneToOneField(Entretien, on_delete=models.CASCADE, related_name="procedure_suspension")
    orientation = models.ForeignKey(  # the interview's (`KeepsParentOrientation`)
        Orientation, on_delete=models.CASCADE, related_name="procedures_suspension", editable=False
    )
    ouverte_le = models.DateField("ouverte le")
    traitee_le = models.DateField("traitée par le SLAI le", null=True, blank=True)
    decision = models.CharField("décision du SLAI", max_length=20, choices=DecisionSuspension.choices, blank=True)
    commentaire = models.TextField("commentaire du SLAI", blank=True, help_text=SECRET_HINT)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ProcedureQuerySet.as_manager()
    orientation_parent = "entretien"

    class Meta:
        verbose_name = "procédure de suspension"
        verbose_name_plural = "procédures de suspension"
        indexes = [
            models.Index(fields=["traitee_le", "ouverte_le"]),
            # The procedures waiting for the SLAI, oldest first, read from the index alone ("À traiter").
            models.Index(
                fields=["ouverte_le", "id"],
                include=["orientation"],
                condition=Q(traitee_le__isnull=True),
                name="procedure_a_traiter",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(traitee_le__isnull=True) & Q(decision=""))
                | (Q(traitee_le__isnull=False) & ~Q(decision="")),
                name="suspension_decision_datee",
                violation_error_message="Une procédure traitée porte une décision et sa date.",
            )
        ]

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
    # Self-employed people sign CERPs whose duration depends on the step (accompagnement.cerp).
    phase_cerp = models.CharField("étape du CERP", max_length=20, choices=PhaseCerp.choices, blank=True)
    renouvelle = models.ForeignKey(
        "self",
        verbose_name="renouvellement du CER",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="renouvellements",
    )
    # Closure: the diagnostic is updated whatever comes next (seed 000 l. 153–154).
    cloture_le = models.DateField("clôturé le", null=True, blank=True)
    diagnostic_cloture = models.ForeignKey(
        "Diagnostic",
        verbose_name="diagnostic actualisé à la clôture",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "CER"
        verbose_name_plural = "CER"
        ordering = ["date_debut", "pk"]
        indexes = [
            models.Index(fields=["orientation", "signe_le"]),
            # From a CER to its orientation without the table (joins from its actions, requests).
            models.Index(fields=["id"], include=["orientation"], name="cer_orientation"),
            # The CERs signed since a day (the month's, on the manager's home), with their
            # orientation, without walking the (orientation, signe_le) index whole (EXPLAIN at
            # 105 000 people: 18 ms → under 2).
            models.Index(fields=["signe_le"], include=["orientation"], name="cer_signe_le"),
            # The open signed CERs of a caseload (renewal deadlines, deadlines page): read per
            # orientation from this index alone (index-only scan), not by scanning every open CER
            # of the Département (EXPLAIN at scale: 38 ms → 4 ms for a structure's list).
            models.Index(
                fields=["orientation", "date_debut", "id"],
                condition=Q(signe_le__isnull=False, cloture_le__isnull=True, phase_cerp=""),
                name="cer_signe_ouvert",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gt=models.F("date_debut")),
                name="cer_fin_apres_debut",
                violation_error_message="La fin du CER suit son début.",
            ),
            models.UniqueConstraint(
                fields=["orientation", "date_debut"],
                name="cer_un_par_debut",
                violation_error_message="Un CER commence déjà à cette date pour cet accompagnement.",
            ),
            models.CheckConstraint(
                condition=Q(cloture_le__isnull=True, diagnostic_cloture__isnull=True)
                | Q(cloture_le__isnull=False, diagnostic_cloture__isnull=False),
                name="cer_cloture_avec_diagnostic",
                violation_error_message="La clôture d'un CER s'accompagne du diagnostic actualisé.",
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} du {format_date(self.date_debut)} au {format_date(self.date_fin)}"

    def get_absolute_url(self):
        return reverse("accompagnement:cer_detail", args=[self.pk])


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


class Diagnostic(models.Model):
    """The 360° diagnostic: at entry, during, and mandatory at the final bilan and at every CER
    closure (seed 000 l. 57–61, 153)."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="diagnostics")
    date = models.DateField("date")
    moment = models.CharField("moment", max_length=20, choices=MomentDiagnostic.choices)
    freins = models.JSONField("freins identifiés", default=list, blank=True)  # codes of enums.Frein
    atouts = models.TextField("atouts, ressources de la personne", blank=True, help_text=SECRET_HINT)
    synthese = models.TextField("synthèse", help_text=SECRET_HINT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisi le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "diagnostic"
        verbose_name_plural = "diagnostics"
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["orientation", "date"])]

    def __str__(self):
        return f"Diagnostic ({self.get_moment_display().lower()}) du {format_date(self.date)}"


class Prescription(models.Model):
    """Fiche de prescription: the referent's argued orientation of the person toward an insertion
    action run by another structure (seed 000, "Respect des règles liées aux outils")."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="prescriptions")
    date = models.DateField("prescrite le")
    action = models.CharField("action d'insertion", max_length=200)
    organisme = models.CharField("structure prestataire", max_length=200)
    dispositif_departemental = models.BooleanField("dispositif financé par le Département", default=False)
    argumentaire = models.TextField("argumentaire", help_text=SECRET_HINT)
    statut = models.CharField(
        "suite donnée", max_length=20, choices=StatutPrescription.choices, default=StatutPrescription.PRESCRITE
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "fiche de prescription"
        verbose_name_plural = "fiches de prescription"
        ordering = ["date", "pk"]

    def __str__(self):
        return f"Prescription « {self.action} » du {format_date(self.date)}"


DECISION_CONSTRAINT = Q(etat=EtatDemande.DEPOSEE, decidee_le__isnull=True) | (
    ~Q(etat=EtatDemande.DEPOSEE) & Q(decidee_le__isnull=False)
)


class DemandeAuSlai(models.Model):
    """A request the SLAI decides (reorientation, renewal): its state and the decision."""

    etat = models.CharField("état", max_length=20, choices=EtatDemande.choices, default=EtatDemande.DEPOSEE)
    decision_motif = models.TextField("motif de la décision", blank=True)
    decidee_le = models.DateField("décidée le", null=True, blank=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        abstract = True


class DemandeReorientation(DemandeAuSlai):
    """The referent argues for another kind of accompaniment; the SLAI decides. Accepted, the
    current accompaniment ends (exit "réorientation") and a new orientation starts."""

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="demandes_reorientation")
    date_demande = models.DateField("demandée le")
    type_souhaite = models.ForeignKey(
        TypeAccompagnement, verbose_name="accompagnement proposé", on_delete=models.PROTECT, related_name="+"
    )
    structure_proposee = models.ForeignKey(
        "referentiels.Structure",
        verbose_name="structure proposée",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    argumentaire = models.TextField("argumentaire", help_text=SECRET_HINT)
    nouvelle_orientation = models.OneToOneField(
        Orientation, on_delete=models.SET_NULL, null=True, blank=True, related_name="issue_de_reorientation"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de réorientation"
        verbose_name_plural = "demandes de réorientation"
        ordering = ["date_demande", "pk"]
        indexes = [
            models.Index(fields=["etat", "date_demande"]),
            # The requests waiting for the SLAI, oldest first, read from the index alone ("À traiter").
            models.Index(
                fields=["date_demande", "id"],
                include=["orientation"],
                condition=Q(etat="deposee"),
                name="reorientation_deposee",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=DECISION_CONSTRAINT,
                name="reorientation_decision_datee",
                violation_error_message="Une demande décidée porte la date de la décision.",
            ),
            models.UniqueConstraint(
                fields=["orientation"],
                condition=Q(etat=EtatDemande.DEPOSEE),
                name="reorientation_une_en_attente",
                violation_error_message="Une demande de réorientation est déjà en attente pour cet accompagnement.",
            ),
        ]

    def __str__(self):
        return f"Demande de réorientation du {format_date(self.date_demande)} vers {self.type_souhaite}"


class DemandeRenouvellement(KeepsParentOrientation, DemandeAuSlai):
    """Renewal of a 6-month CER, requested at 5 months (seed 000 l. 62), decided by the SLAI."""

    cer = models.OneToOneField(Cer, on_delete=models.CASCADE, related_name="demande_renouvellement")
    orientation = models.ForeignKey(  # the CER's (`KeepsParentOrientation`)
        Orientation, on_delete=models.CASCADE, related_name="demandes_renouvellement", editable=False
    )
    date_demande = models.DateField("demandé le")
    argumentaire = models.TextField("argumentaire", help_text=SECRET_HINT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = ParentOrientationQuerySet.as_manager()
    orientation_parent = "cer"

    class Meta:
        verbose_name = "demande de renouvellement"
        verbose_name_plural = "demandes de renouvellement"
        ordering = ["date_demande", "pk"]
        indexes = [
            models.Index(fields=["etat", "date_demande"]),
            # The requests waiting for the SLAI, oldest first, read from the index alone ("À traiter").
            models.Index(
                fields=["date_demande", "id"],
                include=["orientation"],
                condition=Q(etat="deposee"),
                name="renouvellement_depose",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=DECISION_CONSTRAINT,
                name="renouvellement_decision_datee",
                violation_error_message="Une demande décidée porte la date de la décision.",
            )
        ]

    def __str__(self):
        return f"Demande de renouvellement du {self.cer}"


class ActiviteHebdomadaire(models.Model):
    """Hours of activity in a week, followed weekly in the équilibré accompaniment (target 15 h,
    seed 003 l. 462)."""

    CIBLE_HEURES = Decimal("15")

    orientation = models.ForeignKey(Orientation, on_delete=models.CASCADE, related_name="activites")
    semaine = models.DateField("semaine du (lundi)")
    heures = models.DecimalField(
        "heures d'activité",
        max_digits=4,
        decimal_places=1,
        validators=[MinValueValidator(Decimal("0"))],
    )
    commentaire = models.CharField("commentaire", max_length=300, blank=True, help_text=SECRET_HINT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "activité hebdomadaire"
        verbose_name_plural = "activités hebdomadaires"
        ordering = ["semaine", "pk"]
        indexes = [models.Index(fields=["semaine"], name="activite_semaine")]
        constraints = [
            models.UniqueConstraint(
                fields=["orientation", "semaine"],
                name="activite_une_par_semaine",
                violation_error_message="Les heures de cette semaine sont déjà saisies.",
            ),
            models.CheckConstraint(
                condition=Q(heures__gte=0) & Q(heures__lte=168),
                name="activite_heures_bornees",
                violation_error_message="Une semaine compte entre 0 et 168 heures.",
            ),
        ]

    def __str__(self):
        return f"{format_count(self.heures)} h la semaine du {format_date(self.semaine)}"


class Sortie(models.Model):
    """End of an accompaniment, with the exit typology of seeds 004 and 000."""

    orientation = models.OneToOneField(Orientation, on_delete=models.CASCADE, related_name="sortie")
    date = models.DateField("date de sortie")
    motif = models.CharField("motif de sortie", max_length=30, choices=MotifSortie.choices)
    commentaire = models.TextField("commentaire", blank=True, help_text=SECRET_HINT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = "sortie"
        verbose_name_plural = "sorties"
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["date", "motif"])]

    def __str__(self):
        return f"Sortie du {format_date(self.date)} : {self.get_motif_display()}"

    @property
    def categorie(self):
        return CATEGORIE_DU_MOTIF[MotifSortie(self.motif)]


class ReportingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure members: their structure's reports; SLAI: those of structures working on its
        territory; DPID, managers: all."""
        return scope_by_structure(self, user)


class ReportingMensuel(models.Model):
    """A structure's monthly report (seed 004 l. 187–199): computed from the data, frozen when the
    structure validates it, due by the 10th of the following month."""

    JOUR_LIMITE = 10

    structure = models.ForeignKey("referentiels.Structure", on_delete=models.PROTECT, related_name="reportings")
    mois = models.DateField("mois")  # first day of the month
    donnees = models.JSONField("chiffres validés", default=dict)
    valide_le = models.DateTimeField("validé le")
    valide_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = ReportingQuerySet.as_manager()

    class Meta:
        verbose_name = "reporting mensuel"
        verbose_name_plural = "reportings mensuels"
        ordering = ["-mois", "structure"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "mois"],
                name="reporting_un_par_mois",
                violation_error_message="Le reporting de ce mois est déjà validé.",
            ),
            models.CheckConstraint(
                condition=Q(mois__day=1), name="reporting_mois_premier_jour", violation_error_message="Un mois."
            ),
        ]

    def __str__(self):
        return f"Reporting {de(self.structure)} – {mois_fr(self.mois)}"


# --- the indicators of closed months, computed once and kept (accompagnement/indicateurs_gardes.py) ---

# The additive figures kept per month (every key of `indicateurs.aggregates` but the counts of
# distinct people, which do not add up over months).
FIGURES_GARDEES = (
    "entrees",
    "sorties",
    *(f"sorties_{c.value}" for c in CategorieSortie),
    "sorties_dynamiques",
    "reorientations_sociopro",
    "resultats_solidarite",
    "file_active",
    "cer_signe",
    "absenteistes",
    "contractualisables",
    "contractualises",
    "cer_evaluables",
    "cer_dans_delai",
    "rdv_evaluables",
    "rdv_dans_delai",
    "cohorte_12_mois",
    "sortie_12_mois",
    "delai_cer_somme",
    "entretiens_physiques",
    "jours_accompagnement",
    "semaines",
    "semaines_15h",
)


class IndicateurMensuelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The same scope as `OrientationQuerySet.visible_to`, on the kept dimensions."""
        return caseload_scope(self, user, current=Q(archive=False), territoire="territoire_id")


class IndicateurMensuel(models.Model):
    """The additive figures of a closed month for one combination of the dimensions the
    indicators group, filter or scope by (structure, referent, the person's territory, kind of
    accompaniment, archived person), computed once and kept (accompagnement/gardes.py).

    Each computed (structure, month) has one more row, `calcul`, all zeros: the month is kept
    while it exists; every write that changes a figure of the structure deletes it."""

    mois = models.DateField("mois")  # first day of the month
    # Plain ids (0: none), not foreign keys: the rows are a cache, rebuilt from the orientations.
    structure_id = models.IntegerField("structure")
    referent_id = models.IntegerField("référent")
    territoire_id = models.IntegerField("territoire")
    type_accompagnement_id = models.IntegerField("type d'accompagnement")
    archive = models.BooleanField("personne archivée", default=False)
    calcul = models.BooleanField("ligne du calcul", default=False)
    calcule_le = models.DateTimeField("calculé le")
    jour_calcul = models.DateField("jour du calcul")
    # The latest deadline (CER, first appointment) not met among the month's entries: until it
    # has passed, the figures depend on the day and hold for the day of their computation only.
    echeance = models.DateField("dernière échéance non tenue", null=True, blank=True)
    for _code in FIGURES_GARDEES:
        locals()[_code] = models.IntegerField(default=0)
    del _code

    objects = IndicateurMensuelQuerySet.as_manager()

    class Meta:
        verbose_name = "indicateurs d'un mois"
        verbose_name_plural = "indicateurs des mois"
        indexes = [models.Index(fields=["structure_id", "mois"])]
        constraints = [
            # Two requests computing the same month at once insert it once (ON CONFLICT DO NOTHING).
            models.UniqueConstraint(
                fields=[
                    "structure_id",
                    "mois",
                    "calcul",
                    "referent_id",
                    "territoire_id",
                    "type_accompagnement_id",
                    "archive",
                ],
                name="indicateur_mensuel_unique",
            )
        ]

    def __str__(self):
        return f"Indicateurs de la structure {self.structure_id} – {mois_fr(self.mois)}"
