from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.urls import reverse_lazy

from portal.accounts.forms import LoginForm
from portal.core.home import panels_for

ROLE_INTRO = {
    "responsable": "Suivez votre structure, vos référents et vos démarches auprès du Département.",
    "referent": "Retrouvez votre file active, vos échéances et votre fiche de référent.",
    "slai": "Suivez les structures et les référents qui interviennent sur votre territoire.",
    "dpid": "Instruisez les demandes et suivez l'ensemble des structures du département.",
    "manager": "Consultez l'ensemble des données du département, en lecture seule.",
    "admin": "Administrez le portail : comptes, référentiels et journal d'accès.",
}


def home(request):
    """Per-role home page: what needs the user's attention, filled by each domain's panels."""
    context = {"panels": panels_for(request), "intro": ROLE_INTRO.get(request.scope.role, "")}
    return render(request, "accounts/home.html", context)


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    html_email_template_name = "registration/password_reset_email.html"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password_change_done")
