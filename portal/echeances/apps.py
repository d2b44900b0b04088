from django.apps import AppConfig


class EcheancesConfig(AppConfig):
    name = "portal.echeances"
    label = "echeances"
    verbose_name = "Échéances et notifications"

    def ready(self):
        from portal.echeances import demo, echeances, panels, scale  # noqa: F401  (registrations)
