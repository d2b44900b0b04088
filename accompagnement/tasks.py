from celery import shared_task
from django.utils import timezone

from accompagnement import gardes, retention


@shared_task
def retention_run():
    """Weekly (Celery beat): archive and delete the records whose retention time is over."""
    result = retention.retention_apply(today=timezone.localdate())
    return {"archived": result.archived, "purged": result.purged, "restored": result.restored}


@shared_task
def indicateurs_precalcul():
    """Nightly (Celery beat): compute the closed months of the last 12 for every structure, those
    a write forgot and those whose deadlines were still open, so that no user waits for them."""
    return {"mois_calcules": gardes.precalculer(timezone.localdate())}
