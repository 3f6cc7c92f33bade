"""Users and orders in the admin menu: lookups, balance changes, blocking, roles, refusals."""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry, Customer
from accounts.roles import ADMIN_ROLE, invalidate_role_cache
from catalog.models import Purchase
from catalog.services import purchase_product
from payments.models import LedgerEntry
from shopbot.test import OWNER_ID, make_customer
from telegrambot import callbacks
from telegrambot.services.dialog import set_state
from telegrambot.tests.admin_support import AdminTestCase
from telegrambot.tests.admin_tools import make_admin


class FindUserTests(AdminTestCase):
    async def open_users(self, customer=None):
        user = await self.chat(customer or self.admin)
        await user.send("/admin")
        await user.press("👥 Users")
        return user

    async def test_it_finds_a_user_by_username_or_id(self):
        adam = await self.open_users()
        for bad in ("hello world", "@a", "12ab", "-5"):
            await adam.send(bad)
            self.assertIn("Telegram id", adam.screen.text)
        await adam.send("424242")
        self.assertIn("No such user", adam.screen.text)
        await adam.send("@ALICE")
        for line in (
            "Alice",
            "ID: 1001",
            "Balance: 50.00 RUB",
            "Status: active",
            "Purchases: 0",
            "Credit by the shop",
        ):
            self.assertIn(line, adam.screen.text)

        await adam.press("👥 Find another user")
        await adam.send(str(self.bob.telegram_id))
        self.assertIn("@bob", adam.screen.text)

    async def test_it_credits_and_debits_with_a_reason_and_tells_the_user(self):
        shop, alice = await self.start_chat(self.alice.telegram_id)
        adam = await shop.user(self.admin.telegram_id, username="adam")
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_USER.build(self.alice.telegram_id))
        await adam.press("➕ Credit")
        for bad in ("ten", "0.50", "10001", "1.001", "-30"):  # bounds: 1 to 10000 in tests
            await adam.send(bad)
            self.assertTrue(adam.screen.text.startswith("⚠️"), bad)
        await adam.send("100")
        await adam.send("   ")
        self.assertIn("reason", adam.screen.text)
        await adam.send("Refund for a <broken> key")
        self.assertIn("Balance: <b>150.00 RUB</b>", adam.screen.html)
        self.assertIn("credited 100.00 RUB", alice.screen.text)
        self.assertIn("Refund for a <broken> key", alice.screen.text)

        await adam.press("➖ Debit")
        await adam.send("200")
        await adam.send("Too much")
        self.assertIn("Not enough money", adam.screen.text)  # never below zero
        customer = await Customer.objects.aget(pk=self.alice.pk)
        self.assertEqual(str(customer.balance), "150.00")
        self.assertEqual(await self.audits("credit_balance", self.admin), 1)

    async def test_it_blocks_with_a_reason_told_once_and_unblocks(self):
        shop, bob = await self.start_chat(self.bob.telegram_id)
        adam = await shop.user(self.admin.telegram_id)
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_USER.build(self.bob.telegram_id))
        await adam.press("🚫 Block")
        self.assertIn("reason for the block", adam.screen.text)
        for bad in ("   ", "x" * 5000):
            await adam.send(bad)
            self.assertIn("1 to 200 characters", adam.screen.text)
        self.assertFalse((await Customer.objects.aget(pk=self.bob.pk)).is_blocked)
        before = len(bob.messages)

        await adam.send("<b>Chargebacks</b> %(s)s")

        self.assertIn("Status: blocked · <b>Chargebacks</b> %(s)s", adam.screen.text)
        self.assertEqual(len(bob.messages), before)  # told by the gate, at the next contact
        await bob.send("/start")
        await bob.send("/profile")
        await bob.press("👤 Profile")
        told = [message.text for message in bob.messages[before:]]
        self.assertEqual(len(told), 1)
        self.assertIn("Reason: <b>Chargebacks</b> %(s)s", told[0])
        self.assertIsNone(bob.alert)
        entry = await AuditEntry.objects.aget(action="block_user")
        self.assertEqual(entry.details["reason"], "<b>Chargebacks</b> %(s)s")

        await adam.press("✅ Unblock")
        self.assertIn("has been unblocked", bob.screen.text)
        self.assertEqual(await self.audits("block_user", self.admin), 1)

    async def test_it_refuses_a_typed_reason_once_users_are_taken_away(self):
        adam = await self.open_users()
        await adam.send(str(self.bob.telegram_id))
        await adam.press("🚫 Block")
        await sync_to_async(self.without_users)()

        await adam.send("Fraud")

        self.assertIn("not allowed", adam.screen.text)
        self.assertFalse((await Customer.objects.aget(pk=self.bob.pk)).is_blocked)

    async def test_it_protects_the_owner_and_oneself(self):
        adam = await self.open_users()
        await adam.send(str(OWNER_ID))
        self.assertNotIn("🚫 Block", adam.screen.labels)
        await adam.press_data(callbacks.ADMIN_USER_BLOCK.build(OWNER_ID, "on"))
        self.assertIn("owner", adam.alert)
        self.assertEqual(await self.audits("escalation_refused", self.admin), 1)
        await adam.press_data(callbacks.ADMIN_USER_BLOCK.build(self.admin.telegram_id, "on"))
        self.assertIn("not allowed", adam.alert)
        self.assertFalse((await Customer.objects.aget(telegram_id=OWNER_ID)).is_blocked)
        self.assertFalse((await Customer.objects.aget(pk=self.admin.pk)).is_blocked)

    async def test_it_refuses_what_the_role_does_not_allow(self):
        carl = await self.chat(self.carl)  # stock only
        for data in (
            callbacks.ADMIN_USERS.build(),
            callbacks.ADMIN_USER.build(self.alice.telegram_id),
            callbacks.ADMIN_USER_BALANCE.build(self.alice.telegram_id, "credit"),
            callbacks.ADMIN_USER_BLOCK.build(self.alice.telegram_id, "on"),
            callbacks.ADMIN_USER_ROLES.build(self.alice.telegram_id),
            callbacks.ADMIN_ORDER_LOOKUP.build(),
        ):
            await self.refused(carl, data, self.carl)
        self.assertEqual(await LedgerEntry.objects.filter(customer=self.alice).acount(), 1)

    async def test_it_refuses_a_typed_amount_once_balances_are_taken_away(self):
        adam = await self.open_users()
        await adam.send("@alice")
        await adam.press("➕ Credit")
        await adam.send("100")
        await sync_to_async(self.without_balances)()

        await adam.send("Gift")
        self.assertIn("not allowed", adam.screen.text)
        self.assertEqual(str((await Customer.objects.aget(pk=self.alice.pk)).balance), "50.00")
        self.assertEqual(await self.audits("permission_denied", self.admin), 1)

    async def test_it_credits_once_for_an_admin_who_may_not_see_profiles(self):
        await make_admin(3006, "manage_balances")
        shop, alice = await self.start_chat(self.alice.telegram_id)
        mia = await shop.user(3006)
        await mia.send("/start")
        await mia.press_data(callbacks.ADMIN_USER_BALANCE.build(self.alice.telegram_id, "credit"))
        await mia.send("100")

        await mia.send("Gift")

        self.assertIn("Credited 100.00 RUB. The balance of 1001 is now 150.00 RUB.", mia.screen.text)
        for later in ("Gift", "thanks", "100"):
            await mia.send(later)
            self.assertIn("I did not understand", mia.screen.text)
        self.assertEqual(str((await Customer.objects.aget(pk=self.alice.pk)).balance), "150.00")
        self.assertEqual(await LedgerEntry.objects.filter(customer=self.alice).acount(), 2)
        self.assertIn("credited 100.00 RUB", alice.screen.text)

    def without_balances(self):
        role = Group.objects.get(name=ADMIN_ROLE)
        role.permissions.remove(Permission.objects.get(codename="manage_balances"))
        invalidate_role_cache(role.pk)

    def without_users(self):
        role = Group.objects.get(name=ADMIN_ROLE)
        role.permissions.remove(Permission.objects.get(codename="manage_users"))
        invalidate_role_cache(role.pk)


