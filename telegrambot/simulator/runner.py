"""The shop's real bot, run inside the web process for the chat simulator.

One ``Simulator`` per process, started on first use: a background thread runs
a dedicated asyncio event loop with the Application that ``runbot`` runs
(``build_application()``, every handler), whose Bot API client is the fake in
``telegram.py``. Views hand it updates with ``asyncio.run_coroutine_threadsafe``
and wait until the bot has finished with them; updates are processed one at
a time, as ``runbot`` does by default. The adapter's ORM calls run in asgiref's
single sync thread of that loop, where the adapter closes stale connections as
it does in ``runbot``; ``close_connections()`` closes that thread's connections.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import mimetypes
import secrets
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connections
from telegram import Update

from accounts.actors import Actor
from telegrambot.miniapp import initdata
from telegrambot.simulator import personas
from telegrambot.simulator.fake_telegram import ChatMessage, FakeRequest
from telegrambot.simulator.images import image_type
from telegrambot.simulator.personas import CustomerIds, Persona
from telegrambot.simulator.telegram import SimulatedTelegram

T = TypeVar("T")
TOKEN = "1000000001:SIMULATOR-NOT-A-REAL-TOKEN"
UPDATE_TIMEOUT = 30.0  # seconds a view waits for the bot
DEMO_STARS_PER_VALUE = Decimal(1)
DEMO_PROVIDER_TOKEN = "SIMULATED-CARD-PAYMENTS"


@dataclass
class Outcome:
    """What the page tells after an action: the answer to a press, a problem, Telegram's refusals."""

    answer: dict[str, Any] | None = None
    error: str = ""
    refused: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {"answer": self.answer, "error": self.error, "refused": self.refused}


