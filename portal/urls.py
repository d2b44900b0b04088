from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal.core.views import bench_auth, bench_base_template, favicon, health

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

if settings.BENCHMARK:
    # The two references of the scale benchmark: the framework's floor and the portal's chrome.
    urlpatterns += [
        path("sante/auth/", bench_auth, name="bench_auth"),
        path("sante/gabarit/", bench_base_template, name="bench_base_template"),
    ]
