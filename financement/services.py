"""Writes of the funding domain: what-if programmings (then conventions, avenants, payments)."""

from django.db import transaction
from django.utils import timezone

from financement.models import Deliberation, LigneAnnexe, SimulationProgrammation


class FinancementError(Exception):
    """An action the record's state does not allow (shown to the user as is)."""


@transaction.atomic
def simulation_create(*, deliberation: Deliberation, nom: str, lignes, user) -> SimulationProgrammation:
    if deliberation.is_voted:
        raise FinancementError("La délibération est votée : sa programmation ne change plus.")
    lignes = list(lignes)
    if any(ligne.deliberation_id != deliberation.pk for ligne in lignes):
        raise FinancementError("Une proposition choisie n'appartient pas à cette délibération.")
    if SimulationProgrammation.objects.filter(deliberation=deliberation, nom=nom).exists():
        raise FinancementError(f"Une simulation s'appelle déjà « {nom} ».")
    simulation = SimulationProgrammation.objects.create(deliberation=deliberation, nom=nom, created_by=user)
    simulation.lignes.set(lignes)
    return simulation


@transaction.atomic
def simulation_promote(*, simulation: SimulationProgrammation, user) -> SimulationProgrammation:
    """The simulation's choice becomes the proposal put to the vote: its lines are retained, the
    others are not; the previously promoted simulation steps back."""
    deliberation = Deliberation.objects.select_for_update().get(pk=simulation.deliberation_id)
    if deliberation.is_voted:
        raise FinancementError("La délibération est votée : sa programmation ne change plus.")
    simulation = SimulationProgrammation.objects.select_for_update().get(pk=simulation.pk)
    if simulation.promue:
        raise FinancementError("Action déjà effectuée : cette simulation est déjà promue.")
    SimulationProgrammation.objects.filter(deliberation=deliberation, promue=True).update(promue=False, promue_at=None)
    chosen = simulation.lignes.values("pk")
    LigneAnnexe.objects.filter(deliberation=deliberation).exclude(pk__in=chosen).update(retenue=False)
    LigneAnnexe.objects.filter(deliberation=deliberation, pk__in=chosen).update(retenue=True)
    simulation.promue = True
    simulation.promue_at = timezone.now()
    simulation.save(update_fields=["promue", "promue_at"])
    return simulation
