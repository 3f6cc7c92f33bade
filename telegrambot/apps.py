from django.apps import AppConfig


class TelegramBotConfig(AppConfig):
    name = "telegrambot"

    def ready(self) -> None:
        # Anonymising a customer forgets what they were typing (drafts of a claim or a ticket).
        from accounts.hooks import scrubbers
        from telegrambot.miniapp import checks  # noqa: F401 - registers the deploy check
        from telegrambot.services.dialog import forget_customer_dialog

        scrubbers.register("telegrambot", forget_customer_dialog)
