"""The gate's round trip brings what the last update with the same button read: for anyone, never stale."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from telegram import CallbackQuery, Chat, Message, Update, User

from catalog.models import Product
from shopbot import warmcache
from telegrambot import adapter, callbacks
from telegrambot.application import ROUTE_MAX, route_of
from telegrambot.tests.helpers import BotTestCase
from telegrambot.tests.test_warm_round_trips import counting_round_trips

BOB = 1002


def flat(trips: list[list[str]]) -> str:
    return " ".join(key for trip in trips for key in trip)


class RouteKeyTests(BotTestCase):
    def setUp(self) -> None:
        super().setUp()
        adapter.forget_learned_keys()

    async def test_another_customer_pressing_the_same_button_gets_the_page_in_the_gates_trip(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        bob = await shop.user(BOB)
        await bob.send("/start")
        category = callbacks.CATEGORY.build(self.games.pk, 1)
        await alice.press_data(callbacks.SHOP.build())
        await alice.press_data(category)  # builds the page
        await alice.press_data(category)  # reads it on the loop: the route learns its keys
        await bob.press_data(callbacks.SHOP.build())

        with counting_round_trips() as trips:
            await bob.press_data(category)

        self.assertEqual(len(trips), 1, trips)
        self.assertIn(f"catalog:products:{self.games.pk}:1", trips[0])
        self.assertIn(f"customer:{BOB}", trips[0])
        self.assertNotIn(f":{self.alice.telegram_id}", flat(trips))  # none of Alice's own keys
        self.assertIn("Game key", " ".join(bob.screen.labels))

    async def test_a_page_that_changed_since_is_read_anew(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        category = callbacks.CATEGORY.build(self.games.pk, 1)
        await alice.press_data(callbacks.SHOP.build())
        for _visit in range(2):
            await alice.press_data(category)
        await alice.press_data(callbacks.SHOP.build())

        await sync_to_async(Product.objects.filter(pk=self.key.pk).update)(name="Renamed key")
        await sync_to_async(self.key.refresh_from_db)()
        await sync_to_async(self.key.save)()  # a save: the catalog's version moves on
        await alice.press_data(category)

        self.assertIn("Renamed key", " ".join(alice.screen.labels))
        self.assertNotIn("Game key", " ".join(alice.screen.labels))

    async def test_what_a_customer_reads_of_their_own_is_not_fetched_for_others(self) -> None:
        shop, alice = await self.start_chat(self.alice.telegram_id)
        bob = await shop.user(BOB)
        for _visit in range(2):
            await alice.send("/start")

        with counting_round_trips() as trips:
            await bob.send("/start")

        self.assertNotIn(f"customer:{self.alice.telegram_id}", flat(trips))
        self.assertNotIn(f"dialog:none:{self.alice.telegram_id}", flat(trips))
        self.assertIn("Hello", bob.screen.text)

    def test_only_a_button_or_a_command_is_a_route(self) -> None:
        user = User(BOB, "Bob", False)
        chat = Chat(BOB, Chat.PRIVATE)

        def message(text: str) -> Update:
            return Update(1, message=Message(1, None, chat, from_user=user, text=text))  # type: ignore[arg-type]

        def press(data: str) -> Update:
            return Update(2, callback_query=CallbackQuery("q", user, "instance", data=data))

        self.assertEqual(route_of(message("/start ref_42")), "command:/start")
        self.assertEqual(route_of(press("c:1:1")), "button:c:1:1")
        self.assertIsNone(route_of(message("hello")))  # a prompt's answer: no route
        self.assertIsNone(route_of(message("/" + "x" * ROUTE_MAX)))
        self.assertIsNone(route_of(press("<b>" * 30)))  # longer than Telegram allows: forged
        self.assertIsNone(route_of(object()))

    def test_routes_are_bounded(self) -> None:
        for number in range(warmcache.ROUTES_MAX + 5):
            with warmcache.UpdateScope(f"button:{number}"):
                warmcache.note_asked([f"page:{number}"])
        with warmcache.UpdateScope("button:0"):
            self.assertEqual(warmcache.route_keys(["gate"]), ["gate"])  # the oldest was let go
        with warmcache.UpdateScope(f"button:{warmcache.ROUTES_MAX + 4}"):
            self.assertEqual(warmcache.route_keys(["gate"]), ["gate", f"page:{warmcache.ROUTES_MAX + 4}"])
