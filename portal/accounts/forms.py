from django import forms
from django.contrib.auth.forms import AuthenticationForm
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
