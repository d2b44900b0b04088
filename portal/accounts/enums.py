from django.db import models


class Role(models.TextChoices):
    RESPONSABLE = "responsable", "Responsable de structure"
    REFERENT = "referent", "Référent de structure"
    SLAI = "slai", "Agent SLAI"
    DPID = "dpid", "Agent DPID"
    MANAGER = "manager", "Pilotage (lecture seule)"
    ADMIN = "admin", "Administrateur DPID"


STRUCTURE_ROLES = frozenset({Role.RESPONSABLE, Role.REFERENT})
# Roles that see the whole département (the manager only reads).
DEPARTEMENT_ROLES = frozenset({Role.DPID, Role.MANAGER, Role.ADMIN})
