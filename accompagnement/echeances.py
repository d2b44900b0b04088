"""The accompaniment's deadlines, declared to the shared deadline engine (portal.echeances).

Every `visible()` and `candidates()` filters and annotates in the database: `is_met` reads the
annotation (no query per row on home pages); at send time the engine passes a fresh object
without it, and `is_met` asks the database.
"""

import datetime
import functools
from types import SimpleNamespace

from django.db.models import Exists, OuterRef, Q, Value
from django.urls import reverse
from django.utils import timezone

from accompagnement import indicateurs
from accompagnement.models import (
    Beneficiaire,
    Cer,
    DemandeRenouvellement,
    Orientation,
    ReportingMensuel,
    sans_referent_q,
)
from accompagnement.selectors import EQUILIBRE_REVIEW_MONTHS, REFERENT_DELAI_JOURS, RENEWAL_REQUEST_MONTHS
from portal.accounts.enums import Role
from portal.accounts.models import User
from portal.core.dates import add_months, latest_start_for
from portal.core.formats import de_mois, pluriel
from portal.echeances.base import reverse_pk
from portal.echeances.registry import Echeance, register
from portal.referentiels.models import Structure


def _window(echeance, today):
    """Due dates for which a reminder offset may apply today (the engine's daily run)."""
    offsets = echeance.offsets
    return today - datetime.timedelta(days=max(offsets)), today - datetime.timedelta(days=min(offsets))


def _responsables(structure_ids):
    users = User.objects.filter(role=Role.RESPONSABLE, structure_id__in=structure_ids, is_active=True)
    by_structure = {}
    for user in users.order_by("pk"):
        by_structure.setdefault(user.structure_id, []).append(user)
    return by_structure


class _CaseloadEcheance(Echeance):
    """A deadline of one person's accompaniment: the referent following them is reminded, or the
    structure's responsables while nobody is designated. E-mails do not name the person."""

    confidential = True
    many = True
    what = ""  # what is due, e.g. "CER à signer"
    _responsables_cache: dict | None = None

    def describe(self, obj):
        return f"{self.what} – {self._person(obj)}"

    def describe_public(self, obj):
        return f"{self.what} – une personne que vous accompagnez"

    def candidates(self, today):
        self._responsables_cache = None  # a new run: responsables read again, once
        return self._candidates(today)

    def _candidates(self, today):
        raise NotImplementedError

    def _structure_responsables(self, structure_id):
        if self._responsables_cache is None:
            # Once per run for every structure: the engine calls recipients() once per object.
            self._responsables_cache = _responsables(Structure.objects.values("pk"))
        return self._responsables_cache.get(structure_id, [])

    def _orientation(self, obj):
        return obj

    def recipients(self, obj):
        orientation = self._orientation(obj)
        referent = orientation.referent
        if referent is not None and referent.date_depart is None and referent.user_id and referent.user.is_active:
            return [referent.user]
        return self._structure_responsables(orientation.structure_id)

    def url(self, obj):
        return reverse_pk("accompagnement:beneficiaire_detail", self._orientation(obj).beneficiaire_id)

    def _person(self, obj):
        return str(self._orientation(obj).beneficiaire)  # "Prénom Nom (N° CAF …)"


_ORIENTATION_RELATED = ("beneficiaire", "structure", "referent__user", "type_accompagnement")


class _Person(SimpleNamespace):
    """A person as the deadlines page names them (`Beneficiaire.__str__`), from three columns."""

    __str__ = Beneficiaire.__str__


# What the deadlines page reads of a page's orientations (`Echeance.page_fields`): the person
# (label, link), the dates and the kind (rules), the same for every deadline of the batch.
_ORIENTATION_PAGE_FIELDS = (
    "date_orientation",
    "date_limite_cer",
    "date_limite_premier_rdv",
    "type_accompagnement__libelle",
    "beneficiaire_id",
    "beneficiaire__prenom",
    "beneficiaire__nom",
    "beneficiaire__numero_caf",
)


def _orientations():
    return (
        Orientation.objects.actives()
        .filter(beneficiaire__archive_le__isnull=True)
        .select_related(*_ORIENTATION_RELATED)
    )


