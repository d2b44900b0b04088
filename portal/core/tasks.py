from celery import shared_task

from portal.referentiels.models import Structure


@shared_task
def ping(value):
    """Round trip through the broker, a worker and the database (health check and CI test)."""
    return {"pong": value, "structures": Structure.objects.count()}