class Simulator:
    """The bot on its own event loop, the fake Telegram it talks to, and the simulated users."""

    def __init__(self, *, run_jobs: bool = False, demo_settings: bool = False) -> None:
        self.telegram = SimulatedTelegram()
        self.run_jobs = run_jobs
        self.demo_settings = demo_settings
        self.notes: list[str] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="simulator-bot", daemon=True)
        self.application: Any = None
        self.lock: asyncio.Lock | None = None
        self.update_ids = itertools.count(1)
        self.customer_ids = CustomerIds()
        self.people: dict[int, Persona] = {}
        self.people_lock = threading.Lock()
        self.new_customers = 0
        # What the Mini App checks its initData with here: the real token when there is one, else a
        # secret of this process, so nobody can sign in as a customer with a token read in the source.
        self.miniapp_token = settings.TOKEN or f"{TOKEN.split(':')[0]}:{secrets.token_urlsafe(32)}"

    # --- life cycle -------------------------------------------------------------
    def start(self) -> None:
        if self.demo_settings:
            self.apply_demo_settings()
        self.thread.start()
        self.run(self.start_bot())

    async def start_bot(self) -> None:
        # Imported here so that loading the URLs never imports the whole bot.
        from telegrambot.application import build_application

        self.lock = asyncio.Lock()
        self.application = application = build_application(token=TOKEN, request=FakeRequest(self.telegram))
        await application.initialize()
        if application.post_init is not None:
            await application.post_init(application)  # publishes the command list, as runbot does
        if self.run_jobs:
            await application.start()  # the job queue: payment notices and reconciliation

    def stop(self) -> None:
        """Shut the bot down, close its database connections and end the loop's thread."""
        if self.thread.is_alive():
            self.run(self.stop_bot())
            self.close_connections()
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=10)

    async def stop_bot(self) -> None:
        if self.application is not None:
            if self.application.running:
                await self.application.stop()
            await self.application.shutdown()
            self.application = None

    def close_connections(self) -> None:
        """Close the database connections the bot's ORM thread holds."""
        self.run(sync_to_async(connections.close_all)())

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = UPDATE_TIMEOUT) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def apply_demo_settings(self) -> None:
        """With no real bot configured, switch on in this process what a demo of the shop needs."""
        if not settings.OWNER_ID:
            settings.OWNER_ID = personas.SIMULATED_OWNER_ID
            self.notes.append(f"OWNER_ID is not set: the owner is simulated with id {settings.OWNER_ID}.")
        if settings.STARS_PER_VALUE <= 0:
            settings.STARS_PER_VALUE = DEMO_STARS_PER_VALUE
            self.notes.append(
                f"STARS_PER_VALUE is not set: Stars are simulated at 1 ⭐ per 1 {settings.PAY_CURRENCY}."
            )
        if not settings.TELEGRAM_PROVIDER_TOKEN:
            settings.TELEGRAM_PROVIDER_TOKEN = DEMO_PROVIDER_TOKEN
            self.notes.append("TELEGRAM_PROVIDER_TOKEN is not set: card payments are simulated.")

    # --- the simulated users ----------------------------------------------------
    def personas(self, *, actor: Actor) -> list[Persona]:
        """Return the simulated users, creating the first three (and the demo balance) on first use."""
        with self.people_lock:
            if not self.people:
                for persona in (
                    self.make_new_customer(),
                    personas.customer_with_balance(self.customer_ids, actor=actor),
                    personas.owner(settings.OWNER_ID),
                ):
                    self.add(persona)
            return list(self.people.values())

    def add_new_customer(self) -> Persona:
        with self.people_lock:
            return self.add(self.make_new_customer())

    def make_new_customer(self) -> Persona:
        self.new_customers += 1
        return personas.new_customer(self.customer_ids, self.new_customers)

    def add(self, persona: Persona) -> Persona:
        self.people[persona.telegram_id] = persona
        self.telegram.add_user(persona.as_telegram())
        return persona

    def persona(self, telegram_id: object) -> Persona | None:
        try:
            return self.people.get(int(str(telegram_id)))
        except ValueError:
            return None

    def messages(self, persona: Persona) -> list[ChatMessage]:
        """The chat's visible messages, oldest first (a copy: the bot's thread may be changing it)."""
        return [
            message
            for message in list(self.telegram.chats.get(persona.telegram_id, []))
            if not message.deleted
        ]

    def find(self, persona: Persona, message_id: object) -> ChatMessage | None:
        return next(
            (message for message in self.messages(persona) if str(message.message_id) == str(message_id)),
            None,
        )

    # --- what a user does -------------------------------------------------------
    def send_text(self, persona: Persona, text: str) -> Outcome:
        return self.run(self.sent_text(persona, text))

    def send_document(self, persona: Persona, filename: str, content: bytes, caption: str = "") -> Outcome:
        return self.run(self.sent_document(persona, filename, content, caption))

    def press(self, persona: Persona, message_id: object, row: int, column: int) -> Outcome:
        return self.run(self.pressed(persona, message_id, row, column))

    def pay(self, persona: Persona, message_id: object) -> Outcome:
        return self.run(self.paid(persona, message_id))

    def clear_chat(self, persona: Persona) -> None:
        self.run(self.cleared(persona))

    async def cleared(self, persona: Persona) -> None:
        self.telegram.clear_chat(persona.telegram_id)

    async def sent_text(self, persona: Persona, text: str) -> Outcome:
        message = self.telegram.add_user_message(persona.telegram_id, text)
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return await self.process(self.message_update(persona, message, content))

    async def sent_document(self, persona: Persona, filename: str, content: bytes, caption: str) -> Outcome:
        """Send a file as Telegram clients do by default: a picture as a photo, anything else as a document."""
        stored = self.telegram.store_file(filename, content)
        message = self.telegram.add_user_message(persona.telegram_id, caption)
        message.media = {"filename": filename, "content": content}
        fields: dict[str, Any]
        if image_type(content):
            size = {
                "file_id": stored["file_id"],
                "file_unique_id": stored["file_unique_id"],
                "width": 800,
                "height": 800,
                "file_size": len(content),
            }
            fields = {"photo": [size]}
        else:
            stored["mime_type"] = mimetypes.guess_type(filename)[0] or "application/octet-stream"
            fields = {"document": stored}
        if caption:
            fields["caption"] = caption
        return await self.process(self.message_update(persona, message, fields))

    async def pressed(self, persona: Persona, message_id: object, row: int, column: int) -> Outcome:
        message = self.find(persona, message_id)
        buttons = message.buttons if message else []
        if not (0 <= row < len(buttons) and 0 <= column < len(buttons[row])):
            return Outcome(error="This button is no longer in the chat.")
        data = buttons[row][column].get("callback_data")
        if data is None:
            return Outcome(error="This button opens a link; it sends nothing to the bot.")
        assert message is not None
        query_id = self.telegram.open_callback_query()
        query = {
            "id": query_id,
            "from": persona.as_telegram(),
            "chat_instance": f"sim-{persona.telegram_id}",
            "data": data,
            "message": self.telegram.as_telegram(message),
        }
        outcome = await self.process({"callback_query": query})
        outcome.answer = self.telegram.callback_queries.get(query_id)
        return outcome

    async def paid(self, persona: Persona, message_id: object) -> Outcome:
        """Pay an invoice as Telegram does: a pre-checkout query, then on "ok" a successful payment."""
        message = self.find(persona, message_id)
        if message is None or message.kind != "invoice":
            return Outcome(error="There is no such invoice in this chat.")
        if message.message_id in self.telegram.paid_invoices:
            return Outcome(error="This invoice has been paid already.")
        outcome, payment = await self.charge(persona, message.media)
        if payment is not None:
            self.telegram.mark_paid(message.message_id, payment["telegram_payment_charge_id"])
        return outcome

    async def paid_link(self, persona: Persona, link: str) -> Outcome:
        """Pay an invoice link the Mini App opened (``openInvoice``), once, as Telegram does."""
        invoice = self.telegram.invoice_links.get(link)
        if invoice is None or invoice.get("paid"):
            return Outcome(error="There is no such unpaid invoice.")
        outcome, payment = await self.charge(persona, invoice)
        if payment is not None:
            invoice["paid"] = True
        return outcome

    async def charge(
        self, persona: Persona, invoice: dict[str, Any]
    ) -> tuple[Outcome, dict[str, Any] | None]:
        """Send the pre-checkout query, then on "ok" the successful payment; return it (None if refused)."""
        total = sum(price["amount"] for price in invoice["prices"])
        query_id = self.telegram.open_pre_checkout_query()
        query = {
            "id": query_id,
            "from": persona.as_telegram(),
            "currency": invoice["currency"],
            "total_amount": total,
            "invoice_payload": invoice["payload"],
        }
        outcome = await self.process({"pre_checkout_query": query})
        answer = self.telegram.pre_checkout_queries.get(query_id)
        if answer is None:
            outcome.error = (
                "The bot did not answer the pre-checkout query, so Telegram cancelled the payment."
            )
            return outcome, None
        if not answer["ok"]:
            outcome.error = answer.get("error_message") or "The bot declined the payment."
            return outcome, None
        payment = self.successful_payment(persona, invoice["currency"], total, invoice["payload"])
        receipt = self.telegram.add_user_message(persona.telegram_id)
        receipt.media = {"successful_payment": payment}
        paid = await self.process(self.message_update(persona, receipt, {"successful_payment": payment}))
        outcome.refused += paid.refused
        return outcome, payment

    # --- the Mini App in the simulator's panel -------------------------------------
    def miniapp_init_data(self, persona: Persona) -> str:
        """initData for ``persona``, signed with this simulator's own secret (never a constant)."""
        fields = {
            "query_id": f"SIM{secrets.token_urlsafe(12)}",
            "user": json.dumps(persona.as_telegram(), separators=(",", ":")),
            "auth_date": str(int(time.time())),
        }
        return initdata.sign(fields, token=self.miniapp_token)

    def create_invoice_link(self, params: dict[str, Any]) -> str:
        """``createInvoiceLink`` on the simulated Telegram, for the web process's Mini App."""
        status, body = self.telegram.handle("createInvoiceLink", params)
        return str(body["result"]) if status == 200 else ""

    def pay_link(self, persona: Persona, link: str) -> Outcome:
        return self.run(self.paid_link(persona, link))

    def successful_payment(self, persona: Persona, currency: str, total: int, payload: str) -> dict[str, Any]:
        """Return a ``SuccessfulPayment`` with new charge ids; a Stars charge can later be refunded."""
        if currency == "XTR":
            charge_id, provider_id = f"stxSIM{secrets.token_urlsafe(24)}", ""
            self.telegram.add_star_charge(
                charge_id, user_id=persona.telegram_id, amount=total, payload=payload
            )
        else:
            charge_id = f"{persona.telegram_id}_{secrets.token_hex(8)}_sim"
            provider_id = f"sim_ch_{secrets.token_hex(12)}"
        return {
            "currency": currency,
            "total_amount": total,
            "invoice_payload": payload,
            "telegram_payment_charge_id": charge_id,
            "provider_payment_charge_id": provider_id,
        }

    # --- updates -----------------------------------------------------------------
    def message_update(
        self, persona: Persona, message: ChatMessage, content: dict[str, Any]
    ) -> dict[str, Any]:
        chat = {"id": persona.telegram_id, "type": "private", "first_name": persona.first_name}
        return {
            "message": {
                "message_id": message.message_id,
                "date": message.date,
                "from": persona.as_telegram(),
                "chat": chat,
                **content,
            }
        }

    async def process(self, update: dict[str, Any]) -> Outcome:
        """Run one update through the bot; return the calls Telegram refused meanwhile."""
        assert self.lock is not None and self.application is not None
        async with self.lock:
            before = len(self.telegram.rejections)
            update = {"update_id": next(self.update_ids), **update}
            await self.application.process_update(Update.de_json(update, self.application.bot))
            refused = self.telegram.rejections[before:]
        return Outcome(refused=[f"{call.method}: {call.description}" for call in refused])


_simulator: Simulator | None = None
_simulator_lock = threading.Lock()


def get_simulator() -> Simulator:
    """Return this process's simulator, starting it on first use.

    Without ``TOKEN`` the simulator is the shop's only bot: it runs the payment
    jobs and fills in the demo settings (owner, Stars, cards). With a real bot
    configured it runs no jobs, so it never takes the real bot's notices.
    """
    global _simulator
    with _simulator_lock:
        if _simulator is None:
            demo = not settings.TOKEN
            simulator = Simulator(run_jobs=demo, demo_settings=demo)
            try:
                simulator.start()
            except BaseException:
                simulator.stop()  # no thread left behind; the next request tries again
                raise
            _simulator = simulator
        return _simulator


def install(simulator: Simulator | None) -> None:
    """Make ``simulator`` (already started) the one the views use; tests install their own."""
    global _simulator
    with _simulator_lock:
        _simulator = simulator


def installed() -> Simulator | None:
    """Return this process's simulator if one is running; never starts one."""
    return _simulator


def is_enabled() -> bool:
    """The simulator is for development and demos: off when a real bot runs, unless DEBUG is on."""
    return not settings.TOKEN or settings.DEBUG
