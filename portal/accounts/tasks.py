from celery import shared_task


@shared_task(acks_late=True)
def send_password_reset_email(*, subject, body, from_email, to_email, html=None):
    """The password-reset e-mail, sent by a worker: the request only prepares it, so the answer's
    duration does not tell whether the address has an account (SMTP may take seconds)."""
    from django.core.mail import EmailMultiAlternatives

    message = EmailMultiAlternatives(subject, body, from_email, [to_email])
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
