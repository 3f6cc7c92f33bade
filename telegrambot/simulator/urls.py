"""URLs of the chat simulator, mounted at /simulator/."""

from django.urls import path

from telegrambot.simulator import views

app_name = "simulator"

urlpatterns = [
    path("", views.page, name="page"),
    path("chat/", views.chat, name="chat"),
    path("send/", views.send, name="send"),
    path("press/", views.press, name="press"),
    path("pay/", views.pay, name="pay"),
    path("pay-link/", views.pay_link, name="pay-link"),
    path("upload/", views.upload, name="upload"),
    path("users/", views.users, name="users"),
    path("clear/", views.clear, name="clear"),
    path("file/<int:telegram_id>/<int:message_id>/", views.file, name="file"),
]
