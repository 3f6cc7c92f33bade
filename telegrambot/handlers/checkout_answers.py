"""The answers a manual product's checkout asks for (the questions are started by ``checkout_questions``)."""

from __future__ import annotations

from telegrambot.checkout_questions import ANSWERED, ANSWERING, remind, take_answer
from telegrambot.features import Feature

PROMPTS = {ANSWERING: take_answer, ANSWERED: remind}
FEATURE = Feature("checkout_answers", prompts=PROMPTS)
