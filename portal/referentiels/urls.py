from django.urls import path

from portal.referentiels import views

app_name = "referentiels"

urlpatterns = [
    path("territoires/", views.territoire_list, name="territoire_list"),
    path("structures/", views.structure_list, name="structure_list"),
    path("structures/nouvelle/", views.structure_create, name="structure_create"),
    path("structures/<int:pk>/", views.structure_detail, name="structure_detail"),
    path("structures/<int:pk>/modifier/", views.structure_update, name="structure_update"),
    path("referents/", views.referent_list, name="referent_list"),
    path("referents/nouveau/", views.referent_create, name="referent_create"),
    path("referents/<int:pk>/", views.referent_detail, name="referent_detail"),
    path("referents/<int:pk>/modifier/", views.referent_update, name="referent_update"),
]
