from django.apps import AppConfig


class TelegramBotConfig(AppConfig):
    name = "telegrambot"

    def ready(self) -> None:
        from telegrambot.miniapp import checks  # noqa: F401 - registers the deploy check
