from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = "Socle commun"

    def ready(self):
        from portal.core import checks  # noqa: F401  (registers the deployment checks)