def _kind(orientation) -> str:
    """ "accompagnement équilibré social-professionnel": the kind, inside a sentence."""
    libelle = orientation.type_accompagnement.libelle
    return libelle[:1].lower() + libelle[1:]


def _visible_orientations(user):
    """Caseload deadlines are the structure's work: the referent sees their own people, the
    responsable the structure's. The SLAI and the DPID follow them through indicators."""
    scope = user.scope
    if not scope.is_structure_member:
        return Orientation.objects.none()
    # Built once per user object and scope (a page asks for it once per caseload deadline: the
    # combination below costs more than the query it builds); callers get a clone.
    cached = user.__dict__.get("_echeances_orientations")
    if cached is None or cached[0] is not scope:
        # One WHERE, not `pk IN (subquery)`: at scale the nested subquery made PostgreSQL walk
        # every open CER of the Département before keeping the referent's (EXPLAIN, 0.8 s). The
        # scope's filters chained with `_orientations()`'s, not the two querysets combined (`&`):
        # the same conditions, without relabelling and merging two queries (1 ms a page). No
        # join on the people for the archived ones: visible_to() leaves them out for every role
        # but the DPID's (an anti-join on the few archived), and only structure members come
        # here; the join probed each open row's person once more (EXPLAIN at scale: a
        # structure's deadlines 3.2 → 2.3 ms, the same rows).
        cached = (scope, Orientation.objects.visible_to(user).actives().select_related(*_ORIENTATION_RELATED))
        user.__dict__["_echeances_orientations"] = cached
    return cached[1].all()


class _OrientationEcheance(_CaseloadEcheance):
    """A caseload deadline read from the orientations themselves: `condition` says which of the
    user's orientations are open and due by `until`. The home panel reads all of them in one
    query (`batch`)."""

    batch = "accompagnement_orientation"
    page_fields = _ORIENTATION_PAGE_FIELDS

    def page_object(self, pk, values):
        orientation, limite_cer, limite_rdv, libelle, person, prenom, nom, numero_caf = values
        return SimpleNamespace(
            pk=pk,
            date_orientation=orientation,
            date_limite_cer=limite_cer,
            date_limite_premier_rdv=limite_rdv,
            type_accompagnement=SimpleNamespace(libelle=libelle),
            beneficiaire_id=person,
            beneficiaire=_Person(pk=person, prenom=prenom, nom=nom, numero_caf=numero_caf),
        )

    def condition(self, user, today, until) -> Q | None:
        """The open orientations due by `until` (all open ones without it), or None when this
        deadline is not the user's."""
        raise NotImplementedError

    def batch_parts(self, user, today, until=None):
        if not user.scope.is_structure_member:
            return None
        condition = self.condition(user, today, until)
        if condition is None:
            return None
        # What the pages read of a deadline (the person's name, the kind for the rule); the
        # referent's account and the structure serve the reminders (candidates()).
        return _visible_orientations(user).select_related(None).select_related(
            "beneficiaire", "type_accompagnement"
        ), condition

    def visible(self, user, today, until=None):
        parts = self.batch_parts(user, today, until)
        if parts is None:
            return Orientation.objects.none()
        base, condition = parts
        return base.filter(condition)


@register
class CerApresOrientation(_OrientationEcheance):
    code = "accompagnement_cer_2_mois"
    label = "CER à signer dans le délai du type d'accompagnement suivant l'orientation"
    offsets = (-15, -3, 0, 7)
    what = "CER à signer"
    due_order = "date_limite_cer"
    due_fields = ("date_limite_cer",)

    def rule(self, obj):
        # The delay the orientation started with (stored on it), not the kind's current setting.
        start, limit = obj.date_orientation, obj.date_limite_cer
        months = (limit.year - start.year) * 12 + limit.month - start.month
        if add_months(start, months) != limit:  # a delay in days (équilibré: the 15-day accueil phase)
            delay = f"dans les {(limit - start).days} jours"
        else:
            delay = "dans le mois" if months == 1 else f"dans les {months} mois"
        return f"CER à signer {delay} suivant l'orientation ({_kind(obj)})"

    def _open(self):
        # The first signed CER's date is stored on the orientation (kept by the services).
        return _orientations().filter(premier_cer_le__isnull=True)

    def _candidates(self, today):
        low, high = _window(self, today)
        return self._open().filter(date_limite_cer__range=(low, high))

    def condition(self, user, today, until):
        condition = Q(premier_cer_le__isnull=True)
        return condition & Q(date_limite_cer__lte=until) if until else condition

    def due_date(self, obj):
        return obj.date_limite_cer

    def is_met(self, obj):
        if obj.date_fin is not None:
            return True
        return obj.premier_cer_le is not None


