from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from portal.accounts import demo  # noqa: F401  (registers the demo accounts)
        from portal.accounts.middleware import start_activity_clock

        user_logged_in.connect(start_activity_clock, dispatch_uid="portal_idle_clock")
