"""A feature of the bot as one declared unit: its handlers, prompts, media prompts and jobs.

Each handler module ends with one ``FEATURE``; ``application.py`` registers
the list in order. ``check_features`` refuses, at start-up, two features that
claim the same name, prompt state or button route: otherwise the later one
would silently replace (a prompt) or never see (a route) what the earlier
one registered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import BaseHandler, CallbackQueryHandler

from telegrambot.context import ShopContext
from telegrambot.services import dialog

PromptHandler = Callable[[Update, ShopContext, dialog.Dialog], Awaitable[None]]
JobCallback = Callable[[ShopContext], Awaitable[None]]


@dataclass(frozen=True)
class Job:
    """A repeating job, run on one worker at a time (``locks.run_exclusively``)."""

    name: str
    callback: JobCallback
    every: float  # seconds between ticks
    first: float  # seconds before the first tick


@dataclass(frozen=True)
class Feature:
    """What one handler module adds to the bot."""

    name: str
    handlers: Sequence[BaseHandler[Any, Any, Any]] = ()
    # Typed text for a prompt state, and photos or documents for a prompt that accepts a file.
    prompts: Mapping[str, PromptHandler] = field(default_factory=dict)
    media_prompts: Mapping[str, PromptHandler] = field(default_factory=dict)
    jobs: Sequence[Job] = ()


class FeatureConflict(Exception):
    """Two features claim the same name, prompt state or route."""


def check_features(features: Iterable[Feature]) -> None:
    """Raise ``FeatureConflict`` naming both features when two claim the same thing."""
    owners: dict[tuple[str, str], str] = {}
    names: set[str] = set()
    for feature in features:
        if feature.name in names:
            raise FeatureConflict(f"two features are named {feature.name!r}")
        names.add(feature.name)
        claims = [("prompt state", state) for state in feature.prompts]
        claims += [("media prompt state", state) for state in feature.media_prompts]
        claims += [("route", route) for route in routes_of(feature)]
        claims += [("job", job.name) for job in feature.jobs]
        for kind, value in claims:
            owner = owners.setdefault((kind, value), feature.name)
            if owner != feature.name:
                raise FeatureConflict(
                    f"features {owner!r} and {feature.name!r} both claim the {kind} {value!r}"
                )


def routes_of(feature: Feature) -> list[str]:
    """Return the callback patterns of the feature's buttons (a feature may answer one route twice)."""
    patterns = (
        handler.pattern
        for handler in feature.handlers
        if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None
    )
    return list(dict.fromkeys(getattr(pattern, "pattern", str(pattern)) for pattern in patterns))


def prompts_of(features: Iterable[Feature]) -> dict[str, PromptHandler]:
    """Return every feature's typed-text prompts in one table."""
    return {state: handler for feature in features for state, handler in feature.prompts.items()}


def media_prompts_of(features: Iterable[Feature]) -> dict[str, PromptHandler]:
    """Return every feature's file prompts in one table."""
    return {state: handler for feature in features for state, handler in feature.media_prompts.items()}
