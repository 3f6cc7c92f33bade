"""The simulator's HTTP side: who may use it, and each action reaching the real bot.

The bot runs on its own thread, so these tests use a transactional database:
its ORM calls must see what the test wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import Customer
from payments.models import Payment
from telegrambot.simulator.runner import Simulator, install

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def simulator(settings: Any) -> Iterator[Simulator]:
    settings.STARS_PER_VALUE = Decimal(1)
    simulator = Simulator()
    simulator.start()
    install(simulator)
    yield simulator
    install(None)
    simulator.stop()


@pytest.fixture
def staff_client(django_user_model: Any) -> Client:
    client = Client()
    client.force_login(django_user_model.objects.create_superuser(username="staff", email="", password="x"))
    return client


def persona_id(client: Client, key: str) -> int:
    page = client.get(reverse("simulator:page"))
    return next(person["id"] for person in page.context["people"] if person["key"] == key)


def chat(client: Client, user: int, since: object = "") -> dict[str, Any]:
    return client.get(reverse("simulator:chat"), {"user": user, "since": since}).json()


def test_it_sends_anonymous_and_customers_to_the_admin_login(client: Client, django_user_model: Any) -> None:
    assert client.get(reverse("simulator:page"))["Location"].startswith("/admin/login/")
    client.force_login(django_user_model.objects.create_user(username="someone", password="x"))
    assert client.get(reverse("simulator:chat"))["Location"].startswith("/admin/login/")


def test_it_refuses_staff_who_are_not_superusers(client: Client, django_user_model: Any) -> None:
    client.force_login(django_user_model.objects.create_user(username="clerk", password="x", is_staff=True))
    assert client.get(reverse("simulator:page")).status_code == 403
    assert client.post(reverse("simulator:users")).status_code == 403


def test_it_is_off_when_a_real_bot_is_configured(staff_client: Client, settings: Any) -> None:
    settings.TOKEN, settings.DEBUG = "123:real", False
    assert staff_client.get(reverse("simulator:page")).status_code == 404


def test_it_shows_the_chat_page_with_three_people(staff_client: Client, simulator: Simulator) -> None:
    response = staff_client.get(reverse("simulator:page"))
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert [person["key"] for person in response.context["people"]] == ["new-1", "rich", "owner"]
    rich = Customer.objects.get(telegram_id=persona_id(staff_client, "rich"))
    assert rich.balance == Decimal("5000.00")
    assert rich.ledger.count() == 1


def test_it_refuses_posts_without_the_csrf_token(django_user_model: Any, simulator: Simulator) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_superuser(username="staff", email="", password="x"))
    user = persona_id(client, "new-1")
    assert client.post(reverse("simulator:send"), {"user": user, "text": "/start"}).status_code == 403


def test_it_runs_start_through_the_bot_and_polls_by_version(
    staff_client: Client, simulator: Simulator
) -> None:
    user = persona_id(staff_client, "new-1")
    assert chat(staff_client, user)["messages"] == []

    response = staff_client.post(reverse("simulator:send"), {"user": user, "text": "/start"})

    assert response.json() == {"answer": None, "error": "", "refused": []}
    state = chat(staff_client, user)
    assert [message["from_bot"] for message in state["messages"]] == [False, True]
    assert "Choose a section" in state["messages"][1]["html"]
    assert {"text": "🛍 Shop", "kind": "callback"} in state["messages"][1]["buttons"][0]
    assert any(command["command"] == "start" for command in state["commands"])
    assert chat(staff_client, user, since=state["version"]) == {"version": state["version"], "changed": False}
    assert Customer.objects.filter(telegram_id=user).exists()


def press(client: Client, user: int, message: dict[str, Any], label: str) -> dict[str, Any]:
    """Press the button whose label contains ``label`` on ``message``; return the response."""
    for row, buttons in enumerate(message["buttons"]):
        for column, button in enumerate(buttons):
            if label in button["text"]:
                fields = {"user": user, "message": message["id"], "row": row, "column": column}
                return client.post(reverse("simulator:press"), fields).json()
    raise AssertionError(f"no {label!r} button on {message}")


def open_invoice(client: Client, user: int, *, amount: str, method: str) -> dict[str, Any]:
    client.post(reverse("simulator:send"), {"user": user, "text": "/start"})
    press(client, user, chat(client, user)["messages"][-1], "Top up")
    client.post(reverse("simulator:send"), {"user": user, "text": amount})
    press(client, user, chat(client, user)["messages"][-1], method)
    return chat(client, user)["messages"][-1]


def test_it_pays_a_stars_invoice_as_telegram_does(staff_client: Client, simulator: Simulator) -> None:
    user = persona_id(staff_client, "new-1")
    invoice = open_invoice(staff_client, user, amount="25", method="Telegram Stars")
    assert invoice["invoice"]["total"] == "⭐ 25" and invoice["invoice"]["paid"] is False

    response = staff_client.post(reverse("simulator:pay"), {"user": user, "message": invoice["id"]})

    assert response.status_code == 200, response.json()
    messages = chat(staff_client, user)["messages"]
    assert messages[-2]["service"] == "You paid ⭐ 25 to Shop"
    assert "topped up" in messages[-1]["html"]
    assert Customer.objects.get(telegram_id=user).balance == Decimal("25.00")
    [charge] = simulator.telegram.charges.values()
    # A Stars charge the shop can refund, listed by getStarTransactions.
    assert (charge["user_id"], charge["refunded"], charge["amount"]) == (user, False, 25)
    assert charge["payload"] == Payment.objects.get(customer__telegram_id=user).payload
    again = staff_client.post(reverse("simulator:pay"), {"user": user, "message": invoice["id"]})
    assert again.json()["error"] == "This invoice has been paid already."


def test_it_pays_a_card_invoice(staff_client: Client, simulator: Simulator, settings: Any) -> None:
    settings.TELEGRAM_PROVIDER_TOKEN = "SIMULATED-CARD-PAYMENTS"
    user = persona_id(staff_client, "new-1")
    invoice = open_invoice(staff_client, user, amount="30.50", method="Card")
    assert invoice["invoice"]["total"] == "30.50 RUB"

    staff_client.post(reverse("simulator:pay"), {"user": user, "message": invoice["id"]})

    assert chat(staff_client, user)["messages"][-2]["service"] == "You paid 30.50 RUB to Shop"
    assert Customer.objects.get(telegram_id=user).balance == Decimal("30.50")


def test_it_refuses_unknown_users_buttons_and_invoices(staff_client: Client, simulator: Simulator) -> None:
    user = persona_id(staff_client, "new-1")
    assert staff_client.post(reverse("simulator:send"), {"user": 1, "text": "hi"}).status_code == 404
    press = staff_client.post(
        reverse("simulator:press"), {"user": user, "message": 999, "row": 0, "column": 0}
    )
    assert press.json()["error"] == "This button is no longer in the chat."
    pay = staff_client.post(reverse("simulator:pay"), {"user": user, "message": 999})
    assert pay.json()["error"] == "There is no such invoice in this chat."


def test_it_sends_a_document_and_serves_it_back(staff_client: Client, simulator: Simulator) -> None:
    user = persona_id(staff_client, "owner")
    upload = staff_client.post(
        reverse("simulator:upload"), {"user": user, "caption": "keys", "file": _file()}
    )
    assert upload.status_code == 200

    sent = chat(staff_client, user)["messages"][0]
    assert sent["document"]["name"] == "keys.txt" and sent["html"] == "keys"
    download = staff_client.get(sent["document"]["url"])
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == b"KEY-1\nKEY-2\n"


def test_it_adds_new_customers_and_clears_a_chat(staff_client: Client, simulator: Simulator) -> None:
    persona_id(staff_client, "new-1")
    added = staff_client.post(reverse("simulator:users")).json()["persona"]
    assert added["key"] == "new-2"
    staff_client.post(reverse("simulator:send"), {"user": added["id"], "text": "/start"})
    staff_client.post(reverse("simulator:clear"), {"user": added["id"]})
    assert chat(staff_client, added["id"])["messages"] == []


def _file() -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("keys.txt", b"KEY-1\nKEY-2\n", content_type="text/plain")
