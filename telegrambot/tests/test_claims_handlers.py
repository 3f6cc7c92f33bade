"""Reporting a problem with a purchase, pressed through the real bot and the fake Bot API."""

from datetime import timedelta

from asgiref.sync import sync_to_async
from django.utils.timezone import now

from accounts.models import AuditEntry
from catalog.models import Claim, Purchase
from catalog.services import purchase_product
from catalog.services.claims import open_claim, replace_claim
from telegrambot import callbacks
from telegrambot.tests.admin_support import send_document
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_admin_broadcast import send_photo
from telegrambot.texts import catalog as catalog_texts


@sync_to_async
def claims() -> list[Claim]:
    return list(Claim.objects.order_by("id"))


class ReportProblemTests(BotTestCase):
    async def open_purchase(self, telegram_id: int = 1001):
        purchase = await sync_to_async(purchase_product)(telegram_id=telegram_id, product_id=self.key.pk)
        shop, user = await self.start_chat(telegram_id)
        await user.press("👤 Profile")
        await user.press("🧾 Purchase history")
        await user.press("#")
        return purchase, user

    async def test_it_shows_the_warranty_and_opens_a_claim_with_a_photo(self) -> None:
        purchase, alice = await self.open_purchase()
        self.assertIn("🛠 Report a problem", alice.screen.labels)

        await alice.press("🛠 Report a problem")
        self.assertIn("What is wrong with it?", alice.screen.text)
        await alice.press("Doesn't work")
        await alice.send("The key says <b>invalid</b> %(s)s {0}")
        self.assertIn("Send one photo or document", alice.screen.text)
        await send_photo(alice, "screenshot-1")

        [claim] = await claims()
        self.assertIn(f"claim #{claim.pk} is registered", alice.screen.text)
        self.assertEqual((claim.purchase_id, claim.reason), (purchase.pk, "not_working"))
        self.assertEqual(claim.text, "The key says <b>invalid</b> %(s)s {0}")
        self.assertEqual((claim.attachment_kind, claim.attachment_id), ("photo", "screenshot-1"))

    async def test_it_opens_a_claim_skipping_text_and_file(self) -> None:
        _purchase, alice = await self.open_purchase()

        await alice.press("🛠 Report a problem")
        await alice.press("Wrong item")
        await alice.press("⏭ Skip")
        await alice.press("⏭ Skip")

        [claim] = await claims()
        self.assertEqual((claim.text, claim.attachment_id), ("", ""))

    async def test_it_takes_a_document_instead_of_text(self) -> None:
        _purchase, alice = await self.open_purchase()

        await alice.press("🛠 Report a problem")
        await alice.press("Other")
        await send_document(alice, b"log", "log.txt")

        [claim] = await claims()
        self.assertEqual(claim.attachment_kind, "document")

    async def test_it_refuses_5000_characters_and_keeps_asking(self) -> None:
        _purchase, alice = await self.open_purchase()
        await alice.press("🛠 Report a problem")
        await alice.press("Doesn't work")

        await alice.send("x" * 5000)

        self.assertIn("at most 1000 characters", alice.screen.text)
        self.assertEqual(await claims(), [])
        await alice.send("short")
        self.assertIn("Send one photo or document", alice.screen.text)

    async def test_it_asks_for_a_file_when_text_comes_at_the_file_step(self) -> None:
        _purchase, alice = await self.open_purchase()
        await alice.press("🛠 Report a problem")
        await alice.press("Doesn't work")
        await alice.press("⏭ Skip")

        await alice.send("here is more text")

        self.assertIn("Send a photo or a document, or press Skip.", alice.screen.text)
        self.assertEqual(await claims(), [])

    async def test_it_says_why_a_purchase_past_its_warranty_cannot_be_claimed(self) -> None:
        purchase, alice = await self.open_purchase()
        await Purchase.objects.filter(pk=purchase.pk).aupdate(warranty_until=now() - timedelta(minutes=1))

        await alice.press("🛠 Report a problem")

        self.assertIn("The warranty of this purchase has ended.", alice.screen.text)

    async def test_it_says_a_problem_is_already_reported(self) -> None:
        _purchase, alice = await self.open_purchase()
        await alice.press("🛠 Report a problem")
        await alice.press("Doesn't work")
        await alice.press("⏭ Skip")
        await alice.press("⏭ Skip")
        await alice.press("⬅️ Back")
        await alice.press("#")

        await alice.press("🛠 Report a problem")

        self.assertIn("already reported", alice.screen.text)
        self.assertEqual(len(await claims()), 1)

    async def test_it_refuses_and_audits_a_forged_press_for_anothers_purchase(self) -> None:
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        _shop, bob = await self.start_chat(self.bob.telegram_id)

        for forged in (callbacks.CLAIM_START, callbacks.CLAIM_REASON):
            values = (purchase.pk, "other") if forged is callbacks.CLAIM_REASON else (purchase.pk,)
            answer = await bob.press_data(forged.build(*values))
            self.assertIn("This order was not found.", bob.screen.text + str(answer))
        answer = await bob.press_data(callbacks.CLAIM_SKIP.build(purchase.pk))
        self.assertIn("This step is over", str(answer))
        self.assertEqual(await claims(), [])
        refusals = await AuditEntry.objects.filter(action="open_claim_refused", actor=self.bob).acount()
        self.assertGreaterEqual(refusals, 2)

    async def test_it_shows_the_warranty_in_the_history_and_on_the_receipt(self) -> None:
        purchase, alice = await self.open_purchase()

        self.assertIn("🛡 Warranty until", alice.screen.text)
        receipt = await sync_to_async(catalog_texts.receipt)(purchase)
        self.assertIn("Warranty: 24 h — report a problem from your purchases", receipt)

    async def test_it_shows_the_warranty_on_the_product_card(self) -> None:
        _shop, alice = await self.start_chat()

        await alice.press("🛍 Shop")
        await alice.press("📂 Games")
        await alice.press("Game key")

        self.assertIn("Warranty: 24 h", alice.screen.text)


class ReplacedPurchaseTests(BotTestCase):
    async def test_the_history_and_both_orders_show_the_replacement_and_both_values(self) -> None:
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        claim = await sync_to_async(open_claim)(
            telegram_id=self.alice.telegram_id, purchase_id=purchase.pk, reason=Claim.Reason.NOT_WORKING
        )
        await sync_to_async(replace_claim)(actor=self.owner, claim_id=claim.pk)
        replacement = await Purchase.objects.aget(replaces=purchase)
        _shop, alice = await self.start_chat()

        await alice.press("👤 Profile")
        await alice.press("🧾 Purchase history")
        self.assertIn(f"replaced by #{replacement.order_number}", " ".join(alice.screen.labels))
        await alice.press(f"#{purchase.order_number}")
        original = alice.screen.text
        await alice.press_data(callbacks.PURCHASE.build(replacement.pk, 1))
        new = alice.screen.text

        self.assertIn(f"Replaced by order #{replacement.order_number}", original)
        self.assertIn("AAA-111", original)
        self.assertIn("BBB-222", original)
        self.assertIn(f"Replaces order #{purchase.order_number}", new)
        self.assertIn("BBB-222", new)
        self.assertNotIn("AAA-111", new)