@register
class PremierRendezVous(_OrientationEcheance):
    code = "accompagnement_premier_rdv"
    label = "Premier rendez-vous dans le délai du type d'accompagnement suivant l'orientation"
    offsets = (-5, -2, 0, 3)
    what = "Premier rendez-vous"
    due_order = "date_limite_premier_rdv"
    due_fields = ("date_limite_premier_rdv",)

    def rule(self, obj):
        days = (obj.date_limite_premier_rdv - obj.date_orientation).days
        return f"Premier rendez-vous dans les {pluriel(days, 'jour')} suivant l'orientation ({_kind(obj)})"

    def _open(self):
        return _orientations().filter(date_limite_premier_rdv__isnull=False, premier_rdv_le__isnull=True)

    def _candidates(self, today):
        low, high = _window(self, today)
        return self._open().filter(date_limite_premier_rdv__range=(low, high))

    def condition(self, user, today, until):
        condition = Q(date_limite_premier_rdv__isnull=False, premier_rdv_le__isnull=True)
        return condition & Q(date_limite_premier_rdv__lte=until) if until else condition

    def due_date(self, obj):
        return obj.date_limite_premier_rdv

    def is_met(self, obj):
        if obj.date_fin is not None or obj.date_limite_premier_rdv is None:
            return True
        return obj.premier_rdv_le is not None


@register
class RenouvellementCer(_CaseloadEcheance):
    code = "accompagnement_renouvellement"
    label = "Demande de renouvellement du CER à 5 mois"
    offsets = (-15, -3, 0, 7)
    what = "Demande de renouvellement du CER"
    due_order = "date_debut"  # due 5 months after the start
    due_fields = ("date_debut",)
    page_fields = (
        "orientation__beneficiaire_id",
        "orientation__beneficiaire__prenom",
        "orientation__beneficiaire__nom",
        "orientation__beneficiaire__numero_caf",
    )

    def page_object(self, pk, values):
        person, prenom, nom, numero_caf = values
        beneficiaire = _Person(pk=person, prenom=prenom, nom=nom, numero_caf=numero_caf)
        return SimpleNamespace(pk=pk, orientation=SimpleNamespace(beneficiaire_id=person, beneficiaire=beneficiaire))

    def overdue_q(self, today):
        return Q(date_debut__lte=latest_start_for(today - datetime.timedelta(days=1), RENEWAL_REQUEST_MONTHS))

    def _orientation(self, obj):
        return obj.orientation

    def _open(self):
        return (
            Cer.objects.filter(
                signe_le__isnull=False,
                cloture_le__isnull=True,
                # A CERP (self-employed) has its own steps (accompagnement.echeances_cerp): no
                # renewal request at 5 months.
                phase_cerp="",
                orientation__date_fin__isnull=True,
            )
            # The archived people left out by an anti-join on the few archived ones (as
            # Orientation.visible_to), not a join on every person: the same rows, 0.6 ms less for a
            # structure's 900 CERs (EXPLAIN at scale).
            .filter(
                ~Exists(
                    Beneficiaire.objects.filter(pk=OuterRef("orientation__beneficiaire_id"), archive_le__isnull=False)
                )
            )
            # Filtered as NOT EXISTS, met set as a constant: an EXISTS in the SELECT list read the
            # whole table of renewal requests once more (hashed subplan, EXPLAIN at scale).
            .filter(~Exists(DemandeRenouvellement.objects.filter(cer=OuterRef("pk"))))
            .annotate(met=Value(False))
            .select_related("orientation__beneficiaire", "orientation__structure", "orientation__referent__user")
        )

    def _candidates(self, today):
        low, high = _window(self, today)
        first_start = latest_start_for(low - datetime.timedelta(days=1), RENEWAL_REQUEST_MONTHS)
        first_start += datetime.timedelta(days=1)
        return self._open().filter(date_debut__range=(first_start, latest_start_for(high, RENEWAL_REQUEST_MONTHS)))

    def visible(self, user, today, until=None):
        # The scope as a condition on the joined orientation (the same as Orientation.visible_to
        # for a referent or a responsable): with a subquery PostgreSQL walked every open CER of
        # the Département, sorted, before keeping the user's (EXPLAIN at scale: 0.4–0.8 s).
        scope = user.scope
        if scope.is_referent and scope.referent_id:
            items = self._open().filter(orientation__referent_id=scope.referent_id)
        elif scope.is_responsable:
            items = self._open().filter(orientation__structure_id=scope.structure_id)
        else:
            return Cer.objects.none()
        if until:
            items = items.filter(date_debut__lte=latest_start_for(until, RENEWAL_REQUEST_MONTHS))
        # Pages read the person alone (label, link); the structure and the referent's account
        # serve the reminders (candidates()): four joins fewer to plan (6 ms at scale) and read.
        return items.select_related(None).select_related("orientation__beneficiaire")

    def due_date(self, obj):
        return add_months(obj.date_debut, RENEWAL_REQUEST_MONTHS)

    def is_met(self, obj):
        if obj.cloture_le is not None or obj.signe_le is None:
            return True
        if hasattr(obj, "met"):
            return obj.met
        return (
            DemandeRenouvellement.objects.filter(cer_id=obj.pk).exists()
            or Orientation.objects.filter(pk=obj.orientation_id, date_fin__isnull=False).exists()
        )


