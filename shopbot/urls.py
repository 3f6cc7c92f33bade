"""URLs of the web process: the admin, the chat simulator, the Mini App, health and metrics."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    path("payments/", include("payments.urls")),
    path("telegram/", include("telegrambot.urls")),
    path("simulator/", include("telegrambot.simulator.urls")),
    path("app/", include("telegrambot.miniapp.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("monitoring.urls")),
]

if settings.SERVE_STATIC:
    urlpatterns += [re_path(r"^static/(?P<path>.*)$", serve, {"document_root": settings.STATIC_ROOT})]
