"""Support tickets through the real bot and the fake Bot API: open, relay both ways, close, refuse."""

from asgiref.sync import sync_to_async
from django.contrib.auth.models import Group, Permission

from accounts.models import AuditEntry
from catalog.models import Ticket, TicketMessage
from catalog.services import tickets as services
from catalog.tests.test_tickets import stars_order
from shopbot.test import OWNER_ID, make_customer
from telegrambot import callbacks
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_admin_broadcast import send_photo


@sync_to_async
def tickets() -> list[Ticket]:
    return list(Ticket.objects.order_by("id"))


@sync_to_async
def messages() -> list[TicketMessage]:
    return list(TicketMessage.objects.order_by("id"))


async def staff_chats(shop):
    """The owner and Adam (Admin role, manage_support) have started the bot, so relays reach them."""
    users = []
    for telegram_id in (OWNER_ID, 2001):
        user = await shop.user(telegram_id)
        await user.send("/start")
        users.append(user)
    return users


class CustomerTicketTests(BotTestCase):
    async def test_it_opens_a_ticket_by_paysupport_and_relays_it_to_staff(self) -> None:
        shop, alice = await self.start_chat()
        owner, _adam = await staff_chats(shop)

        await alice.send("/paysupport")
        await alice.press("✉️ Write to support")
        await alice.send("My key is <b>broken</b> %(s)s")

        [ticket] = await tickets()
        self.assertIn(f"Your message is in ticket #{ticket.pk}", alice.screen.text)
        relayed = owner.screen
        self.assertIn(f"Ticket #{ticket.pk} from 1001:", relayed.text)
        self.assertIn("My key is <b>broken</b> %(s)s", relayed.text)
        self.assertIn("&lt;b&gt;broken&lt;/b&gt;", relayed.html)
        self.assertIn("🗂 Open the ticket", relayed.labels)

    async def test_it_offers_the_customers_own_stars_orders_and_links_the_one_chosen(self) -> None:
        mine = await sync_to_async(stars_order)(self.alice, charge_id="charge-alice")
        await sync_to_async(stars_order)(self.bob, charge_id="charge-bob")
        shop, alice = await self.start_chat()
        await staff_chats(shop)

        await alice.send("/paysupport")
        offered = [label for label in alice.screen.labels if label.startswith("⭐")]
        self.assertEqual(len(offered), 1)
        await alice.press(offered[0])
        await alice.send("Charged but nothing arrived")

        [ticket] = await tickets()
        self.assertEqual((ticket.kind, ticket.payment_id), ("payment", mine.pk))

    async def test_it_refuses_empty_too_long_and_sticker_input_and_keeps_asking(self) -> None:
        shop, alice = await self.start_chat()
        await staff_chats(shop)
        await alice.send("/paysupport")
        await alice.press("✉️ Write to support")

        await alice.send("x" * 5000)
        self.assertIn("at most 4000 characters", alice.screen.text)
        await alice.send("   ")
        self.assertIn("Write your message as text", alice.screen.text)
        self.assertEqual(await tickets(), [])
        await alice.send("now a real question")
        self.assertEqual(len(await tickets()), 1)

    async def test_it_takes_a_photo_with_its_caption(self) -> None:
        shop, alice = await self.start_chat()
        await staff_chats(shop)
        await alice.send("/paysupport")
        await alice.press("✉️ Write to support")

        await send_photo(alice, "screenshot-7")

        [message] = await messages()
        self.assertEqual((message.attachment_kind, message.attachment_id), ("photo", "screenshot-7"))

    async def test_it_refuses_and_audits_forged_presses_for_anothers_ticket_and_order(self) -> None:
        ticket = (
            await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="mine")
        ).ticket
        payment = await sync_to_async(stars_order)(self.alice)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await staff_chats(shop)

        for forged in (callbacks.TICKET, callbacks.TICKET_REPLY):
            answer = await bob.press_data(forged.build(ticket.pk))
            self.assertIn("This support ticket was not found.", bob.screen.text + str(answer))
        await bob.press_data(callbacks.SUPPORT_ORDER.build(payment.pk))
        await bob.send("give me her refund")

        self.assertIn("This payment was not found.", bob.screen.text)
        self.assertEqual(len(await messages()), 1)
        audited = AuditEntry.objects.filter(
            actor=self.bob, action__in=["view_ticket_refused", "open_ticket_refused"]
        )
        self.assertGreaterEqual(await audited.acount(), 3)


