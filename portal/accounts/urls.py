from django.contrib.auth import views as auth_views
from django.urls import path

from portal.accounts import twofactor, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("connexion/code/", twofactor.verify, name="otp_verify"),
    path("connexion/double-authentification/", twofactor.setup, name="otp_setup"),
    path("compte/codes-de-secours/", twofactor.recovery, name="otp_recovery"),
    path("comptes/", views.members, name="members"),
    path("comptes/<int:pk>/desactiver/", views.user_disable, name="user_disable"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("mot-de-passe/oubli/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/reinitialiser/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/reinitialise/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("mot-de-passe/changer/", views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
