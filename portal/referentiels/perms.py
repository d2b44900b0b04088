"""What a user may do on structures and referents. Seeing is decided by `visible_to`."""


def can_create_structure(user):
    """DPID agents and admins register partner structures; nobody else does."""
    return user.scope.is_dpid


def can_edit_structure(user, structure):
    """DPID agents and admins edit any structure; a structure's responsable edits its own
    address and contacts (not its SIRET, legal form or territories)."""
    scope = user.scope
    return scope.is_dpid or (scope.is_responsable and scope.structure_id == structure.pk)


def can_edit_structure_identity(user):
    """Name, SIRET, legal form and territories are the Département's referential: DPID only."""
    return user.scope.is_dpid


def can_manage_referents(user, structure=None):
    """A structure's responsable manages its referents; DPID agents and admins manage all.
    Without a structure: may this user add referents at all?"""
    scope = user.scope
    if scope.is_dpid:
        return True
    if not scope.is_responsable:
        return False
    return structure is None or scope.structure_id == structure.pk
