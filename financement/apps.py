from django.apps import AppConfig


class FinancementConfig(AppConfig):
    name = "financement"
    verbose_name = "Financement"

    def ready(self):
        from financement import demo, demo_tableau_de_bord, documents, echeances  # noqa: F401  (registrations)
