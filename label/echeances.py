"""The label's legal delays, declared to the shared deadline engine."""

import datetime

from django.db.models import Exists, OuterRef, Prefetch
from django.urls import reverse

from label.enums import EtatDemande, EtatRecours, EtatRetrait, TypeDemande
from label.models import (
    RECOURS_MONTHS,
    CharteQualite,
    DemandeLabel,
    FormationReferent,
    Label,
    Moratoire,
    Recours,
    RetraitLabel,
)
from label.selectors import charter_due, renewal_windows, training_deadline
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.dates import add_months
from portal.core.formats import de, format_date
from portal.echeances.registry import Echeance, register
from portal.referentiels.models import Referent

IN_INSTRUCTION = (EtatDemande.DEPOSEE, EtatDemande.AVIS_DPID, EtatDemande.AVIS_SLAI)


def _catalogue():
    from label.models import ModuleFormation

    modules = list(ModuleFormation.objects.values_list("pk", "obligatoire"))
    return {pk for pk, mandatory in modules if mandatory}, {pk for pk, mandatory in modules if not mandatory}


def _dpid_agents():
    return list(User.objects.filter(role=Role.DPID, is_active=True))


def _responsables(structure_id):
    return list(User.objects.filter(role=Role.RESPONSABLE, structure_id=structure_id, is_active=True))


@register
class InstructionSixMois(Echeance):
    code = "label_instruction"
    label = "Demande de label à instruire dans les 6 mois de son dépôt"
    offsets = (-30, -7, 0, 7)

    def candidates(self, today):
        return DemandeLabel.objects.filter(etat__in=IN_INSTRUCTION).select_related("structure")

    def visible(self, user, today, until=None):
        if not (user.scope.sees_departement or user.scope.is_slai):
            return DemandeLabel.objects.none()
        return self.candidates(today) & DemandeLabel.objects.visible_to(user)

    def due_date(self, obj):
        return obj.instruction_deadline

    def is_met(self, obj):
        return obj.etat not in IN_INSTRUCTION

    def recipients(self, obj):
        return _dpid_agents()

    def describe(self, obj):
        return f"Instruction du label – {obj.structure.nom}"

    def url(self, obj):
        return reverse("label:demande_detail", args=[obj.pk])


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

    def due_date(self, obj):
        return obj.date_fin

    def is_met(self, obj):
        if hasattr(obj, "met"):  # annotated on lists: no query per row
            return obj.met
        return DemandeLabel.objects.filter(
            structure_id=obj.demande.structure_id, created_at__gt=obj.demande.decision_at
        ).exists()

    def recipients(self, obj):
        return _responsables(obj.demande.structure_id)

    def describe(self, obj):
        return f"Fin du moratoire – {obj.demande.structure.nom}"

    def url(self, obj):
        return reverse("label:demande_detail", args=[obj.demande_id])


@register
class ReponseRecours(Echeance):
    code = "label_reponse_recours"
    label = "Réponse au recours gracieux dans les 2 mois"
    offsets = (-15, -3, 0)

    def candidates(self, today):
        return Recours.objects.filter(etat=EtatRecours.DEPOSE).select_related("demande__structure")

    def visible(self, user, today, until=None):
        if not user.scope.sees_departement:
            return Recours.objects.none()
        return self.candidates(today)

    def due_date(self, obj):
        from label.services import recours_answer_deadline

        return recours_answer_deadline(obj)

    def is_met(self, obj):
        return obj.etat != EtatRecours.DEPOSE

    def recipients(self, obj):
        return _dpid_agents()

    def describe(self, obj):
        return f"Réponse au recours gracieux – {obj.demande.structure.nom}"

    def url(self, obj):
        return reverse("label:demande_detail", args=[obj.demande_id])


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

    def visible(self, user, today, until=None):
        if user.scope.is_referent:
            return Referent.objects.none()
        return self._referents(today) & Referent.objects.visible_to(user)

    def due_date(self, obj):
        return training_deadline(obj.date_arrivee)

    def is_met(self, obj):
        # The catalogue is read once per run (candidates/visible), not once per referent.
        mandatory, optional = self._catalogue or _catalogue()
        done = {f.module_id for f in obj.formations.all() if f.is_valid_training}
        return mandatory <= done and bool(optional & done)

    def recipients(self, obj):
        return _responsables(obj.structure_id)

    def describe(self, obj):
        return f"Formation {de(obj.nom_complet)} ({obj.structure.nom})"

    def url(self, obj):
        return reverse("label:formations") + f"?structure={obj.structure_id}"


