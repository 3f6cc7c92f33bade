"""Health, metrics and the staff dashboard of the web process."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.views.decorators import staff_member_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django_prometheus.exports import ExportToDjangoView

from accounts.actors import permissions_of_actor
from monitoring.dashboard import build_dashboard
from monitoring.health import health_report
from shopbot.security import is_internal_request


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Report the database, the cache and the bot's heartbeat; 503 when unhealthy."""
    healthy, body = health_report()
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Serve Prometheus metrics to ``Authorization: Bearer <METRICS_TOKEN>``.

    Without a token set, only to loopback and private addresses: the metrics
    carry revenue and sales, never for the internet by default.
    """
    if settings.METRICS_TOKEN:
        allowed = has_bearer_token(request, settings.METRICS_TOKEN)
    else:
        allowed = is_internal_request(request)
    if not allowed:
        response = HttpResponse("Unauthorized\n", status=401, content_type="text/plain")
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return ExportToDjangoView(request)


def has_bearer_token(request: HttpRequest, token: str) -> bool:
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@staff_member_required
@never_cache
def dashboard(request: HttpRequest) -> HttpResponse:
    """Show sales, customers, payments, the funnel, errors and low stock to ``view_statistics``."""
    # Revenue and payments: the same permission as the bot's statistics, not any staff login.
    if "view_statistics" not in permissions_of_actor(request.user):
        raise PermissionDenied
    context = {**admin.site.each_context(request), "title": "Dashboard", **build_dashboard()}
    return render(request, "monitoring/dashboard.html", context)
