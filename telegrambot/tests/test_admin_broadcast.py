"""Composing a broadcast: HTML checks, photo, link button, audience, preview, confirmation, refusals."""

from asgiref.sync import sync_to_async

from catalog.services import purchase_product
from telegrambot import callbacks
from telegrambot.handlers.admin_broadcast import TEXT
from telegrambot.models import Broadcast, BroadcastDelivery
from telegrambot.services import dialog
from telegrambot.tests.admin_tools import audited, denials, make_admin, take_permissions
from telegrambot.tests.helpers import BotTestCase

GOOD = '<b>Spring sale</b> on <a href="https://shop.example/sale">keys</a>'


async def send_photo(user, file_id: str = "photo-of-the-sale") -> None:
    """Send a photo message, as the Telegram client does."""
    message = user.telegram.add_user_message(user.id)
    photo = [
        {"file_id": f"{file_id}-small", "file_unique_id": "s1", "width": 90, "height": 90},
        {"file_id": file_id, "file_unique_id": "s2", "width": 1280, "height": 960},
    ]
    await user.shop.process({"message": {**user.message_base(message), "photo": photo}})


@sync_to_async
def broadcasts() -> list[Broadcast]:
    return list(Broadcast.objects.order_by("id"))


class ComposeTests(BotTestCase):
    async def open_compose(self, telegram_id=None):
        shop, adam = await self.start_chat(telegram_id or self.admin.telegram_id)
        await adam.press_data(callbacks.ADMIN_BROADCAST.build())
        self.assertIn("Nothing was broadcast yet.", adam.screen.text)
        await adam.press("✍️ New broadcast")
        self.assertIn("step 1 of 4", adam.screen.text)
        return shop, adam

    async def test_it_refuses_html_telegram_would_refuse(self):
        shop, adam = await self.open_compose()

        for text, reason in [
            ("Keys & codes", "unescaped '&'"),
            ("<b>Sale", 'find end tag corresponding to start tag "b"'),
            ("<div>Sale</div>", 'unsupported start tag "div"'),
            ('<a href="javascript:alert(1)">x</a>', "invalid URL"),
            ("x" * 4097, "at most 4096 fit"),
        ]:
            await adam.send(text)
            self.assertIn(reason, adam.screen.text)
            self.assertIn("⚠️", adam.screen.text)

        self.assertEqual(await broadcasts(), [])

    async def test_it_previews_a_photo_with_a_link_button_exactly_as_sent_and_starts_on_confirmation(self):
        shop, adam = await self.open_compose()

        await adam.send(GOOD)
        self.assertIn("step 2 of 4", adam.screen.text)
        await adam.send("not a photo")
        self.assertIn("Send a photo", adam.screen.text)
        await send_photo(adam)
        self.assertIn("step 3 of 4", adam.screen.text)
        await adam.send("Open | http://shop.example")
        self.assertIn("The button needs a full https:// address.", adam.screen.text)
        await adam.send("no separator")
        self.assertIn("Send the button as: text | https://address", adam.screen.text)
        await adam.send("Open the shop | https://shop.example/sale")
        self.assertIn("step 4 of 4", adam.screen.text)
        await adam.press("👥 Everyone")

        preview = adam.messages[-2]
        self.assertEqual((preview.kind, preview.media), ("photo", "photo-of-the-sale"))
        self.assertEqual(preview.html, GOOD)
        self.assertEqual(preview.buttons, [[{"text": "Open the shop", "url": "https://shop.example/sale"}]])
        self.assertIn("Audience: everyone, 4 recipients", adam.screen.text)
        await adam.press("✅ Send to 4")

        self.assertIn("Broadcast #", adam.screen.text)
        self.assertIn("is being sent", adam.screen.text)
        self.assertEqual(adam.screen.labels, ["⏹ Cancel the broadcast"])
        [broadcast] = await broadcasts()
        self.assertEqual(
            (broadcast.status, broadcast.total, broadcast.photo), ("sending", 4, "photo-of-the-sale")
        )
        self.assertEqual(await sync_to_async(BroadcastDelivery.objects.count)(), 4)
        self.assertEqual(
            [job.name for job in shop.application.job_queue.jobs()].count(f"broadcast:{broadcast.pk}"), 1
        )
        self.assertEqual([entry.target for entry in await audited("start_broadcast")], [f"#{broadcast.pk}"])
        self.assertIsNone(await sync_to_async(dialog.get_state)(telegram_id=self.admin.telegram_id))

    async def test_it_refuses_a_caption_too_long_for_a_photo(self):
        shop, adam = await self.open_compose()
        await adam.send("y" * 1500)

        await send_photo(adam)

        self.assertIn("at most 1024 fit", adam.screen.text)

    async def test_it_counts_buyers_and_customers_who_never_bought(self):
        await sync_to_async(purchase_product)(telegram_id=self.alice.telegram_id, product_id=self.key.pk)
        shop, adam = await self.open_compose()
        await adam.send(GOOD)
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")

        await adam.press("🛒 Buyers")
        self.assertIn("Audience: buyers, 1 recipients", adam.screen.text)
        self.assertEqual(adam.messages[-2].kind, "text")
        await adam.press_data(callbacks.ADMIN_BROADCAST_AUDIENCE.build((await broadcasts())[0].pk, "new"))
        self.assertIn("Audience: customers who never bought, 3 recipients", adam.screen.text)

    async def test_it_leaves_a_draft_behind_on_cancel_that_nobody_can_send(self):
        shop, adam = await self.open_compose()
        await adam.send(GOOD)
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")
        await adam.press("👥 Everyone")
        [draft] = await broadcasts()

        await adam.press("✖️ Cancel")
        await adam.press_data(callbacks.ADMIN_BROADCAST_SEND.build(draft.pk))

        self.assertEqual(adam.alert, "This step is no longer open. Start a new broadcast.")
        [draft] = await broadcasts()
        self.assertEqual(draft.status, "draft")


