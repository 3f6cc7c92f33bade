"""The Bot API client sends calls as JSON and uploads as forms, over real HTTP to the fake Bot API."""

from __future__ import annotations

import asyncio
import socket

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, TimedOut

from telegrambot.request import JsonRequest
from telegrambot.simulator.fake_telegram import FakeTelegram
from telegrambot.testing.server import FakeTelegramServer

TOKEN = "123456:TEST-TOKEN"
CHAT = 7001


async def started(server: FakeTelegramServer, request: JsonRequest) -> Bot:
    url = await server.start()
    bot = Bot(TOKEN, base_url=f"{url}/bot", base_file_url=f"{url}/file/bot", request=request)
    await bot.initialize()
    return bot


@pytest.fixture
async def served():
    telegram = FakeTelegram()
    telegram.add_user({"id": CHAT, "is_bot": False, "first_name": "Алиса"})
    server = FakeTelegramServer(telegram)
    bot = await started(server, JsonRequest())
    yield telegram, server, bot
    await bot.shutdown()
    await server.stop()


async def test_a_call_goes_as_json_and_arrives_whole(served) -> None:
    telegram, server, bot = served
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("🛒 Корзина (2) <b>", callback_data="cart")]])

    sent = await bot.send_message(CHAT, "Привет, <b>мир</b> & друзья", reply_markup=keyboard)

    message = telegram.bot_messages(CHAT)[-1]
    assert message.html == "Привет, <b>мир</b> & друзья"
    assert message.buttons == [[{"text": "🛒 Корзина (2) <b>", "callback_data": "cart"}]]
    assert sent.reply_markup == keyboard  # the answer is read back as PTB's own client reads it
    assert ("sendMessage", "application/json") in server.content_types


async def test_a_call_without_parameters_and_booleans_and_numbers_keep_their_types(served) -> None:
    telegram, server, bot = served
    me = await bot.get_me()
    message = await bot.send_message(CHAT, "x")
    query = telegram.open_callback_query()

    await bot.answer_callback_query(query, text="Готово", show_alert=True, cache_time=0)
    assert await bot.delete_message(CHAT, message.message_id) is True

    assert me.id == telegram.bot["id"]
    assert telegram.callback_queries[query] == {"text": "Готово", "show_alert": True}
    assert telegram.calls_to("answerCallbackQuery")[-1].params["cache_time"] == 0
    assert telegram.calls_to("deleteMessage")[-1].params["message_id"] == message.message_id


async def test_an_upload_goes_as_a_form(served) -> None:
    telegram, server, bot = served

    await bot.send_document(CHAT, InputFile(b"KEY-1234\n", filename="key.txt"), caption="Ваш ключ")

    message = telegram.bot_messages(CHAT)[-1]
    assert (message.kind, message.text) == ("document", "Ваш ключ")
    assert message.media["content"] == b"KEY-1234\n"
    assert ("sendDocument", "multipart/form-data") in server.content_types


async def test_a_refusal_is_telegrams_answer(served) -> None:
    telegram, server, bot = served
    with pytest.raises(BadRequest):
        await bot.send_message(CHAT, "")
    assert telegram.bot_messages(CHAT) == []


async def test_a_slow_answer_is_a_timeout() -> None:
    server = FakeTelegramServer(FakeTelegram())
    bot = await started(server, JsonRequest(read_timeout=0.2))
    server.slow_methods["getMe"] = 2.0
    try:
        with pytest.raises(TimedOut):
            await bot.get_me()
    finally:
        await bot.shutdown()
        await server.stop()


async def test_a_full_pool_is_a_timeout_with_nothing_sent() -> None:
    server = FakeTelegramServer(FakeTelegram())
    bot = await started(server, JsonRequest(connection_pool_size=1, pool_timeout=0.1, read_timeout=5))
    server.slow_methods["getMe"] = 1.0
    server.calls_started.clear()  # the bot's own getMe when it started
    try:
        first = asyncio.create_task(bot.get_me())
        await asyncio.sleep(0.2)  # the only connection is busy with the first call
        with pytest.raises(TimedOut, match="Pool timeout"):
            await bot.get_me(read_timeout=5)
        await first
        assert server.calls_started.count("getMe") == 1
    finally:
        await bot.shutdown()
        await server.stop()


async def test_nobody_listening_is_a_network_error() -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    request = JsonRequest()
    bot = Bot(TOKEN, base_url=f"http://127.0.0.1:{port}/bot", request=request)
    await request.initialize()
    try:
        with pytest.raises(NetworkError, match="httpx.ConnectError"):
            await bot.get_me()
    finally:
        await request.shutdown()


async def test_it_can_be_shut_down_and_started_again(served) -> None:
    telegram, server, bot = served
    request = JsonRequest()
    await request.shutdown()
    with pytest.raises(RuntimeError):
        await request.do_request(f"http://{server.host}:{server.port}/bot{TOKEN}/getMe", "POST")
    await request.initialize()
    code, _payload = await request.do_request(f"http://{server.host}:{server.port}/bot{TOKEN}/getMe", "POST")
    assert code == 200
    await request.shutdown()
