from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError

from portal.accounts.backends import demo_account_refused


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Adresse e-mail",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    password = forms.CharField(
        label="Mot de passe",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    error_messages = {
        "invalid_login": "Adresse e-mail ou mot de passe incorrect. Vérifiez votre saisie "
        "(le mot de passe distingue majuscules et minuscules).",
        "inactive": "Ce compte est désactivé. Contactez la DPID.",
        "demo_account": "Les comptes de démonstration ne fonctionnent que sur un portail de démonstration "
        "(make demo) : ils sont refusés ici. Connectez-vous avec votre compte personnel.",
    }

    def clean(self):
        # Said plainly rather than "mot de passe incorrect": the backend refuses these accounts
        # whatever the password (portal.accounts.backends).
        if demo_account_refused(self.cleaned_data.get("username")):
            raise ValidationError(self.error_messages["demo_account"], code="demo_account")
        return super().clean()


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, the e-mail rendered here and sent by a worker (accounts.tasks)."""

    def send_mail(
        self, subject_template_name, email_template_name, context, from_email, to_email, html_email_template_name=None
    ):
        from django.template import loader

        from portal.accounts.tasks import send_password_reset_email

        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = loader.render_to_string(html_email_template_name, context) if html_email_template_name else None
        send_password_reset_email.delay(
            subject=subject, body=body, from_email=from_email, to_email=to_email, html=html
        )
