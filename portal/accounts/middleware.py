from portal.accounts.scope import Scope


class ScopeMiddleware:
    """Resolve the requesting user's scope once per request (see DESIGN.md §1)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = Scope.of(request.user)
        return self.get_response(request)


class IdleTimeoutMiddleware:
    """A signed-in session left idle longer than PORTAL_IDLE_TIMEOUT_MINUTES ends: the next
    request logs out and goes back to the login page with a message. The last activity is
    written at most once a minute (one session write, not one per request)."""

    SESSION_KEY = "portal_last_activity"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib import messages
        from django.contrib.auth import logout
        from django.shortcuts import redirect
        from django.urls import reverse
        from django.utils.http import urlencode

        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(self.SESSION_KEY)
            limit = settings.PORTAL_IDLE_TIMEOUT_MINUTES * 60
            if last is not None and limit and now - last > limit:
                logout(request)
                messages.info(
                    request,
                    f"Votre session a pris fin après {settings.PORTAL_IDLE_TIMEOUT_MINUTES} minutes d'inactivité. "
                    "Reconnectez-vous pour continuer.",
                )
                return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
            if last is None or now - last >= 60:
                request.session[self.SESSION_KEY] = now
        return self.get_response(request)


def start_activity_clock(sender, request, user, **kwargs):
    """At login the session already holds its last activity (no extra session write on the first
    page)."""
    import time

    if request is not None and hasattr(request, "session"):
        request.session[IdleTimeoutMiddleware.SESSION_KEY] = int(time.time())
