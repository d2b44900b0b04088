from celery import shared_task

from portal.documents import services

MAX_RETRIES = 3
RETRY_BACKOFF_SECONDS = 10  # 10 s, 20 s, 40 s


@shared_task(bind=True, max_retries=MAX_RETRIES, acks_late=True)
def render_document(self, document_id):
    if self.request.is_eager:
        # Without a broker (demo, tests) there is nobody to run a delayed retry: try again now.
        for attempt in range(MAX_RETRIES + 1):
            try:
                services.document_render(document_id=document_id, final_attempt=attempt == MAX_RETRIES)
                return
            # Retried in the loop, the last attempt records the failure.
            except Exception:  # nosec B112
                continue
        return
    try:
        services.document_render(document_id=document_id, final_attempt=self.request.retries >= self.max_retries)
    except Exception as error:
        raise self.retry(exc=error, countdown=RETRY_BACKOFF_SECONDS * 2**self.request.retries) from error
