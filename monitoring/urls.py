from django.urls import path

from monitoring import views

urlpatterns = [
    path("health", views.health, name="health"),
    path("metrics", views.metrics, name="metrics"),
    path("dashboard/", views.dashboard, name="dashboard"),
]
