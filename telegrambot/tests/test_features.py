"""Features are declared units: two that claim the same prompt, route or job stop the start."""

import pytest
from telegram.ext import CallbackQueryHandler

from telegrambot import callbacks
from telegrambot.application import FEATURES, ShopApplication, build_application
from telegrambot.features import Feature, FeatureConflict, Job, media_prompts_of, prompts_of
from telegrambot.handlers import admin_products, cart, catalog, payments
from telegrambot.simulator.fake_telegram import FakeRequest, FakeTelegram

TOKEN = "123456:TEST-TOKEN"


async def nothing(*args: object) -> None:
    """Stands in for a handler: these applications are built, never run."""


def build(*extra: Feature) -> ShopApplication:
    return build_application(token=TOKEN, request=FakeRequest(FakeTelegram()), features=[*FEATURES, *extra])


def test_it_builds_the_shop_with_every_prompt_claimed_once() -> None:
    build()

    assert sum(len(feature.prompts) for feature in FEATURES) == len(prompts_of(FEATURES))
    assert sum(len(feature.media_prompts) for feature in FEATURES) == len(media_prompts_of(FEATURES))


def test_it_refuses_a_second_feature_for_a_prompt_state() -> None:
    impostor = Feature("impostor", prompts={catalog.PRODUCT_PROMO: nothing})

    with pytest.raises(
        FeatureConflict, match="features 'catalog' and 'impostor' both claim the prompt state"
    ):
        build(impostor)


def test_it_refuses_a_second_feature_for_a_media_prompt_state() -> None:
    impostor = Feature("impostor", media_prompts={admin_products.PRODUCT_FORM: nothing})

    with pytest.raises(FeatureConflict, match="'admin_products' and 'impostor' both claim the media prompt"):
        build(impostor)


def test_it_refuses_a_second_feature_for_a_route() -> None:
    impostor = Feature("impostor", handlers=[CallbackQueryHandler(nothing, pattern=callbacks.CART.pattern)])

    with pytest.raises(FeatureConflict, match="features 'cart' and 'impostor' both claim the route"):
        build(impostor)


def test_it_refuses_a_second_feature_for_a_job() -> None:
    impostor = Feature("impostor", jobs=[Job("payment_notices", nothing, every=1, first=1)])

    with pytest.raises(FeatureConflict, match="features 'payments' and 'impostor' both claim the job"):
        build(impostor)


def test_it_refuses_a_feature_registered_twice() -> None:
    with pytest.raises(FeatureConflict, match="two features are named 'cart'"):
        build(cart.FEATURE)


def test_it_lets_one_feature_answer_a_route_twice_and_use_a_state_for_text_and_files() -> None:
    # The product form takes typed answers and pictures under one state; payments has three jobs.
    assert admin_products.PRODUCT_FORM in admin_products.FEATURE.prompts
    assert admin_products.PRODUCT_FORM in admin_products.FEATURE.media_prompts
    assert len(payments.FEATURE.jobs) == 3
    build()


def test_it_schedules_the_jobs_the_features_declare() -> None:
    application = build()

    assert application.job_queue is not None
    names = {job.name for job in application.job_queue.jobs()}
    assert {job.name for feature in FEATURES for job in feature.jobs} <= names
    assert {"reconcile_payments", "payment_notices", "stars_reconciliation"} <= names
