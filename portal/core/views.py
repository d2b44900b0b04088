from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.templatetags.static import static

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE):
    """One page of a queryset; a page number out of range shows the last page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def querystring_without_page(request):
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@login_not_required
def health(request):
    """For the container's health check: the process answers and the database too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")


@login_not_required
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the portal's icon."""
    return HttpResponseRedirect(static("img/favicon.svg"))


def bench_auth(request):
    """Benchmark reference (BENCHMARK setting only): a signed-in request doing nothing else, the
    cost of the framework and the middleware (session, user, scope)."""
    return HttpResponse("ok", content_type="text/plain")


def bench_base_template(request):
    """Benchmark reference (BENCHMARK setting only): the base template and its context processors
    with an empty content block, the cost of the portal's chrome on every page."""
    return render(request, "core/bench_base.html")
