"""Registry of official document kinds. Each room or domain declares its kinds in its own
`documents.py`, imported from its AppConfig.ready()."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DocumentKind:
    code: str
    label: str
    template: str
    owner_model: type
    build_context: Callable  # (owner) -> dict
    filename: Callable  # (owner, version) -> str
    can_request: Callable  # (user, owner) -> bool
    # Decision documents (letters, conventions, avenants) are previewed, then issued and frozen.
    is_decision: bool = False
    can_issue: Callable | None = None  # (user, owner) -> bool
    # Who may see this kind's documents among those who see the owner (default: all of them).
    can_view: Callable | None = None  # (user, owner) -> bool
    # Called inside the issuing transaction, e.g. to date a notification from the letter.
    on_issue: Callable | None = None  # (document, owner) -> None
    # The sensitive record a document is about (e.g. the beneficiary of a CER): its requests and
    # downloads are also written to that record's audit trail, where the DPID looks for them.
    audit_subject: Callable | None = None  # (owner) -> model instance

    def audit_subjects(self, owner):
        subject = self.audit_subject(owner) if self.audit_subject is not None else None
        return [subject] if subject is not None else []

    def owners_visible_to(self, user):
        return self.owner_model.objects.visible_to(user)

    def user_can_view(self, user, owner):
        return self.can_view is None or self.can_view(user, owner)

    def user_can_issue(self, user, owner):
        return self.is_decision and self.can_issue is not None and self.can_issue(user, owner)


_kinds: dict[str, DocumentKind] = {}


def register(kind: DocumentKind) -> DocumentKind:
    _kinds[kind.code] = kind
    return kind


def get(code: str) -> DocumentKind:
    return _kinds[code]


def for_model(model) -> list[DocumentKind]:
    return [kind for kind in _kinds.values() if kind.owner_model is model]
