from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    name = "portal.referentiels"
    label = "referentiels"
    verbose_name = "Référentiels"

    def ready(self):
        from portal.referentiels import demo, documents, scale  # noqa: F401  (registrations)
