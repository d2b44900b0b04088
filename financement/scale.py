"""Funding at a Département's scale (`seed_scale`): the budget lines, deliberation 2024-587 of
the CP of 9 December 2024 with its annex lines and articles, the programming simulations, the
conventions and amendments signed from it and their payments — the demo's real figures (seed
003), which the funding dashboard and its cost per result then set against the accompaniment
results of the whole scale data set (52 700 people at factor 1).

Registered by `portal.core.scale` (autodiscovery of `<app>.scale`), after the calls for projects.
"""

from portal.core.scale import register


@register("Financement : délibération, annexe, conventions et versements", order=85)
def seed(ctx):
    from django.apps import apps

    from financement import demo
    from financement.models import Deliberation

    if Deliberation.objects.filter(lignes__isnull=False).exists():
        return "délibérations déjà chargées"
    summary = demo.load()
    app = apps.get_app_config("financement")
    ctx.filled.update(app.get_models())
    return summary