class StaffTicketTests(BotTestCase):
    async def open_card(self, ticket_id: int):
        shop, alice = await self.start_chat()
        owner, _adam = await staff_chats(shop)
        await owner.send("/admin")
        self.assertIn("💬 Support (1 open)", owner.screen.labels)
        await owner.press("💬 Support (1 open)")
        await owner.press(f"Ticket #{ticket_id} · Question")
        return alice, owner

    async def test_staff_reply_reaches_the_customer_split_and_the_customer_replies_back(self) -> None:
        first = await sync_to_async(services.open_ticket)(
            telegram_id=self.alice.telegram_id, text="help <me>"
        )
        alice, owner = await self.open_card(first.ticket_id)
        self.assertIn("help &lt;me&gt;", owner.screen.html)

        await owner.press("↩️ Reply")
        long_reply = ("<i>line</i> " * 320).strip()  # 3839 characters, far longer once escaped
        await owner.send(long_reply)

        self.assertIn("Reply sent", owner.screen.text)
        relayed = alice.messages[-2:]
        self.assertTrue(relayed[0].text.startswith("Support: <i>line</i>"))
        self.assertLessEqual(max(len(message.html) for message in relayed), 4096)
        self.assertEqual("".join(message.text for message in relayed).count("<i>line</i>"), 320)
        self.assertIn("↩️ Reply", alice.screen.labels)

        await alice.press("↩️ Reply")
        await alice.send("Thanks, works now")
        self.assertIn("Thanks, works now", owner.screen.text)
        self.assertEqual(len(await messages()), 3)

    async def test_staff_close_the_ticket_and_the_customer_cannot_reply_in_it(self) -> None:
        first = await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="help")
        alice, owner = await self.open_card(first.ticket_id)

        await owner.press("✅ Close")

        [ticket] = await tickets()
        self.assertEqual(ticket.status, "closed")
        answer = await alice.press_data(callbacks.TICKET_REPLY.build(ticket.pk))
        self.assertNotIn("Send your reply", alice.screen.text + str(answer))

    async def test_a_payment_dispute_card_shows_the_charge_id_and_refund(self) -> None:
        payment = await sync_to_async(stars_order)(self.alice, charge_id="charge-42")
        await sync_to_async(services.open_ticket)(
            telegram_id=self.alice.telegram_id, text="refund", payment_id=payment.pk
        )
        [ticket] = await tickets()
        shop, _alice = await self.start_chat()
        owner = await shop.user(OWNER_ID)
        await owner.send("/start")
        await owner.press_data(callbacks.ADMIN_TICKET.build(ticket.pk))

        self.assertIn("charge id charge-42", owner.screen.text)
        self.assertIn("💸 Refund the Stars", owner.screen.labels)
        await owner.press("💸 Refund the Stars")
        answer = owner.alert or ""
        self.assertIn("reason", (owner.screen.text + answer).lower(), answer)

    async def test_staff_without_manage_support_are_refused(self) -> None:
        first = await sync_to_async(services.open_ticket)(telegram_id=self.alice.telegram_id, text="help")
        role = await sync_to_async(Group.objects.create)(name="Claims desk")
        await sync_to_async(role.permissions.set)(
            await sync_to_async(list)(Permission.objects.filter(codename="manage_claims"))
        )
        await sync_to_async(make_customer)(3001, username="carol", role=role)
        shop, carol = await self.start_chat(3001)

        await carol.send("/admin")
        self.assertFalse(any("Support" in label for label in carol.screen.labels))
        for forged in (callbacks.ADMIN_TICKET, callbacks.ADMIN_TICKET_REPLY, callbacks.ADMIN_TICKET_CLOSE):
            await carol.press_data(forged.build(first.ticket_id))
        self.assertEqual(len(await messages()), 1)
        self.assertEqual((await tickets())[0].status, "open")
        denied = AuditEntry.objects.filter(action="permission_denied", actor__telegram_id=3001)
        self.assertGreaterEqual(await denied.acount(), 3)
