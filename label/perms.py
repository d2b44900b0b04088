"""What a user may do in the label procedure. Seeing is decided by each model's `visible_to`."""


def can_manage_training(user, referent):
    """A structure's responsable records its referents' training; the DPID too."""
    scope = user.scope
    return scope.is_dpid or (scope.is_responsable and scope.structure_id == referent.structure_id)


def can_accept_equivalence(user):
    """Only the DPID accepts an earlier training as equivalent (it may ask for the programme)."""
    return user.scope.is_dpid


def can_request_label(user, structure):
    """The structure's responsable files the request."""
    scope = user.scope
    return scope.is_responsable and scope.structure_id == structure.pk


def can_edit_demande(user, demande):
    """Only while it is a draft: a submitted request is frozen."""
    return can_request_label(user, demande.structure) and demande.is_editable


def can_instruct(user, demande):
    """DPID agents and admins instruct, control-grade and decide."""
    return user.scope.is_dpid


def can_give_slai_opinion(user, demande):
    """The SLAI of a territory where the structure works confirms or reworks the opinion; the
    DPID may record it after their joint meeting."""
    scope = user.scope
    if scope.is_dpid:
        return True
    return scope.is_slai and demande.structure.territoires.filter(pk=scope.territoire_id).exists()


def can_file_recours(user, demande):
    """The structure contests a refusal (moratorium or definitive), once."""
    from label.enums import EtatDemande

    return (
        can_request_label(user, demande.structure)
        and demande.etat in (EtatDemande.MORATOIRE, EtatDemande.REFUSEE)
        and not hasattr(demande, "recours")
    )


def can_manage_withdrawal(user):
    """The DPID starts and decides a withdrawal."""
    return user.scope.is_dpid


def can_send_observations(user, retrait):
    """The structure answers the intended withdrawal in writing."""
    return can_request_label(user, retrait.label.structure)
