"""URLs of payments, included under ``payments/`` by ``shopbot/urls.py``."""

from django.urls import path

from payments import views

app_name = "payments"
urlpatterns = [
    path("cryptopay/webhook/", views.cryptopay_webhook, name="cryptopay-webhook"),
]
