from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.http import Http404

from portal.documents import kinds
from portal.documents.models import GeneratedDocument


def document_is_visible(user, document, kind, owner) -> bool:
    """A document follows its owner's scope; an unissued draft of a decision document is seen
    only by those who may issue it."""
    if owner is None or not kind.owners_visible_to(user).filter(pk=owner.pk).exists():
        return False
    if not kind.user_can_view(user, owner):
        return False
    return not kind.is_decision or document.is_issued or kind.user_can_issue(user, owner)


def get_visible_document(user, pk):
    """(document, kind, owner) or 404, through the owner's `visible_to`."""
    document = GeneratedDocument.objects.filter(pk=pk).select_related("content_type").first()
    if document is None:
        raise Http404
    try:
        kind = kinds.get(document.kind)
    except KeyError:
        raise Http404 from None
    owner = kind.owners_visible_to(user).filter(pk=document.object_id).first()
    if owner is None or not document_is_visible(user, document, kind, owner):
        raise Http404
    return document, kind, owner


@dataclass
class KindPanel:
    kind: object
    documents: list = field(default_factory=list)
    can_request: bool = False
    can_issue: bool = False

    @property
    def latest(self):
        return self.documents[0] if self.documents else None


def documents_panel(user, owner) -> list[KindPanel]:
    """For an owner page: each document kind with its visible versions and what the user may do.
    One query for all kinds."""
    owner_kinds = kinds.for_model(type(owner))
    if not owner_kinds:
        return []
    content_type = ContentType.objects.get_for_model(owner, for_concrete_model=False)
    documents = list(
        GeneratedDocument.objects.filter(content_type=content_type, object_id=owner.pk).order_by("kind", "-version")
    )
    panels = []
    for kind in owner_kinds:
        if not kind.user_can_view(user, owner):
            continue
        can_issue = kind.user_can_issue(user, owner)
        visible = [d for d in documents if d.kind == kind.code and (not kind.is_decision or d.is_issued or can_issue)]
        can_request = kind.can_request(user, owner)
        if visible or can_request:
            panels.append(KindPanel(kind=kind, documents=visible, can_request=can_request, can_issue=can_issue))
    return panels
