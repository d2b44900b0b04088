from django.urls import path

from aap import views

app_name = "aap"

urlpatterns = [
    path("", views.home, name="home"),
    path("appels/nouveau/", views.appel_create, name="appel_create"),
    path("appels/<int:pk>/", views.appel_detail, name="appel_detail"),
    path("appels/<int:pk>/modifier/", views.appel_update, name="appel_update"),
    path("appels/<int:pk>/publier/", views.appel_publish, name="appel_publish"),
    path("appels/<int:pk>/thematiques/nouvelle/", views.thematique_create, name="thematique_create"),
    path("appels/<int:pk>/dispositifs/nouveau/", views.dispositif_create, name="dispositif_create"),
    path("appels/<int:pk>/periodes/nouvelle/", views.fenetre_create, name="fenetre_create"),
    path("periodes/<int:pk>/prolonger/", views.fenetre_extend, name="fenetre_extend"),
    path("dispositifs/<int:pk>/", views.dispositif_detail, name="dispositif_detail"),
    path("dispositifs/<int:pk>/modifier/", views.dispositif_update, name="dispositif_update"),
    path("dispositifs/<int:pk>/candidater/", views.candidature_create, name="candidature_create"),
    path("candidatures/<int:pk>/", views.candidature_detail, name="candidature_detail"),
    path("candidatures/<int:pk>/projet/", views.candidature_projet, name="candidature_projet"),
    path("candidatures/<int:pk>/budget/", views.candidature_budget, name="candidature_budget"),
    path("candidatures/<int:pk>/personnel/", views.candidature_personnel, name="candidature_personnel"),
    path("candidatures/<int:pk>/pieces/", views.candidature_pieces, name="candidature_pieces"),
    path("candidatures/<int:pk>/deposer/", views.candidature_deposer, name="candidature_deposer"),
    path("candidatures/<int:pk>/renvoyer/", views.candidature_renvoyer, name="candidature_renvoyer"),
    path("candidatures/<int:pk>/retirer/", views.candidature_retirer, name="candidature_retirer"),
    path(
        "candidatures/<int:pk>/recevabilite/",
        views.instruction_step,
        {"step": "recevabilite"},
        name="candidature_recevabilite",
    ),
    path("candidatures/<int:pk>/instruire/", views.candidature_instruire, name="candidature_instruire"),
    path("candidatures/<int:pk>/revue/", views.instruction_step, {"step": "revue"}, name="candidature_revue"),
    path(
        "candidatures/<int:pk>/avis-territorial/",
        views.instruction_step,
        {"step": "avis_territorial"},
        name="candidature_avis_territorial",
    ),
    path(
        "candidatures/<int:pk>/correction/",
        views.instruction_step,
        {"step": "correction"},
        name="candidature_correction",
    ),
    path("candidatures/<int:pk>/proposer/", views.instruction_step, {"step": "proposer"}, name="candidature_proposer"),
    path("candidatures/<int:pk>/decider/", views.instruction_step, {"step": "decider"}, name="candidature_decider"),
    path("candidatures/<int:pk>/annotations/", views.annotation_add, name="annotation_add"),
    path("candidatures/<int:pk>/avis/demander/", views.avis_demander, name="avis_demander"),
    path("avis/<int:pk>/rendre/", views.avis_rendre, name="avis_rendre"),
    path("personnel/<int:pk>/retirer/", views.personnel_delete, name="personnel_delete"),
    path("personnel/<int:pk>/cv/", views.personnel_cv, name="personnel_cv"),
    path("pieces/<int:pk>/", views.piece_download, name="piece_download"),
    path("pieces/<int:pk>/retirer/", views.piece_delete, name="piece_delete"),
    path("file/", views.file, name="file"),
    path("file/export/", views.export, name="export"),
]
