from django.urls import path

from portal.core import legal

app_name = "core"

urlpatterns = [
    path("mentions-legales/", legal.mentions_legales, name="mentions_legales"),
    path("donnees-personnelles/", legal.donnees_personnelles, name="donnees_personnelles"),
    path("accessibilite/", legal.accessibilite, name="accessibilite"),
]
