import datetime
import hashlib
import json
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from label.enums import (
    Avis,
    EtatDemande,
    EtatRecours,
    EtatRetrait,
    Evaluateur,
    MotifRetrait,
    NatureFormation,
    TypeDemande,
)
from portal import grille_cer
from portal.core.formats import de, format_date
from portal.core.transitions import TransitionLog
from portal.referentiels.models import scope_by_structure

QUALITY_THRESHOLD = Decimal("80")  # % of the grid, seed 001 l. 253
RECOURS_MONTHS = 2  # recours gracieux within 2 months of the notification, answered within 2 (seed 001 §7.4)


# --- Training --------------------------------------------------------------------------------


class ModuleFormation(models.Model):
    """A training module of seed 001 §5-1: 4 mandatory, plus 1 chosen among the optional ones."""

    code = models.SlugField("code", max_length=40, unique=True)
    libelle = models.CharField("intitulé", max_length=200)
    duree = models.CharField("durée", max_length=60)
    obligatoire = models.BooleanField("obligatoire", default=False)
    ordre = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "module de formation"
        verbose_name_plural = "modules de formation"
        ordering = ["-obligatoire", "ordre", "libelle"]

    def __str__(self):
        return self.libelle


class FormationReferentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Same scope as the referent records they belong to."""
        from portal.referentiels.models import Referent

        return self.filter(referent__in=Referent.objects.visible_to(user))


class FormationReferent(models.Model):
    """One line of a referent's training record: a session attended, an earlier equivalent
    training, a justified absence or a planned session."""

    referent = models.ForeignKey(
        "referentiels.Referent", verbose_name="référent", on_delete=models.CASCADE, related_name="formations"
    )
    module = models.ForeignKey(ModuleFormation, verbose_name="module", on_delete=models.PROTECT)
    nature = models.CharField("nature", max_length=20, choices=NatureFormation.choices)
    date = models.DateField("date", help_text="Date de la session suivie, prévue ou manquée.")
    organisme = models.CharField("organisme de formation", max_length=150, blank=True)
    piece = models.FileField(
        "pièce justificative",
        upload_to="label/formations/%Y/",
        blank=True,
        help_text="Attestation de présence, programme de la formation équivalente ou justificatif d'absence "
        "(PDF, JPEG ou PNG, 5 Mo au plus).",
    )
    nouvelle_session = models.DateField(
        "nouvelle session prévue", null=True, blank=True, help_text="Obligatoire en cas d'absence."
    )
    equivalence_acceptee_at = models.DateTimeField("équivalence acceptée le", null=True, blank=True)
    equivalence_acceptee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("saisie le", auto_now_add=True)

    objects = FormationReferentQuerySet.as_manager()

    class Meta:
        verbose_name = "formation d'un référent"
        verbose_name_plural = "formations des référents"
        ordering = ["module__ordre", "date"]
        indexes = [models.Index(fields=["referent", "module"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(nature=NatureFormation.ABSENCE) | Q(nouvelle_session__isnull=False),
                name="formation_absence_has_new_session",
                violation_error_message="Une absence justifiée doit indiquer la nouvelle session prévue.",
            ),
        ]

    def __str__(self):
        return f"{self.referent} – {self.module} ({self.get_nature_display()})"

    @property
    def is_valid_training(self):
        """A session with its certificate, or an equivalence the DPID accepted."""
        if self.nature == NatureFormation.SESSION:
            return bool(self.piece)
        if self.nature == NatureFormation.EQUIVALENCE:
            return self.equivalence_acceptee_at is not None
        return False


# --- CERs submitted for grading --------------------------------------------------------------


class CerAnonymiseQuerySet(models.QuerySet):
    def visible_to(self, user):
        scope = user.scope
        if scope.sees_departement:
            return self
        if scope.is_responsable:
            return self.filter(structure_id=scope.structure_id)
        if scope.is_referent:
            return self.filter(referent_id=scope.referent_id) if scope.referent_id else self.none()
        if scope.is_slai:
            return self.filter(structure__territoires=scope.territoire_id)
        return self.none()


class CerAnonymise(models.Model):
    """An anonymised CER (only its N° CAF identifies it) uploaded by a structure for the label
    panel, in the `grade_cer` JSON format."""

    structure = models.ForeignKey("referentiels.Structure", on_delete=models.CASCADE, related_name="+")
    referent = models.ForeignKey(
        "referentiels.Referent", verbose_name="référent", on_delete=models.CASCADE, related_name="cers_anonymises"
    )
    numero_caf = models.CharField("N° CAF", max_length=20)
    contenu = models.JSONField("contenu du CER")
    # The content's fingerprint identifies a CER already uploaded (a unique index on the JSON
    # itself would exceed PostgreSQL's index row size for long CERs).
    empreinte = models.CharField("empreinte du contenu", max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    objects = CerAnonymiseQuerySet.as_manager()

    class Meta:
        verbose_name = "CER anonymisé"
        verbose_name_plural = "CER anonymisés"
        ordering = ["referent", "numero_caf", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["referent", "empreinte"], name="cer_anonymise_unique"),
        ]

    def __str__(self):
        return f"CER {self.numero_caf}"

    @property
    def cer(self):
        return grille_cer.parse_cer(self.contenu)

    @staticmethod
    def fingerprint(content: dict) -> str:
        canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()


# --- Label requests --------------------------------------------------------------------------


class DemandeLabelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Structure members: their structure's requests; SLAI: requests of structures working
        on their territory (not drafts); DPID, managers and admins: all but drafts. A withdrawal's
        new study is seen from its opening."""
        scope = user.scope
        if scope.is_structure_member:
            return self.filter(structure_id=scope.structure_id)
        # A withdrawal's new study is opened by the DPID: it follows it from the start.
        submitted = self.exclude(Q(etat=EtatDemande.BROUILLON) & ~Q(type=TypeDemande.ETUDE_RETRAIT))
        if scope.sees_departement:
            return submitted
        if scope.is_slai:
            return submitted.filter(structure__territoires=scope.territoire_id)
        return self.none()


