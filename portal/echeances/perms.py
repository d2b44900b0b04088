def can_create_echeance(user):
    """DPID agents and admins set deadlines for any structure, SLAI agents for the structures
    working on their territory (the form offers only those)."""
    scope = user.scope
    return scope.is_dpid or scope.is_slai


def can_mark_done(user, echeance):
    """The structure concerned says it has done it; the Département (creator, DPID) can too."""
    scope = user.scope
    if scope.is_dpid:
        return True
    if scope.is_structure_member and scope.structure_id == echeance.structure_id:
        return True
    return scope.is_slai and echeance.created_by_id == user.pk
