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
