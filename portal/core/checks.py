from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def production_services(app_configs, **kwargs):
    """`check --deploy`: production needs a broker (otherwise no beat, so no reminders) and the
    public address of the portal (otherwise e-mail links point to 127.0.0.1)."""
    warnings = []
    if not settings.REDIS_URL:
        warnings.append(
            Warning(
                "REDIS_URL n'est pas défini : les tâches Celery s'exécutent dans le processus web et Celery beat "
                "ne tourne pas, donc aucun rappel d'échéance ne part.",
                id="portal.W001",
            )
        )
    if not settings.PORTAL_BASE_URL.startswith("https://"):
        warnings.append(
            Warning(
                f"PORTAL_BASE_URL vaut {settings.PORTAL_BASE_URL!r} : les liens des e-mails doivent pointer vers "
                "l'adresse publique du portail, en https.",
                id="portal.W002",
            )
        )
    return warnings
