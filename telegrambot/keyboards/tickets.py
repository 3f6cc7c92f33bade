"""Buttons of support tickets, for customers and for staff."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from catalog.models import Ticket
from catalog.selectors.tickets import StarsOrder, TicketCard
from telegrambot import callbacks
from telegrambot.keyboards.admin_menu import to_admin_row
from telegrambot.keyboards.common import back_row, button
from telegrambot.texts import common as common_texts
from telegrambot.texts import tickets as texts


def write_rows() -> list[list[InlineKeyboardButton]]:
    return [[button(texts.WRITE, callbacks.SUPPORT_WRITE)], [button(texts.MY_TICKETS, callbacks.TICKETS)]]


def pay_support(orders: Sequence[StarsOrder]) -> InlineKeyboardMarkup:
    rows = [
        [button(texts.order_button(order), callbacks.SUPPORT_ORDER, order.payment.pk)] for order in orders
    ]
    return InlineKeyboardMarkup([*rows, *write_rows(), back_row()])


def customer_tickets(tickets: Sequence[Ticket]) -> InlineKeyboardMarkup:
    rows = [[button(texts.ticket_button(ticket), callbacks.TICKET, ticket.pk)] for ticket in tickets]
    return InlineKeyboardMarkup([*rows, back_row(callbacks.SUPPORT)])


def customer_ticket(ticket: Ticket) -> InlineKeyboardMarkup:
    rows = [[button(texts.REPLY, callbacks.TICKET_REPLY, ticket.pk)]] if ticket.is_open else []
    return InlineKeyboardMarkup([*rows, back_row(callbacks.TICKETS)])


def reply_to_support(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.REPLY, callbacks.TICKET_REPLY, ticket_id)]])


def write_again() -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.WRITE, callbacks.SUPPORT_WRITE)]])


def to_staff_ticket(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(texts.OPEN_TICKET, callbacks.ADMIN_TICKET, ticket_id)]])


def open_tickets(tickets: Sequence[Ticket]) -> InlineKeyboardMarkup:
    rows = [[button(texts.ticket_button(ticket), callbacks.ADMIN_TICKET, ticket.pk)] for ticket in tickets]
    return InlineKeyboardMarkup([*rows, to_admin_row()])


def staff_card(card: TicketCard, *, may_refund: bool) -> InlineKeyboardMarkup:
    ticket = card.ticket
    rows = []
    if ticket.is_open:
        rows.append(
            [
                button(texts.REPLY, callbacks.ADMIN_TICKET_REPLY, ticket.pk),
                button(texts.CLOSE, callbacks.ADMIN_TICKET_CLOSE, ticket.pk),
            ]
        )
    order = card.order
    if may_refund and order is not None and order.payment.status == order.payment.Status.PAID:
        # The existing Stars refund: it asks for the reason and a confirmation (refund_payments).
        rows.append([button(texts.REFUND, callbacks.ADMIN_PAYMENT_REFUND, order.payment.pk, "stars")])
    rows += [
        [button(texts.ATTACHMENT % {"message": message.pk}, callbacks.ADMIN_TICKET_FILE, message.pk)]
        for message in card.messages
        if message.attachment_id
    ][-3:]
    rows.append([button(common_texts.BACK, callbacks.ADMIN_TICKETS), *to_admin_row()])
    return InlineKeyboardMarkup(rows)


def back_to_ticket(ticket_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[button(common_texts.BACK, callbacks.ADMIN_TICKET, ticket_id)]])
