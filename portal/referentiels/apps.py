from django.apps import AppConfig


class ReferentielsConfig(AppConfig):
    name = "portal.referentiels"
    label = "referentiels"
    verbose_name = "Référentiels"

    def ready(self):
        from portal.referentiels import demo, panels  # noqa: F401  (registers demo data and home panels)
