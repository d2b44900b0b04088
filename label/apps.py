from django.apps import AppConfig


class LabelConfig(AppConfig):
    name = "label"
    verbose_name = "Label référent RSA"

    def ready(self):
        from label import demo, documents, echeances, panels, scale  # noqa: F401  (registrations)
