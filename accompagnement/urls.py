from django.urls import path

from accompagnement import views

app_name = "accompagnement"

urlpatterns = [
    path("", views.caseload, name="caseload"),
    path("beneficiaires/<int:pk>/", views.beneficiaire_detail, name="beneficiaire_detail"),
    path("orientations/nouvelle/", views.orientation_create, name="orientation_create"),
    path("orientations/<int:pk>/affecter/", views.orientation_assign, name="orientation_assign"),
    path("orientations/<int:pk>/entretiens/nouveau/", views.entretien_create, name="entretien_create"),
    path("orientations/<int:pk>/cer/nouveau/", views.cer_create, name="cer_create"),
    path("imports/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", views.import_confirm, name="import_confirm"),
]
