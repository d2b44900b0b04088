from django.apps import AppConfig


class AapConfig(AppConfig):
    name = "aap"
    verbose_name = "Appels à projets"