class RoleChangeTests(AdminTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        manager = Group.objects.create(name="People manager")
        manager.permissions.set(
            Permission.objects.filter(codename__in=["manage_users", "manage_roles", "manage_stock"])
        )
        cls.pete = make_customer(3002, username="pete", role=manager)

    async def test_it_lets_the_owner_give_a_role(self):
        olga = await self.chat(self.owner)
        await olga.press_data(callbacks.ADMIN_USER.build(self.bob.telegram_id))
        await olga.press("🛡 Change role")
        await olga.press("Stock keeper")
        self.assertIn("Role: Stock keeper", olga.screen.text)
        self.assertEqual(
            (await Customer.objects.select_related("role").aget(pk=self.bob.pk)).role.name, "Stock keeper"
        )

    async def test_it_refuses_escalations_in_every_form(self):
        pete = await self.chat(self.pete)
        admin_role = await Group.objects.aget(name=ADMIN_ROLE)
        await pete.press_data(callbacks.ADMIN_USER_ROLES.build(self.bob.telegram_id))
        self.assertNotIn("Admin", pete.screen.labels)  # above his own permissions: not offered
        self.assertIn("Stock keeper", pete.screen.labels)

        attempts = [
            callbacks.ADMIN_USER_SET_ROLE.build(self.bob.telegram_id, admin_role.pk),  # a higher role
            callbacks.ADMIN_USER_SET_ROLE.build(self.admin.telegram_id, admin_role.pk),  # someone above him
            callbacks.ADMIN_USER_SET_ROLE.build(self.pete.telegram_id, admin_role.pk),  # himself
            callbacks.ADMIN_USER_SET_ROLE.build(OWNER_ID, admin_role.pk),  # the owner
        ]
        for data in attempts:
            await pete.press_data(data)
            self.assertTrue(pete.alert, data)
        self.assertEqual(await self.audits("escalation_refused", self.pete), 4)
        roles = {customer.telegram_id: customer.role_id async for customer in Customer.objects.all()}
        self.assertIsNone(roles[self.bob.telegram_id])
        self.assertIsNone(roles[OWNER_ID])


class EditedMessageTests(AdminTestCase):
    async def test_it_ignores_an_edited_answer_to_a_prompt(self):
        # Editing a typed amount while the bot waits for the reason must neither raise nor act again.
        shop, alice = await self.start_chat(self.alice.telegram_id)
        adam = await shop.user(self.admin.telegram_id, username="adam")
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_USER.build(self.alice.telegram_id))
        await adam.press("➕ Credit")
        await adam.send("100")
        shown = len(adam.messages)

        await adam.edit_last_message("5000")
        await adam.edit_last_message("/start")

        self.assertEqual(len(adam.messages), shown)
        await adam.send("Goodwill")
        self.assertIn("Balance: <b>150.00 RUB</b>", adam.screen.html)

    async def test_it_ignores_an_edit_on_every_prompt(self):
        adam = await self.chat(self.admin)
        for state in every_prompt():
            with self.subTest(state=state):
                await sync_to_async(set_state)(telegram_id=self.admin.telegram_id, state=state, data={})
                shown = len(adam.messages)
                await adam.edit_last_message("<b>" + "9" * 5000)
                self.assertEqual(len(adam.messages), shown)
                self.assertEqual(await sync_to_async(state_of)(self.admin.telegram_id), state)