@register
class PointEquilibreDouzeMois(_OrientationEcheance):
    """The équilibré accompaniment lasts 6 months, renewable 6 (seed 003 l. 464): at 12 months,
    unless the person has left, the referent holds a review with the SLAI and France Travail
    (France Travail parcours or remobilisation sociale). Met by the exit (a reorientation
    decided at that review is an exit too)."""

    code = "accompagnement_equilibre_12_mois"
    label = "Point à 12 mois avec le SLAI et France Travail (accompagnement équilibré)"
    offsets = (-30, -7, 0, 15)
    what = "Point à 12 mois avec le SLAI et France Travail"
    due_order = "date_orientation"  # due 12 months after the orientation
    due_fields = ("date_orientation",)

    def overdue_q(self, today):
        return Q(date_orientation__lte=latest_start_for(today - datetime.timedelta(days=1), EQUILIBRE_REVIEW_MONTHS))

    def _open(self):
        return _orientations().filter(type_accompagnement__code="equilibre")

    def _candidates(self, today):
        low, high = _window(self, today)
        first = latest_start_for(low - datetime.timedelta(days=1), EQUILIBRE_REVIEW_MONTHS) + datetime.timedelta(
            days=1
        )
        return self._open().filter(date_orientation__range=(first, latest_start_for(high, EQUILIBRE_REVIEW_MONTHS)))

    def condition(self, user, today, until):
        condition = Q(type_accompagnement__code="equilibre")
        if until:
            condition &= Q(date_orientation__lte=latest_start_for(until, EQUILIBRE_REVIEW_MONTHS))
        return condition

    def due_date(self, obj):
        return add_months(obj.date_orientation, EQUILIBRE_REVIEW_MONTHS)

    def is_met(self, obj):
        return obj.date_fin is not None


@register
class ReferentADesigner(_OrientationEcheance):
    """The structure's responsables see (home page, deadlines page) and are reminded of (e-mail or
    daily digest) each person oriented to the structure and still without a referent."""

    code = "accompagnement_referent_a_designer"
    label = f"Référent à désigner dans les {REFERENT_DELAI_JOURS} jours suivant l'orientation"
    # -7: the day the orientation arrives (in the digest the next morning); then the due day, J+7.
    offsets = (-REFERENT_DELAI_JOURS, 0, 7)
    what = "Référent à désigner"
    due_order = "date_orientation"  # due a week after the orientation
    due_fields = ("date_orientation",)

    def overdue_q(self, today):
        return Q(date_orientation__lt=today - datetime.timedelta(days=REFERENT_DELAI_JOURS))

    def _open(self):
        return _orientations().sans_referent()

    def _candidates(self, today):
        low, high = _window(self, today)
        delay = datetime.timedelta(days=REFERENT_DELAI_JOURS)
        return self._open().filter(date_orientation__range=(low - delay, high - delay))

    def condition(self, user, today, until):
        # The responsable's alone (their structure's orientations, as Orientation.visible_to).
        if not user.scope.is_responsable:
            return None
        condition = sans_referent_q()
        if until:
            condition &= Q(date_orientation__lte=until - datetime.timedelta(days=REFERENT_DELAI_JOURS))
        return condition

    def due_date(self, obj):
        return obj.date_orientation + datetime.timedelta(days=REFERENT_DELAI_JOURS)

    def is_met(self, obj):
        return obj.referent_en_poste is not None or obj.date_fin is not None

    def recipients(self, obj):
        return self._structure_responsables(obj.structure_id)

    def url(self, obj):
        return reverse_pk("accompagnement:orientation_assign", obj.pk)


