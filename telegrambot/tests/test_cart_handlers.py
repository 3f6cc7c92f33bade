"""The cart: adding, quantities, removing, clearing, promo codes per line and the checkout."""

from datetime import timedelta
from decimal import Decimal

from asgiref.sync import sync_to_async
from django.test import override_settings
from django.utils.timezone import now

from accounts.models import Customer
from catalog.models import CartLine, Product, PromoCode, Purchase, PurchaseIntent
from catalog.services import add_to_cart, purchase_product
from shopbot.test import make_customer, make_product, make_promo
from telegrambot import callbacks
from telegrambot.testing.driver import ChatUser
from telegrambot.tests.helpers import BotTestCase


async def put(customer: Customer, product: Product, quantity: int = 1) -> None:
    await sync_to_async(add_to_cart)(
        telegram_id=customer.telegram_id, product_id=product.pk, quantity=quantity
    )


class CartTests(BotTestCase):
    async def test_it_adds_from_the_card_and_counts_in_the_menu(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))

        await alice.press("🛒 Add to cart")
        self.assertEqual(alice.alert, "Added Game key. Items in your cart: 1.")
        await alice.press("🛒 Add to cart")
        self.assertEqual(alice.alert, "Added Game key. Items in your cart: 2.")
        await alice.press("🏠 Menu")

        self.assertIn("🛒 Cart (2)", alice.screen.labels)
        await alice.press("🛒 Cart (2)")
        self.assertIn("Game key\n2 × 9.99 RUB = 19.98 RUB", alice.screen.text)
        self.assertIn("Total: 19.98 RUB", alice.screen.text)

    async def test_it_refuses_more_than_the_stock(self) -> None:
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.PRODUCT.build(self.key.pk, 1))
        for _ in range(2):
            await alice.press("🛒 Add to cart")

        await alice.press("🛒 Add to cart")

        self.assertEqual(alice.alert, "Only 2 of Game key left.")
        self.assertEqual((await CartLine.objects.aget()).quantity, 2)

    async def test_it_changes_the_quantity_and_removes_a_line(self) -> None:
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()
        await alice.press("🛒 Cart (1)")
        await alice.press("✏️ Gift link × 1")
        self.assertEqual(alice.screen.buttons[0], ["× 1", "➕"])

        await alice.press("➕")
        await alice.press("➕")
        self.assertIn("3 × 5.00 RUB = 15.00 RUB", alice.screen.text)
        self.assertEqual(alice.screen.buttons[0], ["➖", "× 3", "➕"])
        await alice.press("➖")
        self.assertIn("2 × 5.00 RUB = 10.00 RUB", alice.screen.text)
        await alice.press("🗑 Remove from the cart")

        self.assertEqual(alice.alert, "Removed from the cart.")
        self.assertIn("Your cart is empty.", alice.screen.text)
        self.assertEqual(await CartLine.objects.acount(), 0)

    async def test_it_clears_the_cart(self) -> None:
        await put(self.alice, self.gift)
        await put(self.alice, self.key)
        shop, alice = await self.start_chat()
        await alice.press("🛒 Cart (2)")

        await alice.press("🧹 Clear the cart")

        self.assertIn("Your cart is empty.", alice.screen.text)
        self.assertEqual(alice.screen.labels, ["🛍 Shop", "🏠 Menu"])
        self.assertEqual(await CartLine.objects.acount(), 0)

    async def test_it_pages_a_long_cart(self) -> None:
        for number in range(10):
            product = await sync_to_async(make_product)(self.games, f"Item {number}", "1.00", units=["X"])
            await put(self.alice, product)
        shop, alice = await self.start_chat()

        await alice.press("🛒 Cart (10)")
        self.assertIn("Page 1", alice.screen.labels)
        self.assertIn("Total: 10.00 RUB", alice.screen.text)
        await alice.press("▶️")

        self.assertEqual(
            [label for label in alice.screen.labels if label.startswith("✏️")],
            ["✏️ Item 8 × 1", "✏️ Item 9 × 1"],
        )
        self.assertIn("Total: 10.00 RUB", alice.screen.text)

    async def test_it_fits_the_longest_page_in_a_message(self) -> None:
        promo = await sync_to_async(make_promo)("TENOFF")
        for number in range(8):
            product = await sync_to_async(make_product)(
                self.games, f"{number}" + "🎮" * 99, "1.00", units=["X"]
            )
            await put(self.alice, product)
        await CartLine.objects.all().aupdate(promo_code=promo)
        await PromoCode.objects.all().aupdate(is_active=False)
        await Product.objects.filter(name__endswith="🎮").aupdate(is_active=False)
        shop, alice = await self.start_chat()

        await alice.press("🛒 Cart (8)")  # names, refusals and promo problems, emoji counted twice

        self.assertEqual(alice.screen.text.count("⚠️"), 9)

    async def test_it_marks_a_line_that_can_no_longer_be_bought(self) -> None:
        await put(self.alice, self.key)
        await Product.objects.filter(pk=self.key.pk).aupdate(is_active=False)
        shop, alice = await self.start_chat()

        await alice.press("🛒 Cart (1)")

        self.assertIn(
            "⚠️ Game key is no longer sold. Remove it from your cart to continue.", alice.screen.text
        )
        self.assertFalse(any(label.startswith("✅ Checkout") for label in alice.screen.labels))
        self.assertIn("⚠️ Game key × 1", alice.screen.labels)

    @override_settings(STARS_PER_VALUE=Decimal("2"))
    async def test_it_offers_stars_at_list_prices(self) -> None:
        await sync_to_async(make_promo)("TENOFF")
        await put(self.alice, self.gift, 2)
        shop, alice = await self.start_chat()

        await alice.press("🛒 Cart (2)")

        self.assertIn("⭐ Pay 20 Stars", alice.screen.labels)

    async def test_it_renders_in_russian(self) -> None:
        ivan = await sync_to_async(make_customer)(5401, language="ru", balance="10")
        await put(ivan, self.gift)
        shop, user = await self.start_chat(5401, language_code="ru")

        await user.press_data(callbacks.CART.build())
        self.assertIn("🛒 Ваша корзина", user.screen.text)
        await user.press_data(callbacks.CART_LINE.build(self.gift.pk))
        await user.press_data(callbacks.CART_QUANTITY.build(self.gift.pk, 999))

        self.assertEqual(user.alert, "Количество: нужно целое число от 1 до 50.")


