"""Health of the web process and what it depends on."""

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:
        return False


def check_cache() -> bool:
    try:
        cache.set("health-probe", "ok", 10)
        return cache.get("health-probe") == "ok"
    except Exception:
        return False


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """Report the database and the cache; 503 when either is down."""
    checks = {"database": check_database(), "cache": check_cache()}
    healthy = all(checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
