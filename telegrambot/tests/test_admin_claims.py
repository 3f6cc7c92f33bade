"""The admin menu's Claims: the list, the card and the decisions, through the real bot and the fake Bot API."""

from decimal import Decimal

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry
from catalog.models import Claim, Product, Purchase, StockUnit
from catalog.services import open_claim, purchase_product, reject_claim
from payments.models import LedgerEntry
from shopbot.test import OWNER_ID, ledger_matches_balance, make_customer
from telegrambot import callbacks, claim_notices
from telegrambot.tests.helpers import BotTestCase


@sync_to_async
def alice_claims(test: BotTestCase, *, reason: str = "not_working", text: str = "") -> Claim:
    purchase = purchase_product(telegram_id=test.alice.telegram_id, product_id=test.key.pk)
    return open_claim(telegram_id=test.alice.telegram_id, purchase_id=purchase.pk, reason=reason, text=text)


@sync_to_async
def reload(claim: Claim) -> Claim:
    return Claim.objects.select_related("purchase").get(pk=claim.pk)


class AdminClaimsTests(BotTestCase):
    async def open_card(self, claim: Claim, telegram_id: int = OWNER_ID):
        """Alice has a chat with the bot; the owner opens her claim's card."""
        shop, alice = await self.start_chat(self.alice.telegram_id)
        owner = await shop.user(telegram_id)
        await owner.send("/start")
        await owner.send("/admin")
        await owner.press("🛠 Claims")
        await owner.press(f"#{claim.pk}")
        return shop, owner

    async def test_it_counts_open_claims_on_the_admin_menu_button(self) -> None:
        await alice_claims(self)
        _shop, owner = await self.start_chat(OWNER_ID)

        await owner.send("/admin")

        self.assertIn("🛠 Claims (1)", owner.screen.labels)

    async def test_it_shows_the_card_with_history_and_defect_rate(self) -> None:
        claim = await alice_claims(self, text="It says <b>invalid</b>")

        _shop, owner = await self.open_card(claim)

        self.assertIn(f"Claim #{claim.pk}", owner.screen.text)
        self.assertIn("Customer wrote: It says <b>invalid</b>", owner.screen.text)
        self.assertIn("&lt;b&gt;invalid&lt;/b&gt;", owner.screen.html)
        self.assertIn("Delivered: AAA-111", owner.screen.text)
        self.assertIn("1 purchases, 1 claims (100%)", owner.screen.text)
        self.assertIn("Product: 1 sold, 0 defective (0%)", owner.screen.text)

    async def test_it_replaces_and_the_new_key_reaches_the_customer(self) -> None:
        claim = await alice_claims(self)
        shop, owner = await self.open_card(claim)

        await owner.press("🔁 Replace")
        self.assertIn("Replace the item with the next unit in stock?", owner.screen.text)
        await owner.press("✅ Yes, decide")

        self.assertIn("Replaced. The customer has been told.", owner.screen.text)
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("your item was replaced", alice.screen.text)
        self.assertIn("BBB-222", alice.screen.text)
        old = await StockUnit.objects.aget(value="AAA-111")
        self.assertIsNotNone(old.defective_at)
        self.assertIsNotNone((await reload(claim)).customer_told_at)
        await owner.press_data(callbacks.ADMIN_STOCK_PRODUCT.build(self.key.pk))
        self.assertIn("Unsold units: 0", owner.screen.text)
        self.assertIn("Defective (found by claims, never sold again): 1", owner.screen.text)

    async def test_it_refuses_a_replacement_without_stock_and_offers_to_wait(self) -> None:
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        purchase = await Purchase.objects.aget()
        claim = await sync_to_async(open_claim)(
            telegram_id=self.alice.telegram_id, purchase_id=purchase.pk, reason="other"
        )
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, owner = await self.open_card(claim)

        await owner.press("🔁 Replace")
        answer = await owner.press("✅ Yes, decide")
        self.assertIn("No stock to replace Game key", str(answer) + owner.screen.text)
        await owner.press("⬅️ Back")
        await owner.press("⏳ Wait for stock")
        await owner.press("✅ Yes, decide")

        self.assertEqual((await reload(claim)).status, Claim.Status.WAITING)
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("as soon as new stock arrives", alice.screen.text)

    async def test_it_sends_the_restocked_unit_to_the_waiting_claim_first(self) -> None:
        claim = await alice_claims(self)
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, owner = await self.open_card(claim)
        await owner.press("⏳ Wait for stock")
        await owner.press("✅ Yes, decide")

        await owner.send("/admin")
        await owner.press("📦 Stock")
        await owner.press("Games")
        await owner.press("Game key")
        await owner.press("➕ Add units")
        await owner.send("NEW-1\nNEW-2")
        await owner.press("✅ Add 2 units")

        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("NEW-1", alice.screen.text)
        self.assertEqual((await reload(claim)).status, Claim.Status.REPLACED)
        unsold = [
            unit.value async for unit in StockUnit.objects.filter(product=self.key, sold_at__isnull=True)
        ]
        self.assertEqual(unsold, ["NEW-2"])

    async def test_it_refunds_to_the_balance(self) -> None:
        claim = await alice_claims(self)
        shop, owner = await self.open_card(claim)

        await owner.press("💸 Refund (unit defective)")
        await owner.press("✅ Yes, decide")

        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("the price was returned to your balance", alice.screen.text)
        refund = await LedgerEntry.objects.aget(kind=LedgerEntry.Kind.REFUND)
        self.assertEqual(refund.amount, Decimal("9.99"))
        self.assertTrue(await sync_to_async(ledger_matches_balance)(self.alice))

    async def test_it_rejects_with_a_typed_reason_the_customer_sees_escaped(self) -> None:
        claim = await alice_claims(self)
        shop, owner = await self.open_card(claim)

        await owner.press("❌ Reject")
        await owner.send("x" * 5000)
        self.assertIn("at most 500 characters", owner.screen.text)
        await owner.send("The key <b>works</b> %(s)s")

        self.assertIn("Rejected. The customer has been told.", owner.screen.text)
        alice = await shop.user(self.alice.telegram_id, first_name="Alice")
        self.assertIn("Reason: The key <b>works</b> %(s)s", alice.screen.text)
        self.assertIn("&lt;b&gt;works&lt;/b&gt;", alice.screen.html)

    async def test_it_tells_a_second_decision_the_claim_is_decided(self) -> None:
        claim = await alice_claims(self)
        _shop, owner = await self.open_card(claim)
        await owner.press("🔁 Replace")
        await owner.press("✅ Yes, decide")

        answer = await owner.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "refund"))

        self.assertIn("already been decided", str(answer) + owner.screen.text)
        self.assertEqual(await LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND).acount(), 0)

    async def test_it_refuses_staff_without_manage_claims_and_audits_it(self) -> None:
        claim = await alice_claims(self)
        stocker = await sync_to_async(make_stocker)()
        _shop, sam = await self.start_chat(stocker.telegram_id)

        await sam.send("/admin")
        self.assertNotIn("🛠 Claims", " ".join(sam.screen.labels))
        for forged in (
            callbacks.ADMIN_CLAIMS.build(1),
            callbacks.ADMIN_CLAIM.build(claim.pk),
            callbacks.ADMIN_CLAIM_YES.build(claim.pk, "replace"),
            callbacks.ADMIN_CLAIM_YES.build(claim.pk, "refund"),
        ):
            await sam.press_data(forged)

        self.assertEqual((await reload(claim)).status, Claim.Status.OPEN)
        refusals = await AuditEntry.objects.filter(actor__telegram_id=stocker.telegram_id).acount()
        self.assertGreaterEqual(refusals, 4)

    async def test_it_says_a_forged_claim_id_is_not_found(self) -> None:
        _shop, owner = await self.start_chat(OWNER_ID)

        answer = await owner.press_data(callbacks.ADMIN_CLAIM.build(999999))

        self.assertIn("This claim was not found.", str(answer) + owner.screen.text)