class BroadcastRefusalTests(BotTestCase):
    async def adams_draft(self, shop) -> Broadcast:
        adam = await shop.user(self.admin.telegram_id)
        await adam.send("/start")
        await adam.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await adam.send(GOOD)
        await adam.press("⏭ Skip")
        await adam.press("⏭ Skip")
        await adam.press("👥 Everyone")
        return (await broadcasts())[0]

    async def test_it_refuses_forged_presses_of_a_customer_and_an_admin_without_the_permission(self):
        shop = await self.start_shop()
        draft = await self.adams_draft(shop)
        await make_admin(3001, "view_statistics")
        forged = [
            callbacks.ADMIN_BROADCAST.build(),
            callbacks.ADMIN_BROADCAST_NEW.build(),
            callbacks.ADMIN_BROADCAST_AUDIENCE.build(draft.pk, "all"),
            callbacks.ADMIN_BROADCAST_SEND.build(draft.pk),
            callbacks.ADMIN_BROADCAST_STOP.build(draft.pk),
        ]
        for telegram_id in (self.alice.telegram_id, 3001):
            user = await shop.user(telegram_id)
            await user.send("/start")
            for data in forged:
                await user.press_data(data)
                self.assertEqual(user.alert, "You are not allowed to do that.", data)
            self.assertEqual(
                await denials(telegram_id),
                ["list_recent", "check_allowed", "check_allowed", "check_allowed", "cancel_broadcast"],
            )
        [draft] = await broadcasts()
        self.assertEqual((draft.status, draft.total), ("draft", 0))

    async def test_it_refuses_another_admins_draft(self):
        shop = await self.start_shop()
        draft = await self.adams_draft(shop)
        await make_admin(3002, "broadcast")
        other = await shop.user(3002)
        await other.send("/start")
        await sync_to_async(dialog.set_state)(telegram_id=3002, state="adm_bc_confirm", data={"id": draft.pk})

        await other.press_data(callbacks.ADMIN_BROADCAST_SEND.build(draft.pk))

        self.assertEqual(other.alert, "This broadcast was not found.")
        [draft] = await broadcasts()
        self.assertEqual(draft.status, "draft")

    async def test_it_checks_the_permission_again_when_confirming(self):
        editor = await make_admin(3003, "broadcast")
        shop, user = await self.start_chat(3003)
        await user.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await user.send(GOOD)
        await user.press("⏭ Skip")
        await user.press("⏭ Skip")
        await user.press("👥 Everyone")

        await take_permissions(editor)
        await user.press("✅ Send to")

        self.assertEqual(user.alert, "You are not allowed to do that.")
        self.assertEqual(await denials(3003), ["check_allowed"])
        [draft] = await broadcasts()
        self.assertEqual(draft.status, "draft")
        self.assertEqual(await sync_to_async(BroadcastDelivery.objects.count)(), 0)

    async def test_it_refuses_typed_text_once_the_permission_is_gone_and_from_a_forged_step(self):
        editor = await make_admin(3004, "broadcast")
        shop, user = await self.start_chat(3004)
        await user.press_data(callbacks.ADMIN_BROADCAST_NEW.build())
        await take_permissions(editor)
        await user.send(GOOD)
        shop, alice = await self.start_chat()
        await sync_to_async(dialog.set_state)(telegram_id=self.alice.telegram_id, state=TEXT)
        await alice.send(GOOD)

        self.assertIn("You are not allowed to do that.", user.screen.text)
        self.assertIn("You are not allowed to do that.", alice.screen.text)
        self.assertEqual(await denials(3004), ["create_draft"])
        self.assertEqual(await denials(self.alice.telegram_id), ["create_draft"])
        self.assertEqual(await broadcasts(), [])
