from django.urls import path

from accompagnement.views import base, cer, donnees, indicateurs, parcours  # noqa: F401 (filled by section)

app_name = "accompagnement"

urlpatterns = [
    path("", base.caseload, name="caseload"),
    path("beneficiaires/<int:pk>/", base.beneficiaire_detail, name="beneficiaire_detail"),
    path("orientations/nouvelle/", base.orientation_create, name="orientation_create"),
    path("orientations/<int:pk>/affecter/", base.orientation_assign, name="orientation_assign"),
    path("orientations/<int:pk>/entretiens/nouveau/", base.entretien_create, name="entretien_create"),
    path("orientations/<int:pk>/cer/nouveau/", base.cer_create, name="cer_create"),
    path("imports/", base.import_upload, name="import_upload"),
    path("imports/<int:pk>/", base.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", base.import_confirm, name="import_confirm"),
    # --- CER: detail, signature, closure, grid, JSON, PDF (views/cer.py) ---
    # --- parcours: diagnostics, prescriptions, requests, suspensions, hours, exits (views/parcours.py) ---
    # --- indicators and monthly reporting (views/indicateurs.py) ---
    # --- data protection: export of one person's data, retention (views/donnees.py) ---
]
