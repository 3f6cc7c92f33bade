"""Every Prometheus metric of the shop, defined once with its help text.

Label values are bounded sets (handler names, providers, statuses, exception
class names), never text a user typed. Services increment business metrics
through ``transaction.on_commit`` so a rolled-back sale is never counted.
"""

from prometheus_client import Counter, Gauge, Histogram

UPDATES = Counter("shopbot_updates_total", "Telegram updates handled.", ["kind", "handler"])
HANDLER_LATENCY = Histogram(
    "shopbot_handler_seconds",
    "Time spent handling one update.",
    ["handler"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
HANDLER_ERRORS = Counter("shopbot_handler_errors_total", "Unexpected errors in handlers.", ["exception"])
LIMIT_REFUSALS = Counter(
    "shopbot_limit_refusals_total", "Purchases and claims refused by a fraud limit.", ["limit"]
)
REFUSALS = Counter("shopbot_refusals_total", "Business-rule refusals shown to users.", ["error"])
PURCHASES = Counter("shopbot_purchases_total", "Units sold.", ["method"])
REVENUE = Counter("shopbot_revenue_total", "Revenue from sales, in the shop currency.", ["method"])
PAYMENTS = Counter(
    "shopbot_payments_total", "Payments by provider and the status they reached.", ["provider", "status"]
)
CREDITED = Counter(
    "shopbot_credited_total", "Money credited to balances, in the shop currency.", ["provider"]
)
REFERRAL_REWARDS = Counter("shopbot_referral_rewards_total", "Referral rewards paid, in the shop currency.")
BROADCAST_MESSAGES = Counter(
    "shopbot_broadcast_messages_total", "Broadcast messages by outcome.", ["outcome"]
)
DYNAMIC_DELIVERIES = Counter(
    "shopbot_dynamic_deliveries_total",
    "Calls to sellers' endpoints by outcome: delivered, retry (a failed attempt), failed (to the manual queue), late.",
    ["outcome"],
)
RATE_LIMITED = Counter("shopbot_rate_limited_total", "Updates refused by a rate limit.", ["scope"])
RECONCILIATION_RUNS = Counter(
    "shopbot_reconciliation_runs_total", "Payment reconciliation runs.", ["outcome"]
)
TELEGRAM_API_ERRORS = Counter(
    "shopbot_telegram_api_errors_total", "Errors returned by the Bot API.", ["kind"]
)
WARM_READS = Counter(
    "shopbot_warm_reads_total",
    "Cached reads of the bot by where they were answered: on the event loop, or on the ORM thread (a miss).",
    ["path"],
)
BOT_HEARTBEAT = Gauge("shopbot_bot_heartbeat_timestamp", "Last successful contact with Telegram (unix time).")
WEBHOOK_UPDATES = Counter(
    "shopbot_webhook_updates_total",
    "Webhook updates by event: queued (web), handled, claimed from a dead worker, redelivered but already done.",
    ["event"],
)