def every_prompt():
    from telegrambot import application

    states = set()
    for feature in application.FEATURES:
        states |= set(feature.prompts) | set(feature.media_prompts)
    assert len(states) > 10
    return sorted(states)


def state_of(telegram_id):
    from telegrambot.models import DialogState

    found = DialogState.objects.filter(telegram_id=telegram_id).first()
    return found.state if found else None


class OrderLookupTests(AdminTestCase):
    async def test_it_shows_an_order_with_the_delivered_value_escaped(self):
        await self.key_with_value("<script>&</script>")
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        adam = await self.chat(self.admin)
        await adam.send("/admin")
        await adam.press("🔎 Find an order")
        await adam.send("NOPE")
        self.assertIn("not found", adam.screen.text)
        await adam.send("#" + purchase.order_number.lower())
        for line in (purchase.order_number, "@alice", "Game key", "9.99 RUB"):
            self.assertIn(line, adam.screen.text)
        self.assertIn("<code>&lt;script&gt;&amp;&lt;/script&gt;</code>", adam.screen.html)
        await adam.press("👤 The buyer")
        self.assertIn("Purchases: 1 for 9.99 RUB", adam.screen.text)

    async def test_it_hides_the_delivered_value_from_user_managers(self):
        # Managing users is support work; the customers' keys need their own permission.
        await self.key_with_value("SECRET-KEY-1")
        purchase = await sync_to_async(purchase_product)(
            telegram_id=self.alice.telegram_id, product_id=self.key.pk
        )
        support = await Group.objects.acreate(name="Support")
        await sync_to_async(support.permissions.set)(Permission.objects.filter(codename="manage_users"))
        sam = await sync_to_async(make_customer)(3002, username="sam", role=support)
        sam_chat = await self.chat(sam)
        await sam_chat.send("/admin")
        await sam_chat.press("🔎 Find an order")

        await sam_chat.send(purchase.order_number)

        self.assertIn(purchase.order_number, sam_chat.screen.text)
        self.assertIn("Delivered: hidden", sam_chat.screen.text)
        self.assertNotIn("SECRET-KEY-1", sam_chat.screen.html)

    async def key_with_value(self, value):
        from catalog.models import StockUnit

        await StockUnit.objects.filter(product=self.key).adelete()
        await StockUnit.objects.acreate(product=self.key, value=value)
        self.assertEqual(await Purchase.objects.acount(), 0)
