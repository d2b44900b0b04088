from django.urls import path

from portal.echeances import views

app_name = "echeances"

urlpatterns = [
    path("echeances/", views.echeance_list, name="list"),
    path("echeances/nouvelle/", views.echeance_create, name="create"),
    path("echeances/<int:pk>/", views.echeance_detail, name="detail"),
    path("echeances/<int:pk>/realisee/", views.echeance_mark_done, name="mark_done"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/ouvrir/", views.notification_open, name="notification_open"),
    path("notifications/tout-lu/", views.notification_read_all, name="notification_read_all"),
    path("notifications/preferences/", views.preferences, name="preferences"),
]
