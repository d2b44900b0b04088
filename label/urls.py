from django.urls import path

from label import views

app_name = "label"

urlpatterns = [
    path("", views.label_home, name="home"),
    path("formations/", views.formations, name="formations"),
    path("referents/<int:referent_pk>/formations/ajouter/", views.formation_add, name="formation_add"),
    path("formations/<int:pk>/accepter/", views.formation_accept, name="formation_accept"),
    path("formations/<int:pk>/piece/", views.formation_piece, name="formation_piece"),
    path("cer/", views.cer_import, name="cer_import"),
    path("demandes/nouvelle/", views.demande_create, name="demande_create"),
    path("demandes/<int:pk>/", views.demande_detail, name="demande_detail"),
    path("demandes/<int:pk>/modifier/", views.demande_update, name="demande_update"),
    path("demandes/<int:pk>/tirage/<int:referent_pk>/", views.tirage_create, name="tirage_create"),
    path("demandes/<int:pk>/deposer/", views.demande_deposer, name="demande_deposer"),
    path("demandes/<int:pk>/renvoyer/", views.demande_renvoyer, name="demande_renvoyer"),
    path("demandes/<int:pk>/panel-reduit/", views.panel_reduit_accepter, name="panel_reduit_accepter"),
    path("demandes/<int:pk>/evaluer/", views.demande_evaluer, name="demande_evaluer"),
    path("demandes/<int:pk>/avis-slai/", views.demande_avis_slai, name="demande_avis_slai"),
    path("demandes/<int:pk>/decider/", views.demande_decider, name="demande_decider"),
    path("demandes/<int:pk>/moratoire/", views.moratoire_update, name="moratoire_update"),
    path("demandes/<int:pk>/recours/", views.recours_deposer, name="recours_deposer"),
    path("demandes/<int:pk>/recours/reponse/", views.recours_repondre, name="recours_repondre"),
    path("evaluations/<int:pk>/", views.evaluation, name="evaluation"),
    path("labels/<int:label_pk>/retrait/", views.retrait_create, name="retrait_create"),
    path("retraits/<int:pk>/", views.retrait_detail, name="retrait_detail"),
    path("retraits/<int:pk>/nouvelle-etude/", views.retrait_etude, name="retrait_etude"),
    path("retraits/<int:pk>/nouvelle-etude/conclure/", views.retrait_conclure, name="retrait_conclure"),
    path("retraits/<int:pk>/observations/", views.retrait_observations, name="retrait_observations"),
    path("retraits/<int:pk>/decider/", views.retrait_decider, name="retrait_decider"),
    path("remise/", views.remise, name="remise"),
    path("rapport-annuel/", views.rapport_annuel, name="rapport_annuel"),
    path("rapport-annuel/pdf/", views.rapport_annuel_pdf, name="rapport_annuel_pdf"),
    path("labels/<int:label_pk>/charte/", views.charte_deposer, name="charte_deposer"),
    path("chartes/", views.chartes, name="chartes"),
    path("chartes/<int:pk>/examiner/", views.charte_examiner, name="charte_examiner"),
    path("chartes/<int:pk>/piece/", views.charte_piece, name="charte_piece"),
]
