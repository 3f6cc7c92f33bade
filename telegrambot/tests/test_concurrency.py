"""Updates of different customers overlap; one customer's updates run one at a time, in order."""

from __future__ import annotations

import asyncio

from django.test import SimpleTestCase
from telegram import CallbackQuery, Chat, Message, Update, User

from telegrambot import callbacks
from telegrambot.concurrency import OneUpdatePerCustomer

NEXT_ID = iter(range(1, 1_000_000))


def press(user_id: int) -> Update:
    user = User(user_id, "Customer", is_bot=False)
    message = Message(1, None, Chat(user_id, Chat.PRIVATE))  # type: ignore[arg-type]
    return Update(
        next(NEXT_ID),
        callback_query=CallbackQuery(str(next(NEXT_ID)), user, "i", message, callbacks.SHOP.build()),
    )


def channel_post() -> Update:
    return Update(next(NEXT_ID), channel_post=Message(1, None, Chat(-100, Chat.CHANNEL)))  # type: ignore[arg-type]


class Recorder:
    """Handlers that note when they start and end, and wait until the test lets them finish."""

    def __init__(self) -> None:
        self.events: list[str] = []
        self.running = 0
        self.most_running = 0
        self.release = asyncio.Event()

    async def handle(self, name: str) -> None:
        self.events.append(f"start {name}")
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await self.release.wait()
        await asyncio.sleep(0)
        self.running -= 1
        self.events.append(f"end {name}")


class OneUpdatePerCustomerTests(SimpleTestCase):
    def run_updates(
        self, processor: OneUpdatePerCustomer, updates: list[tuple[Update, str]], recorder: Recorder
    ) -> None:
        async def main() -> None:
            tasks = [
                asyncio.create_task(processor.process_update(update, recorder.handle(name)))
                for update, name in updates
            ]
            for _ in range(20):  # let every task start or queue
                await asyncio.sleep(0)
            self.started_before_release = [event for event in recorder.events if event.startswith("start")]
            recorder.release.set()
            await asyncio.gather(*tasks)

        asyncio.run(main())

    def test_it_runs_different_customers_at_once(self) -> None:
        processor, recorder = OneUpdatePerCustomer(workers=8), Recorder()

        self.run_updates(processor, [(press(1), "a"), (press(2), "b"), (press(3), "c")], recorder)

        self.assertEqual(self.started_before_release, ["start a", "start b", "start c"])
        self.assertEqual(recorder.most_running, 3)

    def test_it_runs_one_customers_updates_one_at_a_time_in_order(self) -> None:
        processor, recorder = OneUpdatePerCustomer(workers=8), Recorder()

        self.run_updates(
            processor,
            [(press(1), "first"), (press(1), "second"), (press(2), "other"), (press(1), "third")],
            recorder,
        )

        self.assertEqual(self.started_before_release, ["start first", "start other"])
        mine = [event for event in recorder.events if not event.endswith("other")]
        self.assertEqual(
            mine, ["start first", "end first", "start second", "end second", "start third", "end third"]
        )
        self.assertEqual(processor.customers_waiting, 0)

    def test_it_runs_at_most_its_workers(self) -> None:
        processor, recorder = OneUpdatePerCustomer(workers=2), Recorder()

        self.run_updates(processor, [(press(user), str(user)) for user in range(1, 6)], recorder)

        self.assertEqual(self.started_before_release, ["start 1", "start 2"])
        self.assertEqual(recorder.most_running, 2)
        self.assertEqual(len([event for event in recorder.events if event.startswith("end")]), 5)

    def test_it_runs_updates_without_a_sender_as_workers_allow(self) -> None:
        processor, recorder = OneUpdatePerCustomer(workers=8), Recorder()

        self.run_updates(processor, [(channel_post(), "post 1"), (channel_post(), "post 2")], recorder)

        self.assertEqual(self.started_before_release, ["start post 1", "start post 2"])

    def test_it_forgets_a_customer_whose_update_failed(self) -> None:
        processor = OneUpdatePerCustomer(workers=8)

        async def fail() -> None:
            raise RuntimeError("handler failed")

        async def main() -> None:
            with self.assertRaises(RuntimeError):
                await processor.process_update(press(1), fail())
            await processor.process_update(press(1), asyncio.sleep(0))

        asyncio.run(main())
        self.assertEqual(processor.customers_waiting, 0)

    def test_it_closes_an_update_cancelled_while_waiting_for_its_turn(self) -> None:
        processor, recorder = OneUpdatePerCustomer(workers=8), Recorder()

        async def main() -> None:
            first = asyncio.create_task(processor.process_update(press(1), recorder.handle("first")))
            waiting_coroutine = recorder.handle("never")
            waiting = asyncio.create_task(processor.process_update(press(1), waiting_coroutine))
            await asyncio.sleep(0.01)
            waiting.cancel()
            recorder.release.set()
            await first
            with self.assertRaises(asyncio.CancelledError):
                await waiting
            self.assertIsNone(waiting_coroutine.cr_frame)  # closed, not left un-awaited

        asyncio.run(main())
        self.assertNotIn("start never", recorder.events)
        self.assertEqual(processor.customers_waiting, 0)
