from portal.echeances.models import Notification


def notifications(request):
    """The unread count shown on every page (one COUNT query, only when signed in)."""
    scope = getattr(request, "scope", None)
    if scope is None or not scope.is_authenticated:
        return {}
    return {"unread_notifications": Notification.objects.visible_to(request.user).unread().count()}
