"""Signed initData for a test user, and a client of the Mini App's API that signs in with it."""

from __future__ import annotations

import itertools
import json
import time
from typing import Any

from django.test import Client

from telegrambot.miniapp import auth, initdata
from telegrambot.testing.driver import TOKEN

query_ids = itertools.count(1)


def signed_init_data(
    telegram_id: int, *, auth_date: float | None = None, token: str = TOKEN, **user: Any
) -> str:
    """initData as Telegram signs it for ``telegram_id``; each call is a new one (a new query id)."""
    profile = {"id": telegram_id, "first_name": "Test", "language_code": "en", **user}
    fields = {
        "query_id": f"AAQ{next(query_ids)}-{time.time_ns()}",
        "user": json.dumps(profile, separators=(",", ":")),
        "auth_date": str(int(time.time() if auth_date is None else auth_date)),
    }
    return initdata.sign(fields, token=token)


class AppClient:
    """What the page's script does: exchange initData once, then call with the session header."""

    def __init__(self, client: Client | None = None) -> None:
        self.client = client or Client(enforce_csrf_checks=True)
        self.token = ""

    def sign_in(self, init_data: str) -> Any:
        response = self.client.post(
            "/app/api/session", {"init_data": init_data}, content_type="application/json"
        )
        if response.status_code == 200:
            self.token = response.json()["token"]
        return response

    def headers(self) -> dict[str, str]:
        return {"HTTP_" + auth.HEADER.upper().replace("-", "_"): self.token} if self.token else {}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/app/api/{path}", params, **self.headers())

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(
            f"/app/api/{path}", json.dumps(body or {}), content_type="application/json", **self.headers()
        )
