"""What a user may do with calls and applications. Seeing is decided by each model's `visible_to`."""


def can_manage_calls(user):
    """The DPID prepares, previews and publishes calls and their dispositifs, and extends windows."""
    return user.scope.is_dpid


def can_apply(user, structure=None):
    """A structure's responsable drafts and files its applications."""
    scope = user.scope
    return scope.is_responsable and (structure is None or scope.structure_id == structure.pk)


def can_act_as_structure(user, candidature):
    return can_apply(user, candidature.structure)


def can_instruct(user, candidature=None):
    """DPID agents (and admins) instruct: admissibility, reviews, corrections, proposal, decision."""
    return user.scope.is_dpid


def can_give_territorial_opinion(user, candidature):
    """The SLAI of the application's territory gives its opinion, or the chef de SLAI's validation
    for a référent solidarité application (seed 000 l. 95–98)."""
    scope = user.scope
    return scope.is_slai and scope.territoire_id == candidature.territoire_id


def can_annotate(user, candidature):
    """Private annotations: the instructors (DPID and the territory's SLAI), never the structure."""
    return can_instruct(user) or can_give_territorial_opinion(user, candidature)


def can_answer_opinion(user, demande_avis):
    """Only the agent asked answers."""
    return demande_avis.destinataire_id == user.pk and demande_avis.rendu_at is None


def can_see_instruction(user):
    """Instruction notes (checklists, annotations, opinions) are for Département staff only."""
    scope = user.scope
    return scope.sees_departement or scope.is_slai


ROLE_CHECKS = {
    "structure": can_act_as_structure,
    "dpid": can_instruct,
    "slai": can_give_territorial_opinion,
}


def can_transition(user, candidature, actor: str) -> bool:
    return ROLE_CHECKS[actor](user, candidature)
