"""The fake CryptoPay fixtures of the payments tests, for the bot's provider flows."""

from payments.tests.conftest import cryptopay_server, fake_cryptopay

__all__ = ["cryptopay_server", "fake_cryptopay"]
