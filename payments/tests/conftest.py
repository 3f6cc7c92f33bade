import pytest

from payments.testing.fake_cryptopay import FakeCryptoPay


@pytest.fixture(scope="session")
def cryptopay_server():
    with FakeCryptoPay() as fake:
        yield fake


@pytest.fixture
def fake_cryptopay(cryptopay_server, settings):
    """The fake Crypto Pay API, empty, with the shop configured to use it."""
    cryptopay_server.reset()
    settings.CRYPTO_PAY_API_URL = cryptopay_server.url
    settings.CRYPTO_PAY_TOKEN = cryptopay_server.token
    yield cryptopay_server
    cryptopay_server.reset()