def instruction_deadline(deposee_at):
    """Instruction within 6 months of the submission (seed 001 l. 310); None before it."""
    if deposee_at is None:
        return None
    from portal.core.dates import add_months

    return add_months(timezone.localdate(deposee_at), 6)


class DemandeLabel(models.Model):
    structure = models.ForeignKey(
        "referentiels.Structure", verbose_name="structure", on_delete=models.PROTECT, related_name="demandes_label"
    )
    type = models.CharField(
        "type de demande", max_length=20, choices=TypeDemande.choices, default=TypeDemande.INITIALE
    )
    etat = models.CharField("état", max_length=20, choices=EtatDemande.choices, default=EtatDemande.BROUILLON)
    engagement = models.BooleanField(
        "engagement de la structure",
        default=False,
        help_text="La structure s'engage à former tous ses référents et à respecter la grille de qualité des CER.",
    )
    commentaire = models.TextField("présentation de la demande", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("créée le", auto_now_add=True)
    deposee_at = models.DateTimeField("déposée le", null=True, blank=True)
    # The DPID's administrative evaluation and proposed opinion.
    evaluation_dpid = models.TextField("évaluation administrative de la DPID", blank=True)
    avis_dpid = models.CharField("avis proposé par la DPID", max_length=20, choices=Avis.choices, blank=True)
    avis_dpid_at = models.DateTimeField(null=True, blank=True)
    # The SLAI confirms or reworks it; below 80 % the siège and the SLAI record their joint review.
    avis_slai = models.CharField("avis après échange avec le SLAI", max_length=20, choices=Avis.choices, blank=True)
    commentaire_slai = models.TextField("observations du SLAI", blank=True)
    revue_conjointe = models.TextField("revue conjointe siège – SLAI", blank=True)
    avis_slai_at = models.DateTimeField(null=True, blank=True)
    decision_at = models.DateTimeField("décidée le", null=True, blank=True)
    motifs_decision = models.TextField("motifs de la décision", blank=True)
    notifiee_le = models.DateField("notifiée le", null=True, blank=True)

    objects = DemandeLabelQuerySet.as_manager()

    class Meta:
        verbose_name = "demande de label"
        verbose_name_plural = "demandes de label"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["etat", "deposee_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(etat=EtatDemande.BROUILLON) | Q(deposee_at__isnull=False),
                name="demande_label_deposee_has_date",
                violation_error_message="Une demande déposée a une date de dépôt.",
            ),
            models.CheckConstraint(
                condition=~Q(etat__in=[EtatDemande.ACCORDEE, EtatDemande.MORATOIRE, EtatDemande.REFUSEE])
                | Q(decision_at__isnull=False),
                name="demande_label_decidee_has_date",
                violation_error_message="Une demande décidée a une date de décision.",
            ),
        ]

    def __str__(self):
        return f"Demande de label {de(self.structure)} ({self.get_type_display().lower()})"

    def get_absolute_url(self):
        return reverse("label:demande_detail", args=[self.pk])

    @property
    def is_editable(self):
        """Submitted requests are frozen: the structure cannot change what the DPID grades."""
        return self.etat == EtatDemande.BROUILLON

    @property
    def instruction_deadline(self):
        return instruction_deadline(self.deposee_at)


