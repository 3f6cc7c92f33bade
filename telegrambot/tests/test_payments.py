"""Paying through the real bot against the fake Bot API (and the fake Crypto Pay API)."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import CartLine, Purchase
from catalog.services import add_to_cart
from payments.models import LedgerEntry, Payment
from payments.testing.fake_cryptopay import FakeCryptoPay
from shopbot.test import OWNER_ID
from telegrambot import callbacks
from telegrambot.handlers.payments import reconcile_job
from telegrambot.notices import deliver_notices
from telegrambot.tests.helpers import BotTestCase

PAYMENT_METHODS = override_settings(
    STARS_PER_VALUE=Decimal("1.5"),
    TELEGRAM_PROVIDER_TOKEN="284685063:TEST:provider",
    PAY_CURRENCY="RUB",
)


@pytest.fixture(scope="module")
def cryptopay_server():
    with FakeCryptoPay() as fake:
        yield fake


@sync_to_async
def balance_of(customer) -> Decimal:
    customer.refresh_from_db()
    return customer.balance


@sync_to_async
def ledger_rows(customer) -> int:
    return LedgerEntry.objects.filter(customer=customer).count()


@sync_to_async
def latest_payment() -> Payment:
    return Payment.objects.select_related("customer").first()


class PaymentsBotTestCase(BotTestCase):
    async def choose_amount(self, user, amount: str) -> None:
        await user.press("💳 Top up")
        await user.send(amount)

    def invoice(self, user):
        message = user.latest_bot_message()
        self.assertEqual(message.kind, "invoice")
        return message.media

    async def pay(self, user, invoice, *, charge_id=None, total=None):
        total = total if total is not None else invoice["prices"][0]["amount"]
        answer = await user.pre_checkout(
            payload=invoice["payload"], currency=invoice["currency"], total_amount=total
        )
        self.assertEqual(answer, {"ok": True, "error_message": None})
        return await user.successful_payment(
            payload=invoice["payload"], currency=invoice["currency"], total_amount=total, charge_id=charge_id
        )


@PAYMENT_METHODS
class StarsTopUpTests(PaymentsBotTestCase):
    async def test_it_tops_up_with_stars_from_the_menu_to_the_message(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "10.01")

        await bob.press("⭐ Telegram Stars · 16 ⭐")

        invoice = self.invoice(bob)
        self.assertEqual(
            (invoice["currency"], invoice["prices"]), ("XTR", [{"label": "Top-up", "amount": 16}])
        )
        self.assertFalse(invoice["provider_token"])
        await self.pay(bob, invoice)
        self.assertEqual(await balance_of(self.bob), Decimal("10.01"))
        self.assertIn("Your balance was topped up by 10.01 RUB", bob.screen.text)

    async def test_it_credits_and_tells_once_when_telegram_repeats_the_payment_across_a_restart(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "20")
        await bob.press("⭐ Telegram Stars")
        invoice = self.invoice(bob)

        charge = await self.pay(bob, invoice)
        messages = len(bob.messages)
        for _ in range(2):
            await bob.successful_payment(
                payload=invoice["payload"], currency="XTR", total_amount=30, charge_id=charge
            )
        await shop.restart()
        for _ in range(2):
            await bob.successful_payment(
                payload=invoice["payload"], currency="XTR", total_amount=30, charge_id=charge
            )

        self.assertEqual(len(bob.messages), messages)
        self.assertEqual(await ledger_rows(self.bob), 1)
        self.assertEqual(await balance_of(self.bob), Decimal("20.00"))

    async def test_it_refuses_pre_checkout_for_an_invoice_that_is_not_pending(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "5")
        await bob.press("⭐ Telegram Stars")
        invoice = self.invoice(bob)
        await self.pay(bob, invoice)

        again = await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=8)
        forged = await bob.pre_checkout(payload="forged", currency="XTR", total_amount=8)
        odd = await bob.pre_checkout(payload=invoice["payload"], currency="XTR", total_amount=1)

        self.assertEqual(
            again, {"ok": False, "error_message": "This payment is no longer waiting to be paid."}
        )
        self.assertEqual(forged, {"ok": False, "error_message": "This payment was not found."})
        self.assertIs(odd["ok"], False)

    async def test_it_flags_a_mismatched_payment_and_tells_the_customer_and_the_staff(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        owner = await shop.user(OWNER_ID)
        await owner.send("/start")
        adam = await shop.user(self.admin.telegram_id)  # refund_payments: told too
        await adam.send("/start")
        await self.choose_amount(bob, "5")
        await bob.press("⭐ Telegram Stars")
        invoice = self.invoice(bob)

        await bob.successful_payment(payload=invoice["payload"], currency="XTR", total_amount=1)

        self.assertIn("Support will contact you", bob.screen.text)
        self.assertIn("needs review", owner.screen.text)
        self.assertIn("needs review", adam.screen.text)
        await owner.press("💳 Open the payment")
        self.assertIn("needs review", owner.screen.text.lower())
        self.assertEqual(await balance_of(self.bob), Decimal("0"))

    async def test_it_refuses_a_blocked_customer_before_the_money_but_credits_money_taken(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "5")
        await bob.press("⭐ Telegram Stars")
        invoice = self.invoice(bob)
        self.bob.is_blocked = True
        await sync_to_async(self.bob.save)()
        total = invoice["prices"][0]["amount"]

        answer = await bob.pre_checkout(
            payload=invoice["payload"], currency=invoice["currency"], total_amount=total
        )
        self.assertEqual(answer, {"ok": False, "error_message": "Your account is blocked."})
        # Telegram took the money anyway (the pre-checkout passed before the block): it is credited.
        await bob.successful_payment(
            payload=invoice["payload"], currency=invoice["currency"], total_amount=total
        )

        self.assertEqual(await balance_of(self.bob), Decimal("5.00"))

    async def test_it_refuses_a_forged_amount_button(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.TOP_UP_STARS.build(Decimal("0.50")))

        self.assertEqual(bob.alert, "Enter an amount from 1.00 RUB to 10000.00 RUB.")
        self.assertIsNone(await latest_payment())


@PAYMENT_METHODS
class CardTopUpTests(PaymentsBotTestCase):
    async def test_it_tops_up_with_a_card_invoice_in_minor_units(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "99.50")

        await bob.press("💳 Card")

        invoice = self.invoice(bob)
        self.assertEqual((invoice["currency"], invoice["prices"][0]["amount"]), ("RUB", 9950))
        self.assertEqual(invoice["provider_token"], "284685063:TEST:provider")
        await self.pay(bob, invoice)
        self.assertEqual(await balance_of(self.bob), Decimal("99.50"))
        payment = await latest_payment()
        self.assertTrue(payment.provider_charge_id.startswith("provider-"))


@PAYMENT_METHODS
class StarsOrderTests(PaymentsBotTestCase):
    async def test_it_delivers_a_product_paid_in_stars(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(self.key.pk))

        invoice = self.invoice(bob)
        self.assertEqual((invoice["title"], invoice["prices"][0]["amount"]), ("Game key", 15))
        await self.pay(bob, invoice)
        self.assertIn("AAA-111", bob.screen.text)
        self.assertEqual(await balance_of(self.bob), Decimal("0"))

    async def test_it_empties_the_cart_it_delivered_so_it_cannot_be_paid_twice(self):
        await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=self.key.pk)
        await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.CART.build())
        await bob.press("⭐ Pay")

        await self.pay(bob, self.invoice(bob))

        self.assertIn("AAA-111", bob.screen.text)
        self.assertEqual(await CartLine.objects.filter(customer=self.bob).acount(), 0)
        await bob.press_data(callbacks.PAY_STARS_CART.build())
        self.assertEqual(bob.alert, "Your cart is empty.")

    async def test_it_refuses_an_older_invoice_of_a_cart_paid_already(self):
        await sync_to_async(add_to_cart)(telegram_id=self.bob.telegram_id, product_id=self.gift.pk)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await bob.press_data(callbacks.PAY_STARS_CART.build())
        first = self.invoice(bob)
        await bob.press_data(callbacks.PAY_STARS_CART.build())
        await self.pay(bob, self.invoice(bob))

        answer = await bob.pre_checkout(
            payload=first["payload"], currency=first["currency"], total_amount=first["prices"][0]["amount"]
        )

        self.assertEqual(answer["ok"], False)
        self.assertIn("This cart was paid already", answer["error_message"])
        self.assertEqual(await Purchase.objects.filter(buyer=self.bob).acount(), 1)

    async def test_it_refuses_to_invoice_a_sold_out_product(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await sync_to_async(lambda: self.key.stock.update(sold_at="2024-01-01T00:00Z"))()

        await bob.press_data(callbacks.PAY_STARS_PRODUCT.build(self.key.pk))

        self.assertEqual(bob.alert, "Game key is out of stock.")


@override_settings(STARS_PER_VALUE=Decimal("0"), PAY_CURRENCY="RUB")
class CryptoPayTopUpTests(PaymentsBotTestCase):
    @pytest.fixture(autouse=True)
    def use_fake(self, cryptopay_server, settings):
        cryptopay_server.reset()
        settings.CRYPTO_PAY_API_URL = cryptopay_server.url
        settings.CRYPTO_PAY_TOKEN = cryptopay_server.token
        self.fake = cryptopay_server

    async def open_invoice(self, amount="25"):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, amount)
        await bob.press("🪙 Crypto")
        return shop, bob, await latest_payment()

    async def test_it_shows_the_pay_link_and_credits_when_the_customer_checks(self):
        shop, bob, payment = await self.open_invoice()
        self.assertIn("Top up by 25.00 RUB with CryptoPay", bob.screen.text)
        self.assertEqual(bob.screen.message.buttons[0][0]["url"], payment.pay_url)

        await bob.press("🔄 Check payment")
        self.assertIn("has not arrived yet", bob.alert)

        self.fake.mark_paid(int(payment.external_id))
        await bob.press("🔄 Check payment")
        self.assertIn("Paid.", bob.screen.text)
        self.assertEqual(await balance_of(self.bob), Decimal("25.00"))

    async def test_it_tells_the_customer_about_a_webhook_credit_from_the_notice_job(self):
        shop, bob, payment = await self.open_invoice()
        self.fake.mark_paid(int(payment.external_id))
        body = self.fake.webhook_body(int(payment.external_id))
        response = await sync_to_async(self.client.post)(
            "/payments/cryptopay/webhook/",
            data=body,
            content_type="application/json",
            headers={"crypto-pay-api-signature": self.fake.webhook_headers(body)["crypto-pay-api-signature"]},
        )
        self.assertEqual(response.status_code, 200)

        await deliver_notices(shop.application.bot)
        await deliver_notices(shop.application.bot)

        self.assertEqual(sum("topped up by 25.00 RUB" in m.text for m in bob.messages), 1)

    async def test_it_says_cryptopay_is_not_answering(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.choose_amount(bob, "25")
        self.fake.failing = True

        await bob.press("🪙 Crypto")

        self.assertEqual(bob.alert, "CryptoPay is not answering, please try again shortly.")

    async def test_it_credits_a_paid_invoice_from_the_reconciliation_job(self):
        shop, bob, payment = await self.open_invoice("12.34")
        self.fake.mark_paid(int(payment.external_id))

        await reconcile_job(SimpleNamespace(bot=shop.application.bot))

        self.assertEqual(await balance_of(self.bob), Decimal("12.34"))
        self.assertIn("topped up by 12.34 RUB", bob.screen.text)
        self.assertEqual(bob.screen.message.kind, "text")

    async def test_it_refuses_to_check_someone_elses_payment(self):
        shop, bob, payment = await self.open_invoice()
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")

        await alice.press_data(callbacks.CHECK_CRYPTO.build(payment.pk))

        self.assertEqual(alice.alert, "This payment was not found.")