class CheckoutTests(BotTestCase):
    async def open_confirmation(self, user: ChatUser) -> None:
        await user.press_data(callbacks.CART.build())
        await user.press("✅ Checkout")

    async def test_it_buys_everything_and_lists_every_order(self) -> None:
        await put(self.alice, self.key, 2)
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)
        self.assertIn("Items: 3\nTotal: 24.98 RUB\nYour balance: 50.00 RUB", alice.screen.text)

        await alice.press("✅ Pay 24.98 RUB")

        self.assertIn("Paid 24.98 RUB.", alice.screen.text)
        for value in ("AAA-111", "BBB-222", "https://example.com/gift"):
            self.assertIn(f"<code>{value}</code>", alice.screen.html)
        async for purchase in Purchase.objects.all():
            self.assertIn(f"#{purchase.order_number}", alice.screen.text)
        self.assertEqual(await Purchase.objects.acount(), 3)
        self.assertEqual(await CartLine.objects.acount(), 0)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("25.02"))
        self.assertEqual(alice.screen.labels[:2], ["⭐ Rate Game key", "⭐ Rate Gift link"])

    async def test_it_sells_nothing_when_a_line_sold_out_meanwhile(self) -> None:
        carol = await sync_to_async(make_customer)(5402, balance="50")
        await put(self.alice, self.gift)
        await put(self.alice, self.key, 2)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)
        await sync_to_async(purchase_product)(telegram_id=carol.telegram_id, product_id=self.key.pk)

        await alice.press("✅ Pay 24.98 RUB")

        self.assertEqual(alice.alert, "Only 1 of Game key left.")
        self.assertEqual(await Purchase.objects.filter(buyer=self.alice).acount(), 0)
        self.assertEqual(await CartLine.objects.filter(customer=self.alice).acount(), 2)
        self.assertEqual((await Customer.objects.aget(pk=self.alice.pk)).balance, Decimal("50.00"))

    async def test_it_refuses_a_total_that_changed_and_shows_the_new_one(self) -> None:
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)
        await Product.objects.filter(pk=self.gift.pk).aupdate(price=Decimal("6.00"))

        await alice.press("✅ Pay 5.00 RUB")

        self.assertEqual(alice.alert, "Prices in your cart have changed. Please review it again.")
        self.assertIn("✅ Pay 6.00 RUB", alice.screen.labels)
        self.assertEqual(await Purchase.objects.acount(), 0)
        await alice.press("✅ Pay 6.00 RUB")
        self.assertEqual((await Purchase.objects.aget()).price, Decimal("6.00"))

    async def test_it_offers_to_top_up_what_is_missing(self) -> None:
        await put(self.bob, self.key)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.open_confirmation(bob)

        await bob.press("✅ Pay 9.99 RUB")

        self.assertIn("Not enough money", bob.screen.text)
        self.assertEqual(bob.screen.labels, ["💳 Top up 9.99 RUB", "⬅️ Back", "🏠 Menu"])
        await bob.press("⬅️ Back")
        self.assertIn("Your cart", bob.screen.text)

    async def test_it_sends_a_receipt_too_long_for_a_message_as_a_file(self) -> None:
        for number in range(3):
            product = await sync_to_async(make_product)(
                self.games, f"Big {number}", "1.00", units=[f"{number}" * 2000]
            )
            await put(self.alice, product)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)

        await alice.press("✅ Pay 3.00 RUB")

        receipt, document = alice.messages[-2:]
        self.assertIn("Paid 3.00 RUB for 3 items.", receipt.text)
        content = document.media["content"].decode()
        for number in range(3):
            self.assertIn(f"{number}" * 2000, content)

    async def test_it_sells_once_when_pay_is_pressed_twice(self) -> None:
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)
        pay = alice.keyboard_data()[0]

        await alice.press("✅ Pay 5.00 RUB")
        await alice.press_data(pay)

        self.assertEqual(alice.alert, "This confirmation has been paid already.")
        self.assertEqual(await Purchase.objects.acount(), 1)

    async def test_it_shows_the_checkout_again_when_its_confirmation_expired(self) -> None:
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()
        await self.open_confirmation(alice)
        await PurchaseIntent.objects.aupdate(expires_at=now() - timedelta(seconds=1))

        await alice.press("✅ Pay 5.00 RUB")

        self.assertEqual(
            alice.alert, "This confirmation has expired and prices may have changed. Here it is again."
        )
        self.assertEqual(await Purchase.objects.acount(), 0)
        await alice.press("✅ Pay 5.00 RUB")
        self.assertEqual(await Purchase.objects.acount(), 1)

    async def test_it_refuses_another_customers_checkout_and_changes_nothing(self) -> None:
        await put(self.alice, self.gift)
        await put(self.bob, self.gift)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        await self.open_confirmation(bob)
        bobs_pay = bob.keyboard_data()[0]
        alice = await shop.user(self.alice.telegram_id)
        await alice.send("/start")

        await alice.press_data(bobs_pay)

        self.assertEqual(alice.alert, "This confirmation is not valid. Please open it again.")
        self.assertEqual(await Purchase.objects.acount(), 0)
        self.assertEqual(await CartLine.objects.acount(), 2)
        self.assertIsNone((await PurchaseIntent.objects.aget(customer=self.bob)).used_at)