def reporting_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The month whose report is due this month, and its due date (the 10th, seed 004 l. 187)."""
    mois = add_months(today.replace(day=1), -1)
    return mois, indicateurs.reporting_date_limite(mois)


def _structures_to_report(mois: datetime.date):
    """The structures that owe the month's report and have not validated it (met: False): a
    fresh clone of the month's query (built once a month per process), never the kept one."""
    return _structures_to_report_query(mois).all()


@functools.lru_cache(maxsize=2)
def _structures_to_report_query(mois: datetime.date):
    """The month's query, built once (never evaluated: `_structures_to_report` hands out clones)."""
    validated = ReportingMensuel.objects.filter(structure=OuterRef("pk"), mois=mois)
    return (
        indicateurs.structures_a_reporter(Structure.objects.all(), mois)
        .annotate(met=Exists(validated))
        .filter(met=False)
        .order_by("nom")
    )


@register
class ReportingMensuelAValider(Echeance):
    """Each structure that accompanied people during a month validates its report by the 10th of
    the next one. The object is the structure; the month comes from the day of the run (all the
    offsets fall within the month of the due date)."""

    code = "accompagnement_reporting_mensuel"
    label = "Reporting mensuel à valider avant le 10 du mois suivant"
    offsets = (-7, -3, 0, 5)

    def _structures(self, today):
        # A clone of the month's query (built once a month per process: pages build it on every
        # request, for the presence test and the list); the cached one is never evaluated.
        return _structures_to_report(reporting_period(today)[0])

    def _with_period(self, structures, today):
        mois, due = reporting_period(today)
        for structure in structures:
            structure.reporting_mois, structure.reporting_due = mois, due
            yield structure

    def candidates(self, today):
        return list(self._with_period(self._structures(today), today))

    def _visible_structures(self, user, today, until):
        scope = user.scope
        _, due = reporting_period(today)
        if scope.is_responsable:
            if until and due > until:
                return Structure.objects.none()
            return self._structures(today).filter(pk=scope.structure_id)
        if scope.sees_departement or scope.is_slai:
            if due >= today:  # the Département sees the late ones only
                return Structure.objects.none()
            return self._structures(today).filter(pk__in=Structure.objects.visible_to(user).values("pk"))
        return Structure.objects.none()

    def presence(self, user, today, until=None):
        return self._visible_structures(user, today, until)

    def visible(self, user, today, until=None):
        structures = self._visible_structures(user, today, until)
        return [] if structures.query.is_empty() else list(self._with_period(structures, today))

    def _period_of(self, obj):
        if hasattr(obj, "reporting_mois"):
            return obj.reporting_mois, obj.reporting_due
        return reporting_period(timezone.localdate())

    def due_date(self, obj):
        return self._period_of(obj)[1]

    def is_met(self, obj):
        if hasattr(obj, "met"):
            return obj.met
        return indicateurs.reporting_is_validated(obj, self._period_of(obj)[0])

    def recipients(self, obj):
        return _responsables([obj.pk]).get(obj.pk, [])

    def describe(self, obj):
        return f"Reporting mensuel {de_mois(self._period_of(obj)[0])} – {obj.nom}"

    def url(self, obj):
        mois = self._period_of(obj)[0]
        return reverse(
            "accompagnement:reporting_detail", kwargs={"structure_pk": obj.pk, "annee": mois.year, "mois": mois.month}
        )


# The self-employed accompaniment's deadlines (CERP steps) are declared in their own module.
from accompagnement import echeances_cerp  # noqa: E402, F401  (registrations)
