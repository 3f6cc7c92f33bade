"""The chat simulator: the shop's real bot in a browser, on a fake Telegram, at /simulator/.

``runner``: the bot's Application on its own event loop in the web process.
``fake_telegram``: the fake Bot API (the tests use it too).
``telegram``: that fake, plus files users send and paid invoices.
``personas``: the simulated users (a new customer, one with a balance, the owner).
``messages`` and ``html``: the chat as JSON with safe HTML for the page.
``views`` and ``urls``: HTTP in, Telegram updates out; staff only.
"""