class TransitionDemande(TransitionLog):
    """The log of a request's transitions (label.services.TRANSITIONS)."""

    demande = models.ForeignKey(DemandeLabel, on_delete=models.CASCADE, related_name="transitions")
    de = models.CharField("état de départ", max_length=20, choices=EtatDemande.choices)
    vers = models.CharField("nouvel état", max_length=20, choices=EtatDemande.choices)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape de la demande"
        verbose_name_plural = "historique de la demande"


class TirageCer(models.Model):
    """The random draw of up to 5 CERs of a referent for a request. The seed and the pool are
    recorded, so anyone can check the draw by running it again."""

    PANEL_SIZE = 5

    demande = models.ForeignKey(DemandeLabel, on_delete=models.CASCADE, related_name="tirages")
    referent = models.ForeignKey("referentiels.Referent", on_delete=models.PROTECT, related_name="+")
    seed = models.BigIntegerField("graine du tirage")
    pool = models.JSONField("CER disponibles (identifiants)")
    selection = models.JSONField("CER tirés (identifiants)")
    # Fewer than 5 CERs: accepted by the DPID only for a referent who arrived less than 6 months
    # before the submission, with the reason recorded (seed 001 l. 253, 260).
    panel_reduit_motif = models.TextField("motif de l'acceptation d'un panel réduit", blank=True)
    panel_reduit_accepte_le = models.DateTimeField("panel réduit accepté le", null=True, blank=True)
    panel_reduit_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("tiré le", auto_now_add=True)

    class Meta:
        verbose_name = "tirage de CER"
        verbose_name_plural = "tirages de CER"
        constraints = [models.UniqueConstraint(fields=["demande", "referent"], name="tirage_unique_par_referent")]

    def __str__(self):
        return f"Tirage {self.seed} – {self.referent}"

    @property
    def is_short(self):
        return len(self.selection) < self.PANEL_SIZE


class EvaluationCer(models.Model):
    """One CER graded on the grid of annexe 2, by the structure (self-evaluation) or the DPID
    (control). Automatic items are computed and stored; judgement items are set by a person."""

    demande = models.ForeignKey(DemandeLabel, on_delete=models.CASCADE, related_name="evaluations")
    cer = models.ForeignKey(CerAnonymise, on_delete=models.PROTECT, related_name="evaluations")
    evaluateur = models.CharField("évaluation", max_length=20, choices=Evaluateur.choices)
    score_automatique = models.DecimalField("points automatiques", max_digits=4, decimal_places=2)
    duree_adaptee = models.DecimalField("durée adaptée à la démarche (/1)", max_digits=3, decimal_places=1, null=True)
    remarque_situation = models.DecimalField(
        "la remarque fait comprendre la situation (/1)", max_digits=3, decimal_places=1, null=True
    )
    remarque_positionnement = models.DecimalField(
        "la remarque explique le choix des actions (/2)", max_digits=3, decimal_places=1, null=True
    )
    secret_professionnel = models.DecimalField(
        "secret professionnel respecté (/1,5)", max_digits=3, decimal_places=1, null=True
    )
    commentaire = models.TextField("commentaire", blank=True)
    evaluated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    evaluated_at = models.DateTimeField("évaluée le", null=True, blank=True)

    class Meta:
        verbose_name = "évaluation de CER"
        verbose_name_plural = "évaluations de CER"
        ordering = ["cer__referent", "cer__numero_caf"]
        constraints = [
            models.UniqueConstraint(fields=["demande", "cer", "evaluateur"], name="evaluation_unique"),
        ]

    def __str__(self):
        return f"{self.get_evaluateur_display()} – {self.cer}"

    @property
    def is_complete(self):
        return self.evaluated_at is not None

    @property
    def total(self):
        if not self.is_complete:
            return None
        return self.score_automatique + sum(
            (self.duree_adaptee, self.remarque_situation, self.remarque_positionnement, self.secret_professionnel),
            Decimal(0),
        )


# --- Decisions -------------------------------------------------------------------------------


class LabelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Labels are public within the portal: everyone may know who is labelled."""
        return self if user.scope.is_authenticated else self.none()

    def valid_on(self, day):
        return self.filter(date_decision__lte=day, date_fin__gte=day).filter(
            Q(retire_le__isnull=True) | Q(retire_le__gt=day)
        )


class Label(models.Model):
    """The "Référent 62" label, valid 5 years from the decision (seed 001 l. 137)."""

    structure = models.ForeignKey("referentiels.Structure", on_delete=models.PROTECT, related_name="labels")
    demande = models.OneToOneField(DemandeLabel, on_delete=models.PROTECT, related_name="label", null=True, blank=True)
    date_decision = models.DateField("date de la décision")
    date_fin = models.DateField("valable jusqu'au")
    retire_le = models.DateField("retiré le", null=True, blank=True)
    motif_retrait = models.TextField("motif du retrait", blank=True)

    objects = LabelQuerySet.as_manager()

    class Meta:
        verbose_name = "label Référent 62"
        verbose_name_plural = "labels Référent 62"
        ordering = ["-date_decision"]
        indexes = [models.Index(fields=["structure", "date_fin"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(date_fin__gt=models.F("date_decision")),
                name="label_fin_apres_decision",
                violation_error_message="La fin de validité suit la décision.",
            )
        ]

    def __str__(self):
        return f"Label Référent 62 – {self.structure} (jusqu'au {format_date(self.date_fin)})"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.date_decision <= day <= self.date_fin and (self.retire_le is None or self.retire_le > day)


class Moratoire(models.Model):
    """6 months after a refusal, with the follow-up sheet of annexe 4."""

    demande = models.OneToOneField(DemandeLabel, on_delete=models.CASCADE, related_name="moratoire")
    date_debut = models.DateField("début du moratoire")
    date_fin = models.DateField("fin du moratoire")
    date_rencontre = models.DateField("date de la rencontre structure – SLAI – siège", null=True, blank=True)
    criteres_non_remplis = models.TextField("critères non remplis pour la labélisation", blank=True)
    objectifs = models.TextField("objectifs", blank=True)
    moyens = models.TextField("moyens mis à disposition", blank=True)
    temporalite = models.TextField("temporalité", blank=True)
    signe_structure_le = models.DateField("signature de la structure", null=True, blank=True)
    signe_slai_le = models.DateField("signature de l'animateur·rice SLAI", null=True, blank=True)
    signe_siege_le = models.DateField("signature du siège (chargé·e de développement)", null=True, blank=True)

    class Meta:
        verbose_name = "moratoire"
        verbose_name_plural = "moratoires"

    def __str__(self):
        return f"Moratoire {de(self.demande.structure)} jusqu'au {format_date(self.date_fin)}"


class Recours(models.Model):
    """Recours gracieux against a refusal: filed within 2 months of the notification, answered
    within 2 months (seed 001 §7.4)."""

    demande = models.OneToOneField(DemandeLabel, on_delete=models.CASCADE, related_name="recours")
    etat = models.CharField("état", max_length=20, choices=EtatRecours.choices, default=EtatRecours.DEPOSE)
    depose_le = models.DateField("déposé le")
    actions_menees = models.TextField("actions mises en place depuis le refus")
    reponse = models.TextField("réponse du Département", blank=True)
    repondu_le = models.DateField("répondu le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = "recours gracieux"
        verbose_name_plural = "recours gracieux"

    def __str__(self):
        return f"Recours gracieux {de(self.demande.structure)}"


class RetraitLabelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The structure concerned, the SLAI of its territories, the DPID and managers."""
        return scope_by_structure(self, user, "label__structure")


