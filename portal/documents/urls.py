from django.urls import path

from portal.documents import views

app_name = "documents"

urlpatterns = [
    path("demander/<slug:kind_code>/<int:owner_pk>/", views.document_request, name="request"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/etat/", views.document_status, name="status"),
    path("<int:pk>/telecharger/", views.document_download, name="download"),
    path("<int:pk>/relancer/", views.document_retry, name="retry"),
    path("<int:pk>/emettre/", views.document_issue, name="issue"),
]