class CartPromoTests(BotTestCase):
    async def test_it_applies_and_removes_a_code_on_a_line(self) -> None:
        await sync_to_async(make_promo)("TENOFF")
        await put(self.alice, self.key, 2)
        shop, alice = await self.start_chat()
        await alice.press("🛒 Cart (2)")
        await alice.press("✏️ Game key × 2")
        await alice.press("🎟 Apply promo code")
        self.assertIn("Send the promo code for Game key in your cart", alice.screen.text)

        await alice.send("tenoff")
        self.assertIn("Promo code accepted.", alice.screen.text)
        self.assertIn("🎟 TENOFF: −1.00 RUB", alice.screen.text)
        await alice.press("⬅️ Back")
        self.assertIn("Total: 18.98 RUB", alice.screen.text)
        await alice.press("✏️ Game key × 2")
        await alice.press("✖️ Remove promo code")

        self.assertEqual(alice.alert, "Promo code removed.")
        self.assertIsNone((await CartLine.objects.aget()).promo_code_id)

    async def test_it_refuses_each_unusable_code_and_hostile_text(self) -> None:
        await sync_to_async(make_promo)("GIFTONLY", product=self.gift)
        await sync_to_async(make_promo)("MONEY", PromoCode.Kind.BALANCE, "5")
        await sync_to_async(make_promo)("GONE", max_uses=1, uses=1)
        await put(self.alice, self.key)
        shop, alice = await self.start_chat()
        await alice.press_data(callbacks.CART_PROMO.build(self.key.pk))

        answers = {
            "NOPE": "⚠️ There is no such promo code.",
            "GIFTONLY": "⚠️ This promo code does not apply to this item.",
            "MONEY": "⚠️ This code adds money to your balance: redeem it from your profile.",
            "GONE": "⚠️ This promo code has been used up.",
            "<i>x</i> & y": "A promo code is one word of up to 32 characters. Send it again or press Cancel.",
            "y" * 5000: "A promo code is one word of up to 32 characters. Send it again or press Cancel.",
            "\u200b": "⚠️ There is no such promo code.",
        }
        for text, expected in answers.items():
            await alice.send(text)
            self.assertEqual(alice.screen.text, expected, text)

        self.assertIsNone((await CartLine.objects.aget()).promo_code_id)

    async def test_it_shows_why_a_code_on_a_line_stopped_working(self) -> None:
        promo = await sync_to_async(make_promo)("TENOFF")
        await put(self.alice, self.key)
        await CartLine.objects.all().aupdate(promo_code=promo)
        await PromoCode.objects.filter(pk=promo.pk).aupdate(is_active=False)
        shop, alice = await self.start_chat()

        await alice.press("🛒 Cart (1)")

        self.assertIn("🎟 TENOFF does not apply: This promo code is not active.", alice.screen.text)
        self.assertIn("Total: 9.99 RUB", alice.screen.text)


