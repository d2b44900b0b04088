from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.db import DatabaseError

from portal.core.demo import DEMO_EMAIL_DOMAIN


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


@register(Tags.security, deploy=True)
def demo_mode_off_in_production(app_configs, **kwargs):
    """`check --deploy` fails while demo mode is on: its accounts have a public password."""
    if not settings.DEMO_MODE:
        return []
    return [
        Error(
            "Le mode démonstration est activé (PORTAL_DEMO=1) : les comptes de démonstration, dont le mot de "
            "passe est public, peuvent se connecter.",
            hint="En production, retirez PORTAL_DEMO de l'environnement (ou mettez PORTAL_DEMO=0).",
            id="portal.E001",
        )
    ]


@register(Tags.security, deploy=True)
def two_factor_in_production(app_configs, **kwargs):
    """`check --deploy` fails if two-factor authentication is off outside demo mode."""
    if settings.PORTAL_2FA_REQUIRED or settings.DEMO_MODE:
        return []
    return [
        Error(
            "La double authentification est désactivée (PORTAL_2FA_REQUIRED=0) hors mode démonstration : "
            "chaque compte lit des données de bénéficiaires et doit la passer.",
            hint="Retirez PORTAL_2FA_REQUIRED de l'environnement de production.",
            id="portal.E003",
        )
    ]


def _demo_accounts_outside_demo_mode():
    if settings.DEMO_MODE:
        return []
    from portal.accounts.models import User

    try:
        emails = list(User.objects.filter(email__iendswith="@" + DEMO_EMAIL_DOMAIN).values_list("email", flat=True))
    except DatabaseError:  # no database yet, or not migrated: no account either
        return []
    if not emails:
        return []
    return [
        Error(
            f"{len(emails)} compte(s) de démonstration (mot de passe public) dans la base alors que le mode "
            f"démonstration est désactivé : {', '.join(sorted(emails)[:6])}.",
            hint="Supprimez-les (ou désactivez-les) dans /admin/, ou servez cette base en mode démonstration "
            "(PORTAL_DEMO=1, jamais en production). Leur connexion est refusée en attendant.",
            id="portal.E002",
        )
    ]


@register(Tags.security, Tags.database)
def no_demo_account_outside_demo_mode(app_configs, **kwargs):
    """A database where the demo was once loaded holds accounts with a public password. Checked
    when a command works on the database (`migrate`, `check --database default`): Django runs the
    checks tagged `database` only then."""
    return _demo_accounts_outside_demo_mode()


@register(Tags.security, deploy=True)
def no_demo_account_in_production(app_configs, **kwargs):
    """The same, always, in `check --deploy`."""
    return _demo_accounts_outside_demo_mode()
