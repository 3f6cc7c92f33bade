"""Answers ``/health`` and ``/metrics`` before host validation and the HTTPS redirect."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitoring import views

# Docker's healthcheck asks http://127.0.0.1:8000/health and Prometheus scrapes
# http://web:8000/metrics from inside the network: neither host is a public
# ALLOWED_HOSTS name and neither request comes over HTTPS, so the usual checks
# would refuse (400) or redirect (301) them. Both views read no host and no cookie.
ENDPOINTS = {"/health": views.health, "/metrics": views.metrics}


class OperationsEndpointsMiddleware:
    """Serve the health and metrics endpoints to internal callers on any host name."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
