from django.apps import AppConfig


class AccompagnementConfig(AppConfig):
    name = "accompagnement"
    verbose_name = "Accompagnement des bénéficiaires"

    def ready(self):
        from accompagnement import (  # noqa: F401  (registrations: demo, documents, deadlines)
            demo,
            documents,
            echeances,
            panels,
        )