class RetraitLabel(models.Model):
    """Withdrawal of a label (seed 001 §9). Except when the label lapses by right, it is an
    unfavourable decision the structure did not ask for: it is told the intended decision and its
    grounds and may send written observations first (CRPA L121-1, L122-1)."""

    OBSERVATIONS_DAYS = 30

    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="retraits")
    motif = models.CharField("motif", max_length=20, choices=MotifRetrait.choices)
    etat = models.CharField("état", max_length=20, choices=EtatRetrait.choices)
    griefs = models.TextField("motifs envisagés (faits et droit)")
    accompagnement_fin = models.DateField("fin de l'accompagnement du SLAI", null=True, blank=True)
    # The new study after the SLAI support: a new draw of the structure's CERs graded on the grid,
    # carried by a request of type "nouvelle étude" (same draw, self-evaluation and DPID control).
    etude = models.OneToOneField(
        DemandeLabel,
        verbose_name="nouvelle étude",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="etude_retrait",
    )
    notifie_le = models.DateField("intention notifiée le", null=True, blank=True)
    observations_avant = models.DateField("observations attendues avant le", null=True, blank=True)
    observations = models.TextField("observations écrites de la structure", blank=True)
    observations_at = models.DateTimeField("observations reçues le", null=True, blank=True)
    decision = models.TextField("décision motivée (réponse aux observations)", blank=True)
    decide_le = models.DateField("décidé le", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("engagé le", auto_now_add=True)

    objects = RetraitLabelQuerySet.as_manager()

    class Meta:
        verbose_name = "retrait de label"
        verbose_name_plural = "retraits de label"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(etat=EtatRetrait.CONTRADICTOIRE)
                | (Q(notifie_le__isnull=False) & Q(observations_avant__isnull=False)),
                name="retrait_contradictoire_has_dates",
                violation_error_message="La procédure contradictoire a une date de notification et un délai.",
            )
        ]

    def __str__(self):
        return f"Retrait du label {de(self.label.structure)} ({self.get_etat_display().lower()})"

    def get_absolute_url(self):
        return reverse("label:retrait_detail", args=[self.pk])


class EtapeProcedure(TransitionLog):
    """The log of a withdrawal's or an appeal's transitions (label.services.PROCEDURE_TRANSITIONS):
    who moved it, when, from which state to which, and why."""

    retrait = models.ForeignKey(RetraitLabel, on_delete=models.CASCADE, related_name="etapes", null=True, blank=True)
    recours = models.ForeignKey(Recours, on_delete=models.CASCADE, related_name="etapes", null=True, blank=True)

    class Meta(TransitionLog.Meta):
        verbose_name = "étape d'une procédure de retrait ou de recours"
        verbose_name_plural = "étapes des procédures de retrait et de recours"
        constraints = [
            models.CheckConstraint(
                condition=Q(retrait__isnull=False, recours__isnull=True)
                | Q(retrait__isnull=True, recours__isnull=False),
                name="etape_procedure_un_objet",
                violation_error_message="Une étape concerne un retrait ou un recours.",
            )
        ]

    def _label(self, state):
        choices = EtatRetrait if self.retrait_id else EtatRecours
        return choices(state).label if state in choices.values else "Engagement de la procédure"

    @property
    def de_display(self):
        return self._label(self.de)

    @property
    def vers_display(self):
        return self._label(self.vers)


class CharteQualiteQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The structure concerned, the SLAI of its territories, the DPID and managers."""
        return scope_by_structure(self, user, "label__structure")


class CharteQualite(models.Model):
    """The yearly quality charter through which the Département checks that a label's criteria
    are still met (seed 001 §4 and §8). Due each year on the label's anniversary (product choice:
    the seed gives no date)."""

    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="chartes")
    annee = models.PositiveSmallIntegerField("année de labellisation", help_text="1 pour la première année, etc.")
    bilan = models.TextField(
        "bilan de l'année",
        help_text="Formation des référents (nouveaux arrivants compris), auto-contrôle de la qualité des CER, "
        "difficultés rencontrées.",
    )
    piece = models.FileField("charte signée (PDF)", upload_to="label/chartes/%Y/", blank=True)
    deposee_le = models.DateField("déposée le")
    deposee_par = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    examinee_le = models.DateField("examinée le", null=True, blank=True)
    conforme = models.BooleanField("critères toujours remplis", null=True)
    observations_dpid = models.TextField("observations de la DPID", blank=True)

    objects = CharteQualiteQuerySet.as_manager()

    class Meta:
        verbose_name = "charte qualité annuelle"
        verbose_name_plural = "chartes qualité annuelles"
        ordering = ["label", "annee"]
        constraints = [models.UniqueConstraint(fields=["label", "annee"], name="charte_unique_par_annee")]

    def __str__(self):
        return f"Charte qualité {self.annee} – {self.label.structure}"


class RapportAnnuelQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The Département: DPID, managers and admins."""
        return self if user.scope.sees_departement else self.none()


class RapportAnnuel(models.Model):
    """The yearly report on the label to the Commission Permanente (seed 001 l. 588): the owner of
    its PDF versions (the figures are computed when each version is rendered)."""

    annee = models.PositiveSmallIntegerField("année", unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    objects = RapportAnnuelQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport annuel du label"
        verbose_name_plural = "rapports annuels du label"
        ordering = ["-annee"]

    def __str__(self):
        return f"Rapport annuel du label {self.annee}"

    def get_absolute_url(self):
        return reverse("label:rapport_annuel") + f"?annee={self.annee}"