@register
class RenouvellementLabel(Echeance):
    code = "label_renouvellement"
    label = "Renouvellement du label à demander entre janvier et juillet de ses 12 derniers mois"
    offsets = (-180, -60, -15, 0)

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
        return self.candidates(today).filter(structure__in=_visible_structures(user))

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
        return _responsables(obj.structure_id)

    def describe(self, obj):
        return f"Renouvellement du label – {obj.structure.nom} (valable jusqu'au {format_date(obj.date_fin)})"

    def url(self, obj):
        return reverse("label:home")


def _visible_structures(user):
    from portal.referentiels.models import Structure

    return Structure.objects.visible_to(user)


@register
class ObservationsRetrait(Echeance):
    code = "label_observations_retrait"
    label = "Observations écrites sur le retrait envisagé du label"
    offsets = (-10, -3, 0)

    def candidates(self, today):
        return RetraitLabel.objects.filter(etat=EtatRetrait.CONTRADICTOIRE).select_related("label__structure")

    def visible(self, user, today, until=None):
        return self.candidates(today) & RetraitLabel.objects.visible_to(user)

    def due_date(self, obj):
        return obj.observations_avant

    def is_met(self, obj):
        return obj.observations_at is not None or obj.etat != EtatRetrait.CONTRADICTOIRE

    def recipients(self, obj):
        return _responsables(obj.label.structure_id)

    def describe(self, obj):
        return f"Observations sur le retrait du label – {obj.label.structure.nom}"

    def url(self, obj):
        return reverse("label:retrait_detail", args=[obj.pk])


@register
class FinAccompagnementSlai(Echeance):
    code = "label_fin_accompagnement"
    label = "Fin des 6 mois d'accompagnement du SLAI : nouvelle étude de la qualité des CER"
    offsets = (-15, 0, 7)

    def candidates(self, today):
        return RetraitLabel.objects.filter(etat=EtatRetrait.ACCOMPAGNEMENT).select_related("label__structure")

    def visible(self, user, today, until=None):
        if not (user.scope.sees_departement or user.scope.is_slai):
            return RetraitLabel.objects.none()
        return self.candidates(today) & RetraitLabel.objects.visible_to(user)

    def due_date(self, obj):
        return obj.accompagnement_fin

    def is_met(self, obj):
        return obj.etat != EtatRetrait.ACCOMPAGNEMENT

    def recipients(self, obj):
        return _dpid_agents()

    def describe(self, obj):
        return f"Nouvelle étude après accompagnement – {obj.label.structure.nom}"

    def url(self, obj):
        return reverse("label:retrait_detail", args=[obj.pk])


@register
class CharteAnnuelle(Echeance):
    code = "label_charte_annuelle"
    label = "Charte qualité annuelle du label à déposer"
    offsets = (-30, -7, 0, 15)

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
        return self._labels(today).filter(structure__in=_visible_structures(user))

    def due_date(self, obj):
        return charter_due(obj)[1]

    def is_met(self, obj):
        return charter_due(obj)[0] is None

    def recipients(self, obj):
        return _responsables(obj.structure_id)

    def describe(self, obj):
        return f"Charte qualité de l'année {charter_due(obj)[0]} – {obj.structure.nom}"

    def url(self, obj):
        # The label page: the structure's shows the charter due with its form; the DPID and the
        # SLAI, who see this deadline too, may not open the form (403).
        return reverse("label:home")


@register
class DelaiRecoursGracieux(Echeance):
    code = "label_delai_recours"
    label = "Délai de recours gracieux contre le refus du label (2 mois après la notification)"
    offsets = (-15, -3)

    def candidates(self, today):
        return (
            DemandeLabel.objects.filter(etat__in=[EtatDemande.MORATOIRE, EtatDemande.REFUSEE], recours__isnull=True)
            .filter(notifiee_le__gte=add_months(today, -(RECOURS_MONTHS + 1)))
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
        return _responsables(obj.structure_id)

    def describe(self, obj):
        return f"Fin du délai de recours gracieux – {obj.structure.nom}"

    def url(self, obj):
        return reverse("label:demande_detail", args=[obj.pk])
