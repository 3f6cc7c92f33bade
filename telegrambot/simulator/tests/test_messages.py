"""The chat as JSON for the page: photos, documents, invoices and buttons."""

from __future__ import annotations

from telegrambot.simulator.fake_telegram import ChatMessage
from telegrambot.simulator.messages import message_json
from telegrambot.simulator.telegram import SimulatedTelegram

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def as_json(telegram: SimulatedTelegram, message: ChatMessage) -> dict:
    return message_json(telegram, message, lambda found: f"/file/{found.message_id}/")


def test_it_shows_https_photos_and_a_placeholder_for_telegram_file_ids() -> None:
    telegram = SimulatedTelegram()
    url = ChatMessage(1, 10, True, "photo", "Card", "<b>Card</b>", "HTML", media="https://example.com/a.png")
    file_id = ChatMessage(1, 11, True, "photo", "Card", "Card", None, media="AgACAgIAAxkBAAIB")
    uploaded = ChatMessage(1, 12, True, "photo", "", "", None, media={"filename": "a.png", "content": PNG})

    assert as_json(telegram, url)["photo"] == {"src": "https://example.com/a.png"}
    assert as_json(telegram, url)["html"] == "<b>Card</b>"
    assert as_json(telegram, file_id)["photo"] == {"src": None}
    assert as_json(telegram, uploaded)["photo"] == {"src": "/file/12/"}


def test_it_shows_a_photo_sent_again_by_the_file_id_of_one_sent_in_the_simulator() -> None:
    telegram = SimulatedTelegram()
    stored = telegram.store_file("product.png", PNG)
    again = ChatMessage(1, 13, True, "photo", "", "", None, media=stored["file_id"])

    assert as_json(telegram, again)["photo"] == {"src": "/file/13/"}


def test_it_offers_documents_with_bytes_for_download() -> None:
    telegram = SimulatedTelegram()
    document = ChatMessage(
        1, 14, True, "document", "", "", None, media={"filename": "key.txt", "content": b"K"}
    )
    by_id = ChatMessage(1, 15, True, "document", "", "", None, media="BQACAgIAAx")

    assert as_json(telegram, document)["document"] == {"name": "key.txt", "size": 1, "url": "/file/14/"}
    assert as_json(telegram, by_id)["document"]["url"] is None


def test_it_totals_invoices_and_marks_them_paid() -> None:
    telegram = SimulatedTelegram()
    invoice = {
        "title": "Top-up",
        "description": "d",
        "payload": "p",
        "currency": "XTR",
        "prices": [{"label": "Top-up", "amount": 150}],
        "provider_token": None,
    }
    message = ChatMessage(1, 16, True, "invoice", "Top-up", media=invoice)
    assert as_json(telegram, message)["invoice"]["total"] == "⭐ 150"

    telegram.mark_paid(16, "stx1")

    assert as_json(telegram, message)["invoice"]["paid"] is True


def test_it_tells_buttons_apart_by_kind() -> None:
    telegram = SimulatedTelegram()
    markup = {
        "inline_keyboard": [
            [{"text": "Go", "callback_data": "go"}, {"text": "Site", "url": "https://x.org"}],
            [{"text": "Pay", "pay": True}],
        ]
    }
    message = ChatMessage(1, 17, True, "text", "t", "t", None, reply_markup=markup)

    assert as_json(telegram, message)["buttons"] == [
        [{"text": "Go", "kind": "callback"}, {"text": "Site", "kind": "url", "url": "https://x.org"}],
        [{"text": "Pay", "kind": "pay"}],
    ]
