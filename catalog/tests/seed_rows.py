"""A small seed-bot shop with every kind of row the import reads, the awkward ones included."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from catalog.tests.seed_database import SeedDatabase

CATEGORY_NAME = (
    "Ключи для игр и программ, лицензии Steam, Origin, Uplay и прочих магазинов цифровых товаров" * 2
)[:100]
PRODUCT_NAME = (
    "Годовая подписка на антивирус Касперского для трёх устройств с продлением и поддержкой " * 2
)[:100]
LONG_VALUE = ("Ключ активации: " + "ЖЁ12-" * 700)[:3500]
OWNER, ADMIN, ALICE, BOB, CAROL, WAREHOUSE, ORPHAN, NOROLE = 9000, 2001, 1001, 1002, 1003, 1004, 1005, 1006
BALANCES = {ADMIN: Decimal("10.00"), ALICE: Decimal("150.50"), BOB: Decimal("0.01"), CAROL: Decimal("7.77")}
ALICE_ORDER = 834512
DELETED_ITEM_ORDER = 99999999


def at(day: int) -> datetime:
    return datetime(2024, 3, day, 12, 30, tzinfo=UTC)


def fill_seed(seed: SeedDatabase) -> dict[str, int]:
    """Insert the shop's rows; return the seed ids the tests look for."""
    ids: dict[str, int] = {}
    user = seed.insert("roles", name="USER", default=True, permissions=1)
    admin = seed.insert("roles", name="ADMIN", default=False, permissions=927)
    owner = seed.insert("roles", name="OWNER", default=False, permissions=1023)
    # A custom role: broadcasts, the catalog and statistics.
    ids["warehouse_role"] = seed.insert("roles", name="Склад", default=False, permissions=1 | 2 | 16 | 128)
    ids["odd_role"] = seed.insert("roles", name="Странная", default=False, permissions=1 | 4096)
    for telegram_id, role in [(OWNER, owner), (ADMIN, admin), (ALICE, user)]:
        seed.insert(
            "users",
            telegram_id=telegram_id,
            role_id=role,
            balance=BALANCES.get(telegram_id, 0),
            registration_date=at(1),
            is_blocked=False,
        )
    # A referral chain: Alice brought Bob, Bob brought Carol (blocked).
    seed.insert(
        "users",
        telegram_id=BOB,
        role_id=user,
        balance=BALANCES[BOB],
        referral_id=ALICE,
        registration_date=at(2),
        is_blocked=False,
    )
    seed.insert(
        "users",
        telegram_id=CAROL,
        role_id=user,
        balance=BALANCES[CAROL],
        referral_id=BOB,
        registration_date=at(3),
        is_blocked=True,
    )
    seed.insert(
        "users", telegram_id=WAREHOUSE, role_id=ids["warehouse_role"], balance=0, registration_date=at(3)
    )
    # Orphan's referrer was deleted from the seed (its foreign key then sets NULL).
    seed.insert("users", telegram_id=1999, role_id=user, balance=0, registration_date=at(1))
    seed.insert(
        "users", telegram_id=ORPHAN, role_id=user, referral_id=1999, balance=0, registration_date=at(4)
    )
    seed.execute("DELETE FROM users WHERE telegram_id = 1999")
    seed.insert(
        "users", telegram_id=NOROLE, role_id=None, balance=0, registration_date=at(4), is_blocked=None
    )

    games = seed.insert("categories", name=CATEGORY_NAME)
    subscriptions = seed.insert("categories", name="Подписки")
    ids["key"] = seed.insert(
        "goods",
        name=PRODUCT_NAME,
        price=Decimal("199.99"),
        description="Ключ <b>на год</b>",
        category_id=games,
    )
    for value in ["AAAA-1111", "BBBB-2222", LONG_VALUE]:
        seed.insert("item_values", item_id=ids["key"], value=value, is_infinity=False)
    ids["premium"] = seed.insert(
        "goods", name="Подписка Premium", price=Decimal("49.00"), description="", category_id=subscriptions
    )
    seed.insert("item_values", item_id=ids["premium"], value="https://t.me/+premium", is_infinity=True)
    seed.insert("item_values", item_id=ids["premium"], value="https://t.me/+second", is_infinity=True)
    ids["book"] = seed.insert(
        "goods", name="Книга", price=Decimal("5.00"), description="PDF", category_id=games
    )
    gone = seed.insert("goods", name="Снятый товар", price=Decimal("3.00"), description="", category_id=games)

    seed.insert(
        "bought_goods",
        item_name=PRODUCT_NAME,
        value="OLD-KEY-1",
        price=Decimal("199.99"),
        buyer_id=ALICE,
        bought_datetime=at(5),
        unique_id=ALICE_ORDER,
    )
    seed.insert(
        "bought_goods",
        item_name="Снятый товар",
        value="gone-key",
        price=Decimal("3.00"),
        buyer_id=BOB,
        bought_datetime=at(6),
        unique_id=DELETED_ITEM_ORDER,
    )
    seed.insert("operations", user_id=ALICE, operation_value=Decimal("150.50"), operation_time=at(5))
    seed.insert(
        "payments",
        provider="cryptopay",
        external_id="12345",
        user_id=ALICE,
        amount=Decimal("100.00"),
        currency="RUB",
        status="paid",
        created_at=at(5),
    )
    seed.insert(
        "payments",
        provider="stars",
        external_id="stars-charge-1",
        user_id=BOB,
        amount=Decimal("25.00"),
        currency="XTR",
        status="paid",
        created_at=at(6),
    )
    seed.insert(
        "payments",
        provider="cryptopay",
        external_id="12346",
        user_id=CAROL,
        amount=Decimal("40.00"),
        currency="RUB",
        status="pending",
        created_at=at(7),
    )
    seed.insert(
        "referral_earnings",
        referrer_id=ALICE,
        referral_id=BOB,
        amount=Decimal("2.50"),
        original_amount=Decimal("25.00"),
        created_at=at(6),
    )

    ids["percent"] = seed.insert(
        "promo_codes",
        code="SKIDKA10",
        discount_type="percent",
        discount_value=Decimal("10"),
        max_uses=100,
        current_uses=3,
        category_id=games,
        is_active=True,
    )
    seed.insert(
        "promo_codes",
        code="MINUS50",
        discount_type="fixed",
        discount_value=Decimal("50"),
        item_id=gone,
        is_active=True,
    )
    seed.insert(
        "promo_codes",
        code="OLD",
        discount_type="fixed",
        discount_value=Decimal("1"),
        is_active=False,
        expires_at=at(1),
    )
    seed.insert("promo_code_usages", promo_id=ids["percent"], user_id=BOB, used_at=at(6))
    seed.insert("reviews", user_id=ALICE, item_name=PRODUCT_NAME, rating=5, text="Всё пришло сразу, спасибо!")
    seed.insert("reviews", user_id=BOB, item_name="Снятый товар", rating=2, text=None)
    seed.insert("cart_items", user_id=BOB, item_name="Подписка Premium")
    seed.insert("cart_items", user_id=BOB, item_name="Подписка Premium", promo_code="SKIDKA10")
    seed.insert("cart_items", user_id=CAROL, item_name="Снятый товар")
    seed.execute("DELETE FROM goods WHERE id = %s", [gone])
    seed.insert(
        "audit_log",
        level="INFO",
        user_id=ADMIN,
        action="item_added",
        resource_type="item",
        resource_id=str(ids["book"]),
        details="Книга",
    )
    seed.insert("audit_log", level="WARNING", user_id=None, action="broadcast", details="sent 10")
    seed.execute("CREATE TABLE bot_settings (key text PRIMARY KEY, value text)")
    return ids
