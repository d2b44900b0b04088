"""The project's URLs plus the benchmark references, as with the BENCHMARK setting."""

from django.urls import path

from portal.core.views import bench_auth, bench_base_template
from portal.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("sante/auth/", bench_auth, name="bench_auth"),
    path("sante/gabarit/", bench_base_template, name="bench_base_template"),
]
