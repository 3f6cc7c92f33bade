"""URLs of the web process: the admin, health and metrics."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("monitoring.urls")),
    path("", include("django_prometheus.urls")),
]