class ForgedCartTests(BotTestCase):
    async def test_it_refuses_lines_that_are_not_in_the_customers_cart(self) -> None:
        await put(self.alice, self.key)
        shop, bob = await self.start_chat(self.bob.telegram_id)
        before = bob.screen.text

        for data in (
            callbacks.CART_LINE.build(self.key.pk),
            callbacks.CART_QUANTITY.build(self.key.pk, 2),
            callbacks.CART_REMOVE.build(self.key.pk),
            callbacks.CART_PROMO.build(self.key.pk),
            callbacks.CART_DROP_PROMO.build(self.key.pk),
            callbacks.CART_LINE.build(int("9" * 18)),
            callbacks.CART_QUANTITY.build(int("9" * 18), 1),
        ):
            await bob.press_data(data)
            self.assertEqual(bob.alert, "This item is not in your cart.", data)

        self.assertEqual(bob.screen.text, before)
        self.assertEqual((await CartLine.objects.aget()).quantity, 1)

    async def test_it_refuses_forged_quantities_totals_and_strings(self) -> None:
        await put(self.alice, self.gift)
        shop, alice = await self.start_chat()

        await alice.press_data(callbacks.CART_QUANTITY.build(self.gift.pk, 999))
        self.assertEqual(alice.alert, "The quantity must be a whole number from 1 to 50.")
        await alice.press_data(callbacks.CONFIRM_CHECKOUT.build(1))
        self.assertEqual(alice.alert, "This confirmation is not valid. Please open it again.")
        # Malformed on purpose, so written by hand: Route.build refuses to make any of these.
        for data in (
            f"clq:{self.gift.pk}:0",
            f"clq:{self.gift.pk}:-1",
            f"clq:{self.gift.pk}:1000",
            "cook:-1",
            "cook:1.5",
            "cartp:0",
            "cartx:1",
            "co:1",
            f"cl:{self.gift.pk}:1",
            "ca:abc",
        ):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "This button is no longer valid. Open the menu with /start.", data)

        self.assertEqual((await CartLine.objects.aget()).quantity, 1)
        self.assertEqual(await Purchase.objects.acount(), 0)

    async def test_it_refuses_to_check_out_an_empty_cart(self) -> None:
        shop, bob = await self.start_chat(self.bob.telegram_id)

        await bob.press_data(callbacks.CHECKOUT.build())
        self.assertEqual(bob.alert, "Your cart is empty.")
        await bob.press_data(callbacks.CONFIRM_CHECKOUT.build(999))
        self.assertEqual(bob.alert, "This confirmation is not valid. Please open it again.")

    async def test_it_refuses_to_add_hidden_or_missing_products(self) -> None:
        hidden = await sync_to_async(make_product)(self.games, "Hidden", "1.00", units=["H"], is_active=False)
        shop, alice = await self.start_chat()

        for data in (callbacks.CART_ADD.build(hidden.pk), callbacks.CART_ADD.build(int("9" * 18))):
            await alice.press_data(data)
            self.assertEqual(alice.alert, "This item is no longer sold.", data)

        self.assertEqual(await CartLine.objects.acount(), 0)
