"""Test tools for the bot, used by the test suite and the benchmarks (never by the shop itself).

``server``: the simulator's fake Bot API (``telegrambot.simulator.fake_telegram``) served over HTTP on 127.0.0.1.
``driver``: ``Shop`` and ``ChatUser``, which drive the real Application like a user.
``workers``: ``runbot`` subprocesses for the process tests.
"""
