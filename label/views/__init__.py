"""The label pages, one module per procedure: `accueil` (home), `formations` (training records,
CER upload), `demandes` (the request, its moratorium and appeal), `retraits` (withdrawal and its
new study), `rapports` (handover and yearly report), `chartes` (quality charters); `common` holds
what they share. `label/urls.py` reads them from here."""

from label.views.accueil import (
    label_home,
)
from label.views.chartes import (
    charte_deposer,
    charte_examiner,
    charte_piece,
    chartes,
)
from label.views.demandes import (
    demande_avis_slai,
    demande_create,
    demande_decider,
    demande_deposer,
    demande_detail,
    demande_evaluer,
    demande_renvoyer,
    demande_update,
    evaluation,
    moratoire_update,
    panel_reduit_accepter,
    recours_deposer,
    recours_repondre,
    tirage_create,
)
from label.views.formations import (
    cer_import,
    formation_accept,
    formation_add,
    formation_piece,
    formations,
)
from label.views.rapports import (
    rapport_annuel,
    rapport_annuel_pdf,
    remise,
)
from label.views.retraits import (
    retrait_conclure,
    retrait_create,
    retrait_decider,
    retrait_detail,
    retrait_etude,
    retrait_observations,
)

__all__ = [
    "cer_import",
    "charte_deposer",
    "charte_examiner",
    "charte_piece",
    "chartes",
    "demande_avis_slai",
    "demande_create",
    "demande_decider",
    "demande_deposer",
    "demande_detail",
    "demande_evaluer",
    "demande_renvoyer",
    "demande_update",
    "evaluation",
    "formation_accept",
    "formation_add",
    "formation_piece",
    "formations",
    "label_home",
    "moratoire_update",
    "panel_reduit_accepter",
    "rapport_annuel",
    "rapport_annuel_pdf",
    "recours_deposer",
    "recours_repondre",
    "remise",
    "retrait_conclure",
    "retrait_create",
    "retrait_decider",
    "retrait_detail",
    "retrait_etude",
    "retrait_observations",
    "tirage_create",
]
