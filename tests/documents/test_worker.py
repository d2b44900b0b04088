import os

import pytest

from portal.celery import app
from portal.documents.enums import DocumentStatus
from portal.documents.services import document_request

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL absent : pas de Redis réel"),
]


def test_real_worker_renders_a_document_end_to_end(transactional_db, world, media_root):
    from celery.contrib.testing.worker import start_worker

    assert app.conf.task_always_eager is False
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        document = document_request(owner=world.structure_a, kind_code="fiche_structure", user=world.user("dpid"))
        # The request committed (transactional_db), so the task went through Redis to the worker.
        import time

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            document.refresh_from_db()
            if not document.is_pending:
                break
            time.sleep(0.2)
    assert document.status == DocumentStatus.PRET, document.error
    assert (media_root / document.file.name).read_bytes().startswith(b"%PDF")
    assert document.version == world.fiche.version + 1  # a new version next to the fixture one
