"""The label's legal delays, declared to the shared deadline engine."""

import datetime
import functools

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce

from label.enums import EtatDemande, EtatRecours, EtatRetrait, NatureFormation, TypeDemande
from label.models import (
    RECOURS_MONTHS,
    CharteQualite,
    DemandeLabel,
    FormationReferent,
    Label,
    ModuleFormation,
    Moratoire,
    Recours,
    RetraitLabel,
    instruction_deadline,
)
from label.selectors import charter_due, renewal_windows, training_deadline
from portal.accounts.enums import Role
from portal.core.dates import add_months
from portal.core.formats import de, format_date
from portal.echeances.base import ObjectEcheance, agents, responsables, reverse_pk, reverse_static
from portal.echeances.registry import Echeance, register
from portal.referentiels.models import Referent, scope_by_structure

IN_INSTRUCTION = (EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, EtatDemande.AVIS_SLAI)


def _catalogue():
    from label.models import ModuleFormation

    modules = list(ModuleFormation.objects.values_list("pk", "obligatoire"))
    return {pk for pk, mandatory in modules if mandatory}, {pk for pk, mandatory in modules if not mandatory}


# `FormationReferent.is_valid_training` as a condition: a session with its certificate, or an
# equivalence the DPID accepted.
VALID_TRAINING = Q(nature=NatureFormation.SESSION, piece__isnull=False) & ~Q(piece="") | Q(
    nature=NatureFormation.EQUIVALENCE, equivalence_acceptee_at__isnull=False
)


def _departement_or_slai(scope):
    return scope.sees_departement or scope.is_slai


# The renewal and the charter deadlines are about the labels of the user's scope valid today:
# none of either without such a label (one presence test for both).
_LABELS_OF_SCOPE = "label_labels_du_perimetre"


def _scope_labels_presence(user, today):
    # The structures' scope as a condition on the label's own column (the same structures as
    # Structure.visible_to), not a subquery: cheaper to build and to plan in the presence query.
    return scope_by_structure(Label.objects.valid_on(today), user)


@register
class InstructionSixMois(ObjectEcheance):
    code = "label_instruction"
    label = "Demande de label à instruire dans les 6 mois de son dépôt"
    offsets = (-30, -7, 0, 7)
    model = DemandeLabel
    audience = staticmethod(_departement_or_slai)
    open_states = IN_INSTRUCTION
    url_name = "label:demande_detail"

    def candidates(self, today):
        return DemandeLabel.objects.filter(etat__in=IN_INSTRUCTION).select_related("structure")

    row_fields = ("etat", "deposee_at", "structure__nom")

    def row_cells(self, row):
        if row["etat"] not in self.open_states:
            return None
        due = instruction_deadline(row["deposee_at"])
        return due, self._text(row["structure__nom"]), reverse_pk(self.url_name, row["pk"]), self.label

    def due_date(self, obj):
        return obj.instruction_deadline

    def recipients(self, obj):
        return agents(Role.DPID)

    def describe(self, obj):
        return self._text(obj.structure.nom)

    @staticmethod
    def _text(structure):
        return f"Instruction du label – {structure}"


@register
class FinMoratoire(Echeance):
    code = "label_fin_moratoire"
    label = "Fin du moratoire : une nouvelle demande de label peut être déposée"
    offsets = (-30, 0)

    def candidates(self, today):
        # A moratorium ended more than a month ago stays on the record, not on home pages.
        later = DemandeLabel.objects.filter(
            structure=OuterRef("demande__structure"), created_at__gt=OuterRef("demande__decision_at")
        )
        return (
            Moratoire.objects.filter(
                demande__etat=EtatDemande.MORATOIRE, date_fin__gte=today - datetime.timedelta(days=30)
            )
            .annotate(met=Exists(later))
            .select_related("demande__structure")
        )

    def visible(self, user, today, until=None):
        return self.candidates(today).filter(demande__in=DemandeLabel.objects.visible_to(user))

    def presence(self, user, today, until=None):
        # The request's structure in the user's scope (DemandeLabel.visible_to less its drafts
        # rule: a request in moratorium is no draft), on the joined request, not a subquery.
        moratoires = Moratoire.objects.filter(
            demande__etat=EtatDemande.MORATOIRE, date_fin__gte=today - datetime.timedelta(days=30)
        )
        return scope_by_structure(moratoires, user, "demande__structure")

    def due_date(self, obj):
        return obj.date_fin

    def is_met(self, obj):
        if hasattr(obj, "met"):  # annotated on lists: no query per row
            return obj.met
        return DemandeLabel.objects.filter(
            structure_id=obj.demande.structure_id, created_at__gt=obj.demande.decision_at
        ).exists()

    def recipients(self, obj):
        return responsables(obj.demande.structure_id)

    def describe(self, obj):
        return f"Fin du moratoire – {obj.demande.structure.nom}"

    def url(self, obj):
        return reverse_pk("label:demande_detail", obj.demande_id)


