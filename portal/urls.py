from django.contrib import admin
from django.urls import include, path

from portal.core.views import favicon, health

admin.site.site_header = "Portail RSA – administration technique"
admin.site.site_title = "Portail RSA"
admin.site.index_title = "Administration technique"

urlpatterns = [
    path("sante/", health, name="health"),
    path("favicon.ico", favicon, name="favicon"),
    path("", include("portal.accounts.urls")),
    path("referentiels/", include("portal.referentiels.urls")),
    path("journal/", include("portal.audit.urls")),
    path("documents/", include("portal.documents.urls")),
    path("", include("portal.echeances.urls")),
    path("label/", include("label.urls")),
    path("aap/", include("aap.urls")),
    path("accompagnement/", include("accompagnement.urls")),
    path("financement/", include("financement.urls")),
    path("admin/", admin.site.urls),
]
