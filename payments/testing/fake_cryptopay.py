"""A fake Crypto Pay API on 127.0.0.1 for tests and local runs.

It speaks the API's shape (GET with query parameters, the
``Crypto-Pay-API-Token`` header, ``{"ok": true, "result": ...}``) for the
calls the shop makes, keeps invoices in memory, and can mark an invoice paid
and send CryptoPay's signed ``invoice_paid`` webhook for it. It runs its own
event loop in a thread, so sync tests, threads and async tests can all use it::

    with FakeCryptoPay(token="123:abc") as fake:
        settings.CRYPTO_PAY_API_URL = fake.url
        ...
        fake.mark_paid(invoice_id)
        fake.send_webhook(webhook_url, invoice_id)
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
from aiohttp import web

from payments.webhooks import INVOICE_PAID, SIGNATURE_HEADER, sign


class FakeCryptoPay:
    """An in-memory Crypto Pay API; ``failing = True`` makes every call fail like an outage."""

    def __init__(self, token: str = "12345:fake-cryptopay-token") -> None:
        self.token = token
        self.invoices: dict[int, dict[str, Any]] = {}
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.failing = False
        self.url = ""
        self._ids = itertools.count(1001)
        self._update_ids = itertools.count(1)
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -----------------------------------------------------------
    def reset(self) -> None:
        """Forget every invoice and call, and answer again (between tests)."""
        with self._lock:
            self.invoices.clear()
            self.calls.clear()
            self.failing = False

    def start(self) -> FakeCryptoPay:
        ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, args=(ready,), daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the fake Crypto Pay API did not start")
        return self

    def stop(self) -> None:
        if self._loop is None or self._runner is None:
            return
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(10)

    def __enter__(self) -> FakeCryptoPay:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _serve(self, ready: threading.Event) -> None:
        self._loop = asyncio.new_event_loop()
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/api/{method}", self._handle)
        app.router.add_post("/api/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        ready.set()
        self._loop.run_forever()
        self._loop.close()

    # --- the API -------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = dict(request.query)
        with self._lock:
            self.calls.append((method, params))
        if self.failing:
            return web.Response(status=502, text="Bad Gateway")
        if request.headers.get("Crypto-Pay-API-Token") != self.token:
            return self._error(401, "UNAUTHORIZED")
        handler = {
            "getMe": self._get_me,
            "createInvoice": self._create_invoice,
            "getInvoices": self._get_invoices,
        }
        if method not in handler:
            return self._error(405, "METHOD_NOT_FOUND")
        try:
            result = handler[method](params)
        except (KeyError, ValueError) as error:
            return self._error(400, f"BAD_REQUEST: {error}")
        return web.json_response({"ok": True, "result": result})

    def _error(self, code: int, name: str) -> web.Response:
        return web.json_response({"ok": False, "error": {"code": code, "name": name}}, status=code)

    def _get_me(self, params: dict[str, str]) -> dict[str, Any]:
        return {"app_id": 1, "name": "Fake shop", "payment_processing_bot_username": "CryptoTestnetBot"}

    def _create_invoice(self, params: dict[str, str]) -> dict[str, Any]:
        if params.get("currency_type") == "fiat":
            currency = {
                "currency_type": "fiat",
                "fiat": params["fiat"],
                "accepted_assets": params.get("accepted_assets", "").split(","),
            }
        else:
            currency = {"currency_type": "crypto", "asset": params["asset"]}
        amount = Decimal(params["amount"])
        if amount <= 0:
            raise ValueError("amount")
        with self._lock:
            invoice_id = next(self._ids)
            self.invoices[invoice_id] = {
                "invoice_id": invoice_id,
                "hash": f"IV{invoice_id}",
                "status": "active",
                "amount": params["amount"],
                "bot_invoice_url": f"https://t.me/CryptoTestnetBot?start=IV{invoice_id}",
                "mini_app_invoice_url": f"https://t.me/CryptoTestnetBot/app?startapp=invoice-IV{invoice_id}",
                "web_app_invoice_url": f"https://testnet-app.send.tg/invoices/IV{invoice_id}",
                "description": params.get("description", ""),
                "payload": params.get("payload", ""),
                "created_at": now(),
                "allow_comments": params.get("allow_comments", "true") == "true",
                "allow_anonymous": params.get("allow_anonymous", "true") == "true",
                "expires_in": int(params.get("expires_in", 0) or 0),
                **currency,
            }
            return dict(self.invoices[invoice_id])

    def _get_invoices(self, params: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            items = list(self.invoices.values())
        if params.get("invoice_ids"):
            wanted = {int(value) for value in params["invoice_ids"].split(",")}
            items = [item for item in items if item["invoice_id"] in wanted]
        if params.get("status"):
            items = [item for item in items if item["status"] == params["status"]]
        offset, count = int(params.get("offset", 0)), int(params.get("count", 100))
        if not 1 <= count <= 1000:
            raise ValueError("count")
        return {"items": [dict(item) for item in items[offset : offset + count]]}

    # --- what a test can make happen -------------------------------------------
    def mark_paid(self, invoice_id: int, *, amount: str | None = None) -> dict[str, Any]:
        """Pay an invoice in full (or with another ``amount``, to test a mismatch)."""
        with self._lock:
            invoice = self.invoices[invoice_id]
            invoice.update(status="paid", paid_at=now(), paid_asset="USDT", paid_amount="1.5")
            if amount is not None:
                invoice["amount"] = amount
            return dict(invoice)

    def expire(self, invoice_id: int) -> None:
        with self._lock:
            self.invoices[invoice_id]["status"] = "expired"

    def webhook_body(self, invoice_id: int) -> bytes:
        """Return the body CryptoPay posts when ``invoice_id`` is paid."""
        with self._lock:
            update = {
                "update_id": next(self._update_ids),
                "update_type": INVOICE_PAID,
                "request_date": now(),
                "payload": dict(self.invoices[invoice_id]),
            }
        return json.dumps(update).encode()

    def webhook_headers(self, body: bytes, *, token: str | None = None) -> dict[str, str]:
        return {"Content-Type": "application/json", SIGNATURE_HEADER: sign(body, token or self.token)}

    def send_webhook(self, url: str, invoice_id: int, *, token: str | None = None) -> httpx.Response:
        """POST the signed ``invoice_paid`` update for ``invoice_id`` to ``url``, as CryptoPay does."""
        body = self.webhook_body(invoice_id)
        return httpx.post(url, content=body, headers=self.webhook_headers(body, token=token), timeout=10)


def now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")
