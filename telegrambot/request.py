"""The Bot API client: calls sent as JSON bodies, uploads as multipart forms.

python-telegram-bot's own client form-encodes every call: each parameter is
JSON-encoded, then the whole form is percent-encoded byte by byte in pure
Python. A screen's keyboard is a few kilobytes, so on a warm screen that
quoting costs more than the rest of the call's encoding. The Bot API takes
``application/json`` as well, which the standard library encodes in C; only
calls that upload a file are still sent as a multipart form, as PTB sends
them. Timeouts and errors behave as PTB's client: ``TimedOut`` for every
timeout (a full connection pool too, with nothing sent), ``NetworkError`` for
anything else that kept the call from an answer.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

JSON_HEADERS = {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": "application/json"}
FORM_HEADERS = {"User-Agent": BaseRequest.USER_AGENT}


class JsonRequest(BaseRequest):
    """An HTTP/1.1 Bot API client over one pool of ``connection_pool_size`` connections."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self.timeout = httpx.Timeout(
            connect=connect_timeout, read=read_timeout, write=write_timeout, pool=pool_timeout
        )
        self.media_write_timeout = media_write_timeout
        self.limits = httpx.Limits(max_connections=connection_pool_size)
        self.client = self.build_client()

    def build_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(timeout=self.timeout, limits=self.limits, http1=True, http2=False)

    @property
    def read_timeout(self) -> float | None:
        return self.timeout.read

    async def initialize(self) -> None:
        if self.client.is_closed:
            self.client = self.build_client()

    async def shutdown(self) -> None:
        if not self.client.is_closed:
            await self.client.aclose()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        if self.client.is_closed:
            raise RuntimeError("This JsonRequest is not initialized")
        uploads = request_data is not None and request_data.contains_files
        default_write = self.media_write_timeout if uploads else self.timeout.write
        timeout = httpx.Timeout(
            connect=given(connect_timeout, self.timeout.connect),
            read=given(read_timeout, self.timeout.read),
            write=given(write_timeout, default_write),
            pool=given(pool_timeout, self.timeout.pool),
        )
        body: dict[str, Any]
        if uploads:
            body = {
                "data": request_data.json_parameters,
                "files": request_data.multipart_data,
                "headers": FORM_HEADERS,
            }
        elif request_data is not None and request_data.parameters:
            body = {"content": encode(request_data.parameters), "headers": JSON_HEADERS}
        else:
            body = {"headers": FORM_HEADERS}
        try:
            response = await self.client.request(method, url, timeout=timeout, **body)
        except httpx.PoolTimeout as error:
            raise TimedOut("Pool timeout: every connection is busy; the request was not sent") from error
        except httpx.TimeoutException as error:
            raise TimedOut from error
        except httpx.HTTPError as error:  # the base of httpx's errors: after the timeouts
            raise NetworkError(f"httpx.{type(error).__name__}: {error}") from error
        return response.status_code, response.content


def given(value: Any, default: float | None) -> float | None:
    """A timeout a call passed, or the client's when it passed none (PTB's ``DefaultValue``)."""
    return default if isinstance(value, type(BaseRequest.DEFAULT_NONE)) else value


def encode(parameters: dict[str, Any]) -> bytes:
    return json.dumps(parameters, ensure_ascii=False, separators=(",", ":")).encode()
