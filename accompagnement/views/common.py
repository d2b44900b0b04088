"""What the views of several sections share."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from accompagnement import perms
from accompagnement.models import Orientation


def followed_orientation(request, pk):
    """The orientation if in the user's scope (404 otherwise) and followed by the user (403 otherwise)."""
    orientation = get_object_or_404(
        Orientation.objects.visible_to(request.user).select_related("beneficiaire", "structure"), pk=pk
    )
    if not perms.can_follow(request.user, orientation):
        raise PermissionDenied
    return orientation
