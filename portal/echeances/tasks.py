from celery import shared_task

from portal.echeances import services

EMAIL_MAX_RETRIES = 5
EMAIL_RETRY_SECONDS = 60


@shared_task
def send_due_reminders():
    """Daily (Celery beat): reminders for every registered deadline."""
    return services.reminders_send_due()


@shared_task
def send_digests():
    """Daily (Celery beat), after the reminders: one e-mail per person who chose the digest."""
    return services.digests_send()


@shared_task(bind=True, max_retries=EMAIL_MAX_RETRIES, acks_late=True)
def send_notification_email(self, notification_id):
    try:
        return services.notification_email_send(notification_id=notification_id)
    except OSError as error:  # SMTP server unreachable: try again later
        raise self.retry(exc=error, countdown=EMAIL_RETRY_SECONDS * 2**self.request.retries) from error
