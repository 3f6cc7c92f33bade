"""Test doubles for Telegram, reused by the test suite and the chat simulator.

``fake_telegram``: an in-process fake Bot API (``FakeTelegram``, ``FakeRequest``).
``server``: the same fake served over HTTP on 127.0.0.1.
``driver``: ``Shop`` and ``ChatUser``, which drive the real Application like a user.
``html``: a validator of Telegram's HTML subset.
"""
