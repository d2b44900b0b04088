"""Scale data of the shared deadlines: two deadlines set by the Département per structure, the
older one done."""

import datetime

from portal.core.scale import at, register
from portal.echeances.models import EcheanceManuelle


@register("Échéances fixées par le Département", order=80)
def seed(ctx):
    rng = ctx.rng("echeances")
    dpid = ctx.shared["dpid"]
    rows = []
    for structure in ctx.shared["structures"]:
        done_day = ctx.today - datetime.timedelta(days=rng.randint(30, 200))
        rows.append(
            EcheanceManuelle(
                titre="Bilan annuel d'activité",
                structure=structure,
                date_echeance=done_day,
                created_by=dpid,
                done_at=at(done_day),
                done_by=ctx.shared["responsables"].get(structure.pk) or dpid,
            )
        )
        rows.append(
            EcheanceManuelle(
                titre="Transmettre la liste des référents à jour",
                structure=structure,
                date_echeance=ctx.today + datetime.timedelta(days=rng.randint(-10, 60)),
                created_by=dpid,
            )
        )
    ctx.insert(EcheanceManuelle, rows)
    return f"{len(rows)} échéances"
