"""URLs of the bot in the web process, included under ``telegram/`` by ``shopbot/urls.py``."""

from django.urls import path

from telegrambot import webhook

app_name = "telegrambot"
urlpatterns = [
    path("webhook/", webhook.receive_update, name="webhook"),
]
