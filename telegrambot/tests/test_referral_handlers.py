"""Referrals: the personal link, the count, the earnings, the paged list."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings

from accounts.models import Customer
from payments.models import Payment
from payments.services import create_payment, credit_payment
from shopbot.test import make_customer
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase


def invite(referrer: Customer, count: int) -> list[Customer]:
    return [
        make_customer(7000 + number, first_name=f"<Friend {number}>", referrer=referrer)
        for number in range(count)
    ]


def top_up(customer: Customer, amount: str) -> None:
    payment = create_payment(
        customer=customer,
        provider=Payment.Provider.MANUAL,
        amount=Decimal(amount),
        provider_amount=Decimal(amount),
        provider_currency="RUB",
    )
    credit_payment(payment_id=payment.pk)


class ReferralTests(BotTestCase):
    async def test_it_shows_the_link_the_count_and_the_earnings(self) -> None:
        friends = await sync_to_async(invite)(self.alice, 12)
        await sync_to_async(top_up)(friends[0], "100")
        shop, alice = await self.start_chat()

        await alice.press("👥 Referrals")

        self.assertIn(f"https://t.me/shop_test_bot?start=ref_{self.alice.referral_code}", alice.screen.text)
        self.assertIn("Invited: 12", alice.screen.text)
        self.assertIn("Earned: 10.00 RUB", alice.screen.text)
        self.assertIn("receive 10% of every top-up", alice.screen.text)

    async def test_it_pages_the_referrals_with_their_names_escaped(self) -> None:
        await sync_to_async(invite)(self.alice, 12)
        shop, alice = await self.start_chat()
        await alice.press("👥 Referrals")

        await alice.press("👥 My referrals")
        self.assertEqual(alice.screen.text.count("<Friend"), 10)
        self.assertIn("&lt;Friend", alice.screen.html)
        await alice.press("▶️")
        self.assertEqual(alice.screen.text.count("<Friend"), 2)

    async def test_it_shows_only_ones_own_referrals(self) -> None:
        await sync_to_async(invite)(self.alice, 3)
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press("👥 Referrals")
        self.assertIn("Invited: 0", bob.screen.text)
        await bob.press_data(callbacks.REFERRAL_LIST.build(1))
        self.assertIn("Nobody has joined with your link yet.", bob.screen.text)

    async def test_it_works_in_russian(self) -> None:
        shop, ivan = await self.start_chat(5301, language_code="ru")

        await ivan.press("👥 Рефералы")

        self.assertIn("Приглашено: 0", ivan.screen.text)

    @override_settings(REFERRAL_PERCENT=Decimal("0"))
    async def test_it_refuses_old_buttons_when_the_programme_is_off(self) -> None:
        shop, alice = await self.start_chat()
        before = alice.screen.text

        await alice.press_data(callbacks.REFERRALS.build())
        self.assertEqual(alice.alert, "This section is not available yet.")
        await alice.press_data(callbacks.REFERRAL_LIST.build(1))
        self.assertEqual(alice.screen.text, before)
