"""What other apps do when accounts changes a customer: hooks registered at start-up.

``accounts`` imports no other app, yet blocking a customer must refuse their
open claims (``catalog``) and anonymising one must scrub what every app holds
about them. Each app registers its hook once in its ``AppConfig.ready()``;
accounts calls them inside its own transaction, with the customer row locked
(so a hook locks only rows after the customer in the lock order, makes no
network call, and leaves messages to an outbox).

``block_hooks``: ``hook(*, customer, actor, reason)`` when a customer is blocked.
``scrubbers``: ``scrubber(*, customer)`` when a customer is anonymised; it
removes the app's texts that name or quote them and keeps what accounting needs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class HookRegistry:
    """Named hooks of one kind, each registered once, called in registration order."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._hooks: dict[str, Callable[..., Any]] = {}

    def register(self, name: str, hook: Callable[..., Any]) -> None:
        if name in self._hooks:
            # Registered twice, a hook would act twice (two refusals, two audit entries).
            raise RuntimeError(f"a {self.kind} hook named {name!r} is already registered")
        self._hooks[name] = hook

    def names(self) -> list[str]:
        return list(self._hooks)

    def run(self, **kwargs: Any) -> dict[str, Any]:
        """Call every hook with ``kwargs``; return what each returned, by name."""
        return {name: hook(**kwargs) for name, hook in self._hooks.items()}


block_hooks = HookRegistry("block")
scrubbers = HookRegistry("scrubber")