def make_stocker():
    """Sam manages stock only: the admin menu opens for him, the claims do not."""
    role = Group.objects.create(name="Stock keeper")
    role.permissions.set(Permission.objects.filter(codename="manage_stock"))
    return make_customer(3100, username="sam", role=role)


class WarrantyFormTests(BotTestCase):
    async def test_it_edits_the_warranty_of_a_product_and_refuses_nonsense(self) -> None:
        _shop, owner = await self.start_chat(OWNER_ID)
        await owner.press_data(callbacks.ADMIN_PRODUCT.build(self.key.pk))
        self.assertIn("Warranty: 24 h", owner.screen.text)

        await owner.press("✏️ Warranty")
        for hostile in ("-1", "abc", "²", "9" * 30, "<b>1</b>"):
            await owner.send(hostile)
            self.assertIn("whole number from 0 to 8760", owner.screen.text)
        await owner.send("48")

        self.assertIn("Warranty: 48 h", owner.screen.text)
        self.assertEqual((await Product.objects.aget(pk=self.key.pk)).warranty_hours, 48)


class OwedNoticeTests(BotTestCase):
    async def test_it_tells_customers_decisions_made_in_the_web_admin_once(self) -> None:
        claim = await alice_claims(self)
        shop, alice = await self.start_chat(self.alice.telegram_id)
        await sync_to_async(reject_claim)(actor=self.owner, claim_id=claim.pk, reason="Works for us")

        told = await claim_notices.tell_customers(shop.application.bot, None)
        again = await claim_notices.tell_customers(shop.application.bot, None)

        self.assertEqual((told, again), (1, 0))
        self.assertIn("Reason: Works for us", alice.screen.text)

    async def test_it_keeps_a_message_telegram_refused_owed(self) -> None:
        claim = await alice_claims(self)
        shop = await self.start_shop()  # Alice never opened a chat: Telegram refuses the message
        await sync_to_async(reject_claim)(actor=self.owner, claim_id=claim.pk, reason="No")

        told = await claim_notices.tell_customers(shop.application.bot, [claim.pk])

        self.assertEqual(told, 0)
        self.assertIsNone((await reload(claim)).customer_told_at)