@register
class ReponseRecours(ObjectEcheance):
    code = "label_reponse_recours"
    label = "Réponse au recours gracieux dans les 2 mois"
    offsets = (-15, -3, 0)
    model = Recours
    audience = staticmethod(lambda scope: scope.sees_departement)
    open_states = (EtatRecours.DEPOSE,)
    url_name = "label:demande_detail"
    url_arg = "demande_id"

    def candidates(self, today):
        return Recours.objects.filter(etat=EtatRecours.DEPOSE).select_related("demande__structure")

    def scoped(self, queryset, user):
        # A recours is seen as its application is (the audience, the Département, sees them all).
        return scope_by_structure(queryset, user, "demande__structure")

    def presence(self, user, today, until=None):
        if not self.in_audience(user):
            return Recours.objects.none()
        return self.scoped(Recours.objects.filter(etat=EtatRecours.DEPOSE), user)

    def due_date(self, obj):
        from label.services import recours_answer_deadline

        return recours_answer_deadline(obj)

    def recipients(self, obj):
        return agents(Role.DPID)

    def describe(self, obj):
        return f"Réponse au recours gracieux – {obj.demande.structure.nom}"


@functools.cache
def _training_state():
    """What FormationNouvelArrivant.is_met needs, read in the deadline's query (no catalogue nor
    trainings query on home pages): how many modules are mandatory, how many of them the referent
    validated, and whether an optional one is validated too. Built once (they depend on nobody):
    every query resolves its own copy."""
    mandatory = (
        ModuleFormation.objects.filter(obligatoire=True)
        .order_by()
        .values("obligatoire")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    valid = FormationReferent.objects.filter(referent_id=OuterRef("pk")).filter(VALID_TRAINING)
    mandatory_done = (
        valid.filter(module__obligatoire=True)
        .order_by()
        .values("referent_id")
        .annotate(n=Count("module_id", distinct=True))
        .values("n")[:1]
    )
    return {
        "modules_obligatoires": Coalesce(Subquery(mandatory), 0),
        "obligatoires_valides": Coalesce(Subquery(mandatory_done), 0),
        "optionnel_valide": Exists(valid.filter(module__obligatoire=False)),
    }


# The annotations of _training_state(), read as columns on the deadlines page.
_training_state_names = ("modules_obligatoires", "obligatoires_valides", "optionnel_valide")


def _trained(mandatory, mandatory_done, optional_done) -> bool:
    """FormationNouvelArrivant.is_met from the annotations of _training_state()."""
    return mandatory_done >= mandatory and optional_done


@register
class FormationNouvelArrivant(Echeance):
    code = "label_formation_nouvel_arrivant"
    label = "Nouveau référent à former dans l'année de son arrivée"
    offsets = (-60, -15, 0)

    _catalogue = None

    def _referents(self, today):
        self._catalogue = _catalogue()
        # Arrivals whose training year is not long over.
        return (
            Referent.objects.actifs()
            .filter(date_arrivee__gte=datetime.date(today.year - 1, 1, 1))
            .select_related("structure")
            .prefetch_related(Prefetch("formations", queryset=FormationReferent.objects.all()))
        )

    def candidates(self, today):
        return self._referents(today)

    def presence(self, user, today, until=None):
        # No test otherwise: the responsables and the Département usually have arrivals to train.
        return Referent.objects.none() if user.scope.is_referent else None

    def visible(self, user, today, until=None):
        if user.scope.is_referent:
            return Referent.objects.none()
        # The scope first, then the arrivals (conditions on the referent's own columns): the same
        # rows as `arrivals & visible_to(user)`, without combining two queries.
        arrivals = (
            Referent.objects.visible_to(user).actifs().filter(date_arrivee__gte=datetime.date(today.year - 1, 1, 1))
        )
        return arrivals.annotate(**_training_state()).select_related("structure")

    row_fields = (
        "date_arrivee",
        "prenom",
        "nom",
        "structure_id",
        "structure__nom",
        *_training_state_names,
    )

    def row_cells(self, row):
        if _trained(row["modules_obligatoires"], row["obligatoires_valides"], row["optionnel_valide"]):
            return None
        label = self._text(f"{row['prenom']} {row['nom']}", row["structure__nom"])  # Referent.nom_complet
        return training_deadline(row["date_arrivee"]), label, self._url(row["structure_id"]), self.label

    def due_date(self, obj):
        return training_deadline(obj.date_arrivee)

    def is_met(self, obj):
        if hasattr(obj, "modules_obligatoires"):  # annotated by visible(): no query
            return _trained(obj.modules_obligatoires, obj.obligatoires_valides, obj.optionnel_valide)
        # The catalogue is read once per run (candidates), not once per referent.
        mandatory, optional = self._catalogue or _catalogue()
        done = {f.module_id for f in obj.formations.all() if f.is_valid_training}
        return mandatory <= done and bool(optional & done)

    def recipients(self, obj):
        return responsables(obj.structure_id)

    def describe(self, obj):
        return self._text(obj.nom_complet, obj.structure.nom)

    @staticmethod
    def _text(nom_complet, structure):
        return f"Formation {de(nom_complet)} ({structure})"

    def url(self, obj):
        return self._url(obj.structure_id)

    @staticmethod
    def _url(structure_id):
        return reverse_static("label:formations") + f"?structure={structure_id}"


@register
class RenouvellementLabel(Echeance):
    code = "label_renouvellement"
    label = "Renouvellement du label à demander entre janvier et juillet de ses 12 derniers mois"
    offsets = (-180, -60, -15, 0)
    presence_key = _LABELS_OF_SCOPE

    def presence(self, user, today, until=None):
        return _scope_labels_presence(user, today)

    def candidates(self, today):
        asked = DemandeLabel.objects.filter(
            structure=OuterRef("structure"),
            type=TypeDemande.RENOUVELLEMENT,
            # The window opens in the year before the label's end at the earliest (label.selectors
            # .renewal_windows); a renewal can only be requested within it.
            deposee_at__year__gte=OuterRef("date_fin__year") - 1,
        )
        return (
            Label.objects.valid_on(today)
            .filter(date_fin__year__lte=today.year + 1)
            .annotate(met=Exists(asked))
            .select_related("structure")
        )

    def visible(self, user, today, until=None):
        if user.scope.is_referent:  # no charter deadline for them: nothing to share
            return self.candidates(today).filter(structure__in=_visible_structures(user))
        labels = _scope_labels(user, today)
        # Kept for CharteAnnuelle, registered after this one and asked in the same pass.
        user.__dict__[_SHARED_LABELS] = (today, labels)
        return [label for label in labels if label.date_fin.year <= today.year + 1]

    def due_date(self, obj):
        # The end of the first window: July within the label's last 12 months (label.selectors).
        return renewal_windows(obj)[0][1]

    def is_met(self, obj):
        if hasattr(obj, "met"):  # annotated on lists: no query per row
            return obj.met
        return DemandeLabel.objects.filter(
            structure_id=obj.structure_id,
            type=TypeDemande.RENOUVELLEMENT,
            deposee_at__date__gte=renewal_windows(obj)[0][0],
        ).exists()

    def recipients(self, obj):
        return responsables(obj.structure_id)

    def describe(self, obj):
        return f"Renouvellement du label – {obj.structure.nom} (valable jusqu'au {format_date(obj.date_fin)})"

    def url(self, obj):
        return reverse_static("label:home")


_SHARED_LABELS = "_label_echeances_labels"


@functools.cache
def _label_state():
    """What the renewal and the charter deadlines read of a label, in its query: whether its
    renewal was asked, and the charter year due. Built once (they depend on nobody): every query
    resolves its own copy."""
    asked = DemandeLabel.objects.filter(
        structure=OuterRef("structure"),
        type=TypeDemande.RENOUVELLEMENT,
        deposee_at__year__gte=OuterRef("date_fin__year") - 1,  # as RenouvellementLabel.candidates
    )
    return {"met": Exists(asked), "annee_charte_due": next_charter_year()}


def _scope_labels(user, today) -> list:
    """The labels of the user's scope valid today, with what the renewal and the charter deadlines
    read (one query for both on home pages and lists)."""
    # The scope on the label's own structure column (as _scope_labels_presence), not a subquery.
    return list(
        scope_by_structure(Label.objects.valid_on(today), user).annotate(**_label_state()).select_related("structure")
    )


def _visible_structures(user):
    from portal.referentiels.models import Structure

    return Structure.objects.visible_to(user)


@register
class ObservationsRetrait(ObjectEcheance):
    code = "label_observations_retrait"
    label = "Observations écrites sur le retrait envisagé du label"
    offsets = (-10, -3, 0)
    model = RetraitLabel
    open_states = (EtatRetrait.CONTRADICTOIRE,)
    url_name = "label:retrait_detail"

    def candidates(self, today):
        return RetraitLabel.objects.filter(etat=EtatRetrait.CONTRADICTOIRE).select_related("label__structure")

    def presence(self, user, today, until=None):
        return RetraitLabel.objects.visible_to(user).filter(etat=EtatRetrait.CONTRADICTOIRE)

    def due_date(self, obj):
        return obj.observations_avant

    def is_met(self, obj):
        return obj.observations_at is not None or obj.etat != EtatRetrait.CONTRADICTOIRE

    def recipients(self, obj):
        return responsables(obj.label.structure_id)

    def describe(self, obj):
        return f"Observations sur le retrait du label – {obj.label.structure.nom}"


@register
class FinAccompagnementSlai(ObjectEcheance):
    code = "label_fin_accompagnement"
    label = "Fin des 6 mois d'accompagnement du SLAI : nouvelle étude de la qualité des CER"
    offsets = (-15, 0, 7)
    model = RetraitLabel
    audience = staticmethod(_departement_or_slai)
    open_states = (EtatRetrait.ACCOMPAGNEMENT,)
    url_name = "label:retrait_detail"

    def candidates(self, today):
        return RetraitLabel.objects.filter(etat=EtatRetrait.ACCOMPAGNEMENT).select_related("label__structure")

    def presence(self, user, today, until=None):
        if not self.in_audience(user):
            return RetraitLabel.objects.none()
        return RetraitLabel.objects.visible_to(user).filter(etat=EtatRetrait.ACCOMPAGNEMENT)

    def due_date(self, obj):
        return obj.accompagnement_fin

    def recipients(self, obj):
        return agents(Role.DPID)

    def describe(self, obj):
        return f"Nouvelle étude après accompagnement – {obj.label.structure.nom}"


def next_charter_year():
    """The label's first year without a charter filed, as `label.selectors.charter_due` counts it:
    1 when the first is not filed, else the year after the first filed one whose next is not."""
    first_filed = Exists(CharteQualite.objects.filter(label_id=OuterRef("pk"), annee=1))
    next_filed = CharteQualite.objects.filter(label_id=OuterRef("label_id"), annee=OuterRef("annee") + 1)
    last_of_run = (
        CharteQualite.objects.filter(label_id=OuterRef("pk"))
        .exclude(Exists(next_filed))
        .order_by("annee")
        .values("annee")[:1]
    )
    return Case(
        When(first_filed, then=Subquery(last_of_run) + 1),
        default=Value(1),
        output_field=IntegerField(),
    )


def charter_due_of(label):
    """(year, due date) as `label.selectors.charter_due`, from the `annee_charte_due` annotation
    (`next_charter_year()`) when the label has it (no query for its charters)."""
    if not hasattr(label, "annee_charte_due"):
        return charter_due(label)
    from portal.core.dates import add_years

    due = add_years(label.date_decision, label.annee_charte_due)
    return (label.annee_charte_due, due) if due <= label.date_fin else (None, None)


@register
class CharteAnnuelle(Echeance):
    code = "label_charte_annuelle"
    label = "Charte qualité annuelle du label à déposer"
    offsets = (-30, -7, 0, 15)
    presence_key = _LABELS_OF_SCOPE

    def presence(self, user, today, until=None):
        return _scope_labels_presence(user, today)

    def _labels(self, today):
        return (
            Label.objects.valid_on(today)
            .select_related("structure")
            .prefetch_related(Prefetch("chartes", queryset=CharteQualite.objects.only("label_id", "annee")))
        )

    def candidates(self, today):
        return self._labels(today)

    def visible(self, user, today, until=None):
        if user.scope.is_referent:
            return Label.objects.none()
        # The year due is computed in the same query (no query for the charters), and the labels
        # RenouvellementLabel just read in the same pass are reused (then let go).
        shared = user.__dict__.pop(_SHARED_LABELS, None)
        if shared is not None and shared[0] == today:
            return shared[1]
        return _scope_labels(user, today)

    def _due(self, obj):
        return charter_due_of(obj)

    def due_date(self, obj):
        return self._due(obj)[1]

    def is_met(self, obj):
        return self._due(obj)[0] is None

    def recipients(self, obj):
        return responsables(obj.structure_id)

    def describe(self, obj):
        return f"Charte qualité de l'année {self._due(obj)[0]} – {obj.structure.nom}"

    def url(self, obj):
        # The label page: the structure's shows the charter due with its form; the DPID and the
        # SLAI, who see this deadline too, may not open the form (403).
        return reverse_static("label:home")


@register
class DelaiRecoursGracieux(Echeance):
    code = "label_delai_recours"
    label = "Délai de recours gracieux contre le refus du label (2 mois après la notification)"
    offsets = (-15, -3)

    REFUSED = (EtatDemande.MORATOIRE, EtatDemande.REFUSEE)

    def _refused(self, queryset, today):
        return queryset.filter(etat__in=self.REFUSED, recours__isnull=True).filter(
            notifiee_le__gte=add_months(today, -(RECOURS_MONTHS + 1))
        )

    def presence(self, user, today, until=None):
        if not user.scope.is_structure_member:
            return DemandeLabel.objects.none()
        return self._refused(DemandeLabel.objects.visible_to(user), today)

    def candidates(self, today):
        return (
            self._refused(DemandeLabel.objects.all(), today)
            .annotate(met=Exists(Recours.objects.filter(demande=OuterRef("pk"))))
            .select_related("structure")
        )

    def visible(self, user, today, until=None):
        if not user.scope.is_structure_member:
            return DemandeLabel.objects.none()
        return self.candidates(today).filter(pk__in=DemandeLabel.objects.visible_to(user).values("pk"))

    def due_date(self, obj):
        from label.services import recours_deadline

        return recours_deadline(obj)

    def is_met(self, obj):
        if obj.etat not in (EtatDemande.MORATOIRE, EtatDemande.REFUSEE):
            return True
        if hasattr(obj, "met"):  # annotated on lists: no query per row
            return obj.met
        return Recours.objects.filter(demande_id=obj.pk).exists()

    def recipients(self, obj):
        return responsables(obj.structure_id)

    def describe(self, obj):
        return f"Fin du délai de recours gracieux – {obj.structure.nom}"

    def url(self, obj):
        return reverse_pk("label:demande_detail", obj.pk)
