"""The fake Bot API's HTML check: the same validator the bot uses for admin-written HTML."""

from telegrambot.html import HtmlError, render, utf16_length

__all__ = ["HtmlError", "render", "utf16_length"]
