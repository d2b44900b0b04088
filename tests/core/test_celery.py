import os

import pytest

from portal.celery import app
from portal.core.tasks import ping
from tests.factories import StructureFactory


def test_configuration(settings):
    assert app.conf.task_serializer == "json"
    assert app.conf.accept_content == ["json"]
    assert app.conf.task_acks_late is True
    assert app.conf.timezone == "Europe/Paris"
    assert "portal.core.tasks.ping" in app.tasks


def test_eager_without_redis(db, settings):
    """Without REDIS_URL (the demo), tasks run in the web process."""
    assert settings.CELERY_TASK_ALWAYS_EAGER is (not os.environ.get("REDIS_URL"))
    StructureFactory()
    assert ping.delay("bonjour").get() == {"pong": "bonjour", "structures": 1}


@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL absent : pas de Redis réel")
def test_real_worker_against_real_redis(transactional_db):
    from celery.contrib.testing.worker import start_worker

    assert app.conf.task_always_eager is False
    assert app.conf.broker_url.startswith("redis://")
    StructureFactory.create_batch(2)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = ping.delay("bonjour")
        assert result.get(timeout=30) == {"pong": "bonjour", "structures": 2}
        assert result.status == "SUCCESS"
