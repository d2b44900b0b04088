from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Accompagnement des bénéficiaires"

    def ready(self):
        from accompagnement import demo, documents, echeances, panels, scale, signals  # noqa: F401  (registrations)
