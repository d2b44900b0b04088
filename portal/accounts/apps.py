from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self):
        from portal.accounts import demo  # noqa: F401  (registers the demo accounts)
