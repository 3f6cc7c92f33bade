"""The fake Bot API refuses what Telegram refuses, and keeps the chat as the user sees it."""

import pytest

from telegrambot.html import HtmlError, render
from telegrambot.simulator.fake_telegram import FakeTelegram

USER = {"id": 1, "is_bot": False, "first_name": "U"}


def make_telegram() -> FakeTelegram:
    telegram = FakeTelegram()
    telegram.add_user(USER)
    return telegram


@pytest.mark.parametrize(
    "html, text",
    [
        ("<b>bold</b> &amp; <i>it</i>", "bold & it"),
        ("&lt;b&gt; &quot;q&quot; &#128512; &#x41;", '<b> "q" 😀 A'),
        ('<a href="https://example.com/?a=1&amp;b=2">link</a>', "link"),
        ('<pre><code class="language-python">x</code></pre>', "x"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "st"),
        ("<blockquote expandable>q</blockquote> 2 > 1", "q 2 > 1"),
    ],
)
def test_it_renders_telegrams_html_subset(html: str, text: str) -> None:
    assert render(html) == text


@pytest.mark.parametrize(
    "html",
    [
        "<script>x</script>",
        "<b>unclosed",
        "<b><i>crossed</b></i>",
        "</b>",
        "a < b",
        "Tom & Jerry",
        "&nbsp;",
        "&#0;",
        "<span>x</span>",
        '<a href="javascript:alert(1)">x</a>',
        "<br/>",
        "<code class='language-x'>x</code>",
    ],
)
def test_it_refuses_malformed_html(html: str) -> None:
    with pytest.raises(HtmlError):
        render(html)


def test_it_refuses_texts_telegram_refuses() -> None:
    telegram = make_telegram()
    refused = [
        ("sendMessage", {"chat_id": 1, "text": "x" * 4097}),
        ("sendMessage", {"chat_id": 1, "text": "<b>x", "parse_mode": "HTML"}),
        ("sendMessage", {"chat_id": 1, "text": "   "}),
        ("sendMessage", {"chat_id": 2, "text": "nobody"}),
        ("sendPhoto", {"chat_id": 1, "photo": "id", "caption": "x" * 1025}),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "b", "callback_data": "x" * 65}]]},
            },
        ),
        (
            "sendMessage",
            {
                "chat_id": 1,
                "text": "x",
                "reply_markup": {"inline_keyboard": [[{"text": "", "callback_data": "x"}]]},
            },
        ),
        ("editMessageText", {"chat_id": 1, "message_id": 99, "text": "x"}),
        ("deleteMessage", {"chat_id": 1, "message_id": 99}),
        ("answerCallbackQuery", {"callback_query_id": "nope"}),
        ("noSuchMethod", {}),
    ]
    for method, params in refused:
        status, body = telegram.handle(method, params)
        assert status in (400, 404) and not body["ok"], (method, params)
    assert len(telegram.rejections) == len(refused)
    assert telegram.handle("sendMessage", {"chat_id": 1, "text": "😀" * 2048})[0] == 200
    assert telegram.handle("sendMessage", {"chat_id": 1, "text": "😀" * 2049})[0] == 400  # UTF-16 units


def test_it_applies_edits_and_refuses_an_identical_one() -> None:
    telegram = make_telegram()
    _, body = telegram.handle("sendMessage", {"chat_id": 1, "text": "<b>one</b>", "parse_mode": "HTML"})
    message_id = body["result"]["message_id"]

    assert (
        telegram.handle("editMessageText", {"chat_id": 1, "message_id": message_id, "text": "two"})[0] == 200
    )
    status, body = telegram.handle("editMessageText", {"chat_id": 1, "message_id": message_id, "text": "two"})
    assert status == 400 and "not modified" in body["description"]
    assert (
        telegram.handle("editMessageCaption", {"chat_id": 1, "message_id": message_id, "caption": "c"})[0]
        == 400
    )
    assert [message.text for message in telegram.bot_messages(1)] == ["two"]
    assert telegram.handle("deleteMessage", {"chat_id": 1, "message_id": message_id})[0] == 200
    assert telegram.bot_messages(1) == []


def test_it_lets_a_callback_query_be_answered_once() -> None:
    telegram = make_telegram()
    query_id = telegram.open_callback_query()

    assert telegram.handle("answerCallbackQuery", {"callback_query_id": query_id, "text": "ok"})[0] == 200
    assert telegram.handle("answerCallbackQuery", {"callback_query_id": query_id})[0] == 400
    assert telegram.callback_queries[query_id] == {"text": "ok", "show_alert": False}


def test_it_checks_invoices_and_star_refunds() -> None:
    telegram = make_telegram()
    stars = {
        "chat_id": 1,
        "title": "Top up",
        "description": "Balance",
        "payload": "p",
        "currency": "XTR",
        "prices": [{"label": "Top up", "amount": 100}],
    }
    assert telegram.handle("sendInvoice", stars)[0] == 200
    assert telegram.handle("sendInvoice", {**stars, "prices": [{"label": "x", "amount": 0}]})[0] == 400
    assert (
        telegram.handle("sendInvoice", {**stars, "currency": "RUB"})[0] == 400
    )  # a card invoice needs a provider token
    telegram.charges["c1"] = {"user_id": 1, "refunded": False}
    assert telegram.handle("refundStarPayment", {"user_id": 1, "telegram_payment_charge_id": "c1"})[0] == 200
    assert telegram.handle("refundStarPayment", {"user_id": 1, "telegram_payment_charge_id": "c1"})[0] == 400
