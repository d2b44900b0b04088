from django.urls import path

from financement import views

app_name = "financement"

urlpatterns = [
    path("", views.lignes, name="lignes"),
    path("lignes/<int:pk>/", views.ligne_detail, name="ligne_detail"),
    path("subventions/", views.subventions_export, name="subventions_export"),
    path("tableau-de-bord/", views.tableau_de_bord, name="tableau_de_bord"),
    path("deliberations/", views.deliberation_list, name="deliberation_list"),
    path("deliberations/<slug:numero>/", views.deliberation_detail, name="deliberation_detail"),
    path("deliberations/<slug:numero>/annexe.<str:format>", views.deliberation_export, name="deliberation_export"),
    path("deliberations/<slug:numero>/simulations/", views.simulations, name="simulations"),
    path("deliberations/<slug:numero>/vote/", views.deliberation_voter, name="deliberation_voter"),
    path("deliberations/<slug:numero>/simulations/nouvelle/", views.simulation_create, name="simulation_create"),
    path("simulations/<int:pk>/promouvoir/", views.simulation_promote, name="simulation_promote"),
]

urlpatterns += [
    path("conventions/", views.convention_list, name="convention_list"),
    path("conventions/<int:pk>/", views.convention_detail, name="convention_detail"),
    path("conventions/<int:pk>/resultats/", views.resultats_update, name="resultats_update"),
    path("conventions/<int:pk>/solde/valider/", views.solde_valider, name="solde_valider"),
    path("conventions/<int:pk>/<slug:code>/", views.convention_transition, name="convention_transition"),
    path("avenants/<int:pk>/", views.avenant_detail, name="avenant_detail"),
    path("avenants/<int:pk>/<slug:code>/", views.avenant_transition, name="avenant_transition"),
    path("echeances/<int:pk>/versement/", views.versement_create, name="versement_create"),
    path("lignes-annexe/<int:pk>/acte/", views.acte_from_ligne, name="acte_from_ligne"),
]

urlpatterns += [
    path(
        "tableau-de-bord/personnes/",
        views.budget.tableau_de_bord_personnes,
        name="tableau_de_bord_personnes",
    ),
    path("bilans/", views.bilan_list, name="bilan_list"),
    path("bilans/<int:pk>/", views.bilan_detail, name="bilan_detail"),
    path("bilans/<int:pk>/deposer/", views.bilan_deposer, name="bilan_deposer"),
    path("bilans/<int:pk>/pieces/", views.bilan_piece_ajouter, name="bilan_piece_ajouter"),
    path("bilans/<int:pk>/valider/", views.bilan_valider, name="bilan_valider"),
    path("bilans/<int:pk>/rendre/", views.bilan_rendre, name="bilan_rendre"),
    path("pieces-bilan/<int:pk>/", views.bilan_piece, name="bilan_piece"),
    path("seances/nouvelle/", views.session_create, name="session_create"),
]
