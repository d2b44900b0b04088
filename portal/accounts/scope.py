"""The one place that says who is asking: role, structure, territory, referent record."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from portal.accounts.enums import DEPARTEMENT_ROLES, STRUCTURE_ROLES, Role


@dataclass(frozen=True)
class Scope:
    role: Role | None = None
    structure_id: int | None = None
    territoire_id: int | None = None
    referent_id: int | None = None

    @classmethod
    def of(cls, user):
        """The scope of a user, computed once per user object (cached on it)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return cls()
        cached = getattr(user, "_scope_cache", None)
        if cached is None:
            referent_id = None
            if user.role == Role.REFERENT:
                try:
                    referent = user.referent
                except ObjectDoesNotExist:
                    referent = None
                # A referent who has left (leaving date reached) keeps their account and history
                # but no longer reaches any person's record: their scope is empty from that day.
                if referent is not None and not (
                    referent.date_depart is not None and referent.date_depart <= timezone.localdate()
                ):
                    referent_id = referent.pk
            cached = cls(
                role=Role(user.role),
                structure_id=user.structure_id if user.role in STRUCTURE_ROLES else None,
                territoire_id=user.territoire_id if user.role == Role.SLAI else None,
                referent_id=referent_id,
            )
            user._scope_cache = cached
        return cached

    @property
    def is_authenticated(self):
        return self.role is not None

    @property
    def is_structure_member(self):
        return self.role in STRUCTURE_ROLES

    @property
    def is_responsable(self):
        return self.role == Role.RESPONSABLE

    @property
    def is_referent(self):
        return self.role == Role.REFERENT

    @property
    def is_slai(self):
        return self.role == Role.SLAI

    @property
    def sees_departement(self):
        """DPID agents, managers and admins see every territory."""
        return self.role in DEPARTEMENT_ROLES

    @property
    def is_dpid(self):
        """DPID agents and admins: the headquarters that instructs and decides."""
        return self.role in (Role.DPID, Role.ADMIN)

    @property
    def is_admin(self):
        return self.role == Role.ADMIN

    @property
    def can_write(self):
        """Managers read everything and change nothing."""
        return self.role is not None and self.role != Role.MANAGER
