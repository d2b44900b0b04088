from django.apps import AppConfig


class AapConfig(AppConfig):
    name = "aap"
    verbose_name = "Appels à projets"

    def ready(self):
        from aap import demo, documents, echeances, panels  # noqa: F401  (registrations)
