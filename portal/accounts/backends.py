from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from portal.core.demo import is_demo_email


def demo_account_refused(email) -> bool:
    """A demo account (public password) is refused everywhere but in demo mode."""
    return not settings.DEMO_MODE and is_demo_email(email)


class PortalBackend(ModelBackend):
    """Django's model backend, refusing the demo accounts outside demo mode: their password is
    public, so on a production database where the demo was once loaded they must not open a
    session (login page, admin login, or a session opened before), even if the system check
    portal.E002 is silenced."""

    def user_can_authenticate(self, user):
        return super().user_can_authenticate(user) and not demo_account_refused(user.email)

    def get_user(self, user_id):
        """The signed-in user of each request, with their structure and territory in the same query
        (every page reads them: the menu, the scope of every list)."""
        from django.contrib.auth import get_user_model

        user_model = get_user_model()
        try:
            user = user_model._default_manager.select_related("structure", "territoire").get(pk=user_id)
        except user_model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' lock-out check, first in AUTHENTICATION_BACKENDS. Every login form of the
    portal and of /admin/ passes the request; a call without one (a shell, `Client.login` in
    tests) has no client to count failures for, so it is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
