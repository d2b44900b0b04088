from financement.views.budget import (
    deliberation_detail,
    deliberation_export,
    deliberation_list,
    ligne_detail,
    lignes,
    simulation_create,
    simulation_promote,
    simulations,
    subventions_export,
)
from financement.views.conventions import (
    avenant_detail,
    avenant_transition,
    convention_detail,
    convention_list,
    convention_transition,
    versement_create,
)

__all__ = [
    "avenant_detail",
    "avenant_transition",
    "convention_detail",
    "convention_list",
    "convention_transition",
    "deliberation_detail",
    "deliberation_export",
    "deliberation_list",
    "ligne_detail",
    "lignes",
    "simulation_create",
    "simulation_promote",
    "simulations",
    "subventions_export",
    "versement_create",
]
