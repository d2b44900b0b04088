"""What a user may do on caseloads. Seeing is decided by each model's `visible_to`."""


def can_orient(user):
    """The SLAI orients the people of its territory; the DPID any."""
    return user.scope.is_slai or user.scope.is_dpid


def can_assign(user, orientation):
    """The structure's responsable assigns a referent; the DPID may too."""
    scope = user.scope
    return scope.is_dpid or (scope.is_responsable and scope.structure_id == orientation.structure_id)


def can_import(user):
    """Importing the Département's export is a headquarters task."""
    return user.scope.is_dpid


def can_follow(user, orientation):
    """The referent following the person records interviews and CERs; the structure's
    responsable may too (absence of the referent)."""
    scope = user.scope
    if scope.is_referent:
        return scope.referent_id is not None and orientation.referent_id == scope.referent_id
    return scope.is_responsable and scope.structure_id == orientation.structure_id
