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


def can_edit_cer(user, cer):
    """The referent following the person (or the structure's responsable, as for `can_follow`)
    edits, signs, closes and renews the person's CERs; others only read them."""
    return can_follow(user, cer.orientation)


def can_export_cer(user, cer):
    """The exchange file names the person by N° CAF: it leaves the portal only with the structure
    that made the CER (to grade it, to file it) or with the DPID. The SLAI and the managers read
    CERs in the portal but do not hand them out."""
    scope = user.scope
    return scope.is_dpid or (scope.is_structure_member and scope.structure_id == cer.orientation.structure_id)


def can_import_cer(user):
    """A structure's responsable imports the CERs of its own caseload (the exchange format of the
    label): each CER goes to the structure's current accompaniment of that N° CAF."""
    return user.scope.is_responsable and user.scope.structure_id is not None


# --- parcours ----------------------------------------------------------------------------------


def can_decide_parcours(user, beneficiaire):
    """Reorientation and renewal requests, and suspension procedures, are decided by the SLAI of
    the person's territory (seed 000: the SLAI validates orientations); the DPID may too."""
    scope = user.scope
    return scope.is_dpid or (scope.is_slai and scope.territoire_id == beneficiaire.territoire_id)


def can_see_a_traiter(user):
    """The list of pending decisions is the SLAI's (its territory) and the DPID's (all)."""
    return user.scope.is_slai or user.scope.is_dpid


def can_validate_reporting(user, structure):
    """The structure's responsable validates its own monthly reporting (seed 004: the porteur
    reports its figures by the 10th); the SLAI and the DPID read it, they do not certify a
    structure's figures in its place."""
    scope = user.scope
    return scope.is_responsable and scope.structure_id == structure.pk


def can_export_beneficiaire(user, beneficiaire):
    """A person's right of access (RGPD art. 15) is answered by the Département, controller of the
    RSA data: the DPID exports any record; the responsable of a structure the person is or was
    oriented to exports what the structure holds (it answers requests made at its office). The
    referent, the SLAI and the managers read records but do not hand them out."""
    scope = user.scope
    if scope.is_dpid:
        return True
    return scope.is_responsable and beneficiaire.orientations.filter(structure_id=scope.structure_id).exists()


def can_see_retention(user):
    """Archiving and deleting records after the retention time is the DPID's (controller)."""
    return user.scope.is_dpid
