"""The claim-rate rule in the admin menu: the warning on the card, and two staff members for a replace."""

from asgiref.sync import sync_to_async
from django.test import override_settings

from catalog.models import Claim, Purchase
from catalog.services import open_claim, purchase_product
from shopbot.test import OWNER_ID
from telegrambot import callbacks
from telegrambot.tests.admin_support import AdminTestCase


@sync_to_async
def frequent_claim(test: AdminTestCase) -> Claim:
    """Alice's third claim on one purchase: over CLAIM_RATE_CLAIMS=2."""
    purchase = purchase_product(telegram_id=test.alice.telegram_id, product_id=test.key.pk)
    for _n in range(2):
        Claim.objects.create(
            purchase=purchase, customer=test.alice, reason="other", status=Claim.Status.REJECTED
        )
    return open_claim(telegram_id=test.alice.telegram_id, purchase_id=purchase.pk, reason="not_working")


@override_settings(CLAIM_RATE_CLAIMS=2, CLAIM_RATE_PURCHASES=10)
class SecondDecisionTests(AdminTestCase):
    async def test_it_warns_and_needs_a_different_staff_member_to_confirm(self) -> None:
        claim = await frequent_claim(self)
        shop, alice = await self.start_chat(self.alice.telegram_id)
        owner = await shop.user(OWNER_ID)
        await owner.send("/start")
        await owner.press_data(callbacks.ADMIN_CLAIM.build(claim.pk))
        self.assertIn("Frequent claimer: 3 claims in the last 1 purchases", owner.screen.text)

        await owner.press("🔁 Replace")
        await owner.press("✅ Yes, decide")
        self.assertIn("a different staff member must confirm", owner.alert)
        await owner.press_data(callbacks.ADMIN_CLAIM.build(claim.pk))
        self.assertIn(f"{OWNER_ID} chose “replace”", owner.screen.text)
        await owner.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "replace"))
        self.assertIn("You made the first decision", owner.alert)
        self.assertEqual((await Claim.objects.aget(pk=claim.pk)).status, Claim.Status.OPEN)

        adam = await shop.user(self.admin.telegram_id)
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_CLAIM_YES.build(claim.pk, "refund"))
        self.assertIn("confirm that decision, or reject", adam.alert)
        await adam.press_data(callbacks.ADMIN_CLAIM.build(claim.pk))
        await adam.press("🔁 Replace")
        await adam.press("✅ Yes, decide")

        self.assertIn("Replaced. The customer has been told.", adam.screen.text)
        self.assertIn("BBB-222", alice.screen.text)
        self.assertEqual(await Purchase.objects.filter(replaces_id=claim.purchase_id).acount(), 1)

    async def test_it_refuses_the_confirmation_to_staff_without_manage_claims(self) -> None:
        claim = await frequent_claim(self)
        carl = await self.chat(self.carl)

        await self.refused(carl, callbacks.ADMIN_CLAIM_YES.build(claim.pk, "replace"), self.carl)

        self.assertEqual((await Claim.objects.aget(pk=claim.pk)).pending_decision, "")
