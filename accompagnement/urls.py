from django.urls import path

from accompagnement.views import base, cer, donnees, indicateurs, parcours

app_name = "accompagnement"

urlpatterns = [
    path("", base.caseload, name="caseload"),
    path("beneficiaires/<int:pk>/", base.beneficiaire_detail, name="beneficiaire_detail"),
    path("orientations/nouvelle/", base.orientation_create, name="orientation_create"),
    path("orientations/<int:pk>/affecter/", base.orientation_assign, name="orientation_assign"),
    path("orientations/<int:pk>/entretiens/nouveau/", base.entretien_create, name="entretien_create"),
    path("orientations/<int:pk>/cer/nouveau/", cer.cer_create, name="cer_create"),
    path("imports/", base.import_upload, name="import_upload"),
    path("imports/<int:pk>/", base.import_detail, name="import_detail"),
    path("imports/<int:pk>/confirmer/", base.import_confirm, name="import_confirm"),
    # --- CER: detail, signature, closure, grid, JSON, PDF (views/cer.py) ---
    path("cer/<int:pk>/", cer.cer_detail, name="cer_detail"),
    path("cer/<int:pk>/modifier/", cer.cer_update, name="cer_update"),
    path("cer/<int:pk>/signer/", cer.cer_signer, name="cer_signer"),
    path("cer/<int:pk>/cloturer/", cer.cer_cloturer, name="cer_cloturer"),
    path("cer/<int:pk>/renouveler/", cer.cer_renouveler, name="cer_renouveler"),
    path("cer/<int:pk>/export.json", cer.cer_export_json, name="cer_export_json"),
    path("cer/import/", cer.cer_import, name="cer_import"),
    path("orientations/<int:pk>/cer/grille/", cer.cer_grille, name="cer_grille"),
    # --- parcours: diagnostics, prescriptions, requests, suspensions, hours, exits (views/parcours.py) ---
    path("orientations/<int:pk>/diagnostics/nouveau/", parcours.diagnostic_create, name="diagnostic_create"),
    path("orientations/<int:pk>/prescriptions/nouvelle/", parcours.prescription_create, name="prescription_create"),
    path("prescriptions/<int:pk>/suite/", parcours.prescription_update, name="prescription_update"),
    path("orientations/<int:pk>/reorientation/", parcours.reorientation_create, name="reorientation_create"),
    path("reorientations/<int:pk>/decision/", parcours.reorientation_decider, name="reorientation_decider"),
    path("cer/<int:pk>/renouvellement/", parcours.renouvellement_create, name="renouvellement_create"),
    path("renouvellements/<int:pk>/decision/", parcours.renouvellement_decider, name="renouvellement_decider"),
    path("suspensions/<int:pk>/traiter/", parcours.suspension_traiter, name="suspension_traiter"),
    path("a-traiter/", parcours.slai_a_traiter, name="slai_a_traiter"),
    path("orientations/<int:pk>/activites/nouvelle/", parcours.activite_create, name="activite_create"),
    path("orientations/<int:pk>/sortie/", parcours.sortie_create, name="sortie_create"),
    # --- indicators and monthly reporting (views/indicateurs.py) ---
    path("indicateurs/", indicateurs.indicateurs_page, name="indicateurs"),
    path("indicateurs/personnes/", indicateurs.indicateurs_personnes, name="indicateurs_personnes"),
    path("indicateurs/export/", indicateurs.indicateurs_export, name="indicateurs_export"),
    path("reporting/", indicateurs.reporting_list, name="reporting_list"),
    path(
        "reporting/<int:structure_pk>/<int:annee>/<int:mois>/", indicateurs.reporting_detail, name="reporting_detail"
    ),
    path(
        "reporting/<int:structure_pk>/<int:annee>/<int:mois>/valider/",
        indicateurs.reporting_valider,
        name="reporting_valider",
    ),
    # --- data protection: export of one person's data, retention (views/donnees.py) ---
    path("beneficiaires/<int:pk>/export/", donnees.beneficiaire_export, name="beneficiaire_export"),
    path("conservation/", donnees.retention, name="retention"),
]
