"""Who may read and change the funding records."""


def can_view_finances(user) -> bool:
    """Budget lines, deliberations and simulations: DPID agents, admins and managers ("pilotage",
    read-only). Structures and SLAI agents see their own conventions only."""
    return user.scope.sees_departement


def can_manage_finances(user) -> bool:
    """DPID agents and admins prepare programmings, conventions, avenants and payments; managers
    only read."""
    return user.scope.is_dpid
