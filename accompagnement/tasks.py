from celery import shared_task
from django.utils import timezone

from accompagnement import retention


@shared_task
def retention_run():
    """Weekly (Celery beat): archive and delete the records whose retention time is over."""
    result = retention.retention_apply(today=timezone.localdate())
    return {"archived": result.archived, "purged": result.purged, "restored": result.restored}
