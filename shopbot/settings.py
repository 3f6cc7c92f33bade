"""Settings for shopbot, read from the environment and an optional ``.env`` file.

Every variable is listed with its default in ``.env.example`` and the README.
With no configuration at all the shop runs on SQLite in ``data/`` and Django's
local-memory cache; ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Redis without a code change.
"""

from decimal import Decimal
from pathlib import Path

import environ

from shopbot.config import Config

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / "data"

environ.Env.read_env(BASE_DIR / ".env")
config = Config(environ.Env())

DEBUG = config.bool("DEBUG", False)
SECRET_KEY = config.str("SECRET_KEY", "") or config.local_secret_key(DATA_DIR)
ALLOWED_HOSTS = config.list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = config.list("CSRF_TRUSTED_ORIGINS", [])

# --- The bot and the shop -----------------------------------------------------
TOKEN = config.str("TOKEN", "")
OWNER_ID = config.int("OWNER_ID", 0)
TELEGRAM_API_URL = config.str("TELEGRAM_API_URL", "https://api.telegram.org").rstrip("/")
# Seconds to wait for the Bot API to answer a call (PTB's default); a busy self-hosted server may need more.
TELEGRAM_READ_TIMEOUT = config.int("TELEGRAM_READ_TIMEOUT", 5, minimum=1, maximum=300)
TELEGRAM_PROVIDER_TOKEN = config.str("TELEGRAM_PROVIDER_TOKEN", "")
CRYPTO_PAY_TOKEN = config.str("CRYPTO_PAY_TOKEN", "")
CRYPTO_PAY_API_URL = config.crypto_pay_url("CRYPTO_PAY_API_URL", "mainnet")
CRYPTO_PAY_ASSETS = config.list("CRYPTO_PAY_ASSETS", ["USDT", "TON", "BTC", "ETH"])
STARS_PER_VALUE = config.decimal("STARS_PER_VALUE", Decimal("0"), minimum=Decimal("0"))
PAY_CURRENCY = config.currency("PAY_CURRENCY", "RUB")
REFERRAL_PERCENT = config.decimal(
    "REFERRAL_PERCENT", Decimal("5"), minimum=Decimal("0"), maximum=Decimal("100")
)
PAYMENT_TIME = config.int("PAYMENT_TIME", 1800, minimum=60)
# How long a previewed stock upload waits for its confirmation, in the bot and the web admin alike.
STOCK_UPLOAD_SECONDS = config.int("STOCK_UPLOAD_SECONDS", 1800, minimum=60)
# The warranty a new product gets (hours a buyer may report a problem; 0: none).
WARRANTY_HOURS = config.int("WARRANTY_HOURS", 24, minimum=0, maximum=24 * 365)
# Fraud limits: for NEW_CUSTOMER_HOURS after their first /start a customer's purchases are capped
# at NEW_CUSTOMER_MAX_SPEND in any 24 hours (0: no cap), whichever face or payment rail they use.
NEW_CUSTOMER_HOURS = config.int("NEW_CUSTOMER_HOURS", 24, minimum=0, maximum=24 * 365)
NEW_CUSTOMER_MAX_SPEND = config.decimal("NEW_CUSTOMER_MAX_SPEND", Decimal("0"), minimum=Decimal("0"))
# Claim-rate rule: a customer with more than CLAIM_RATE_CLAIMS claims in their last
# CLAIM_RATE_PURCHASES purchases needs two staff members to replace or refund a claim (0: off).
CLAIM_RATE_CLAIMS = config.int("CLAIM_RATE_CLAIMS", 3, minimum=0)
CLAIM_RATE_PURCHASES = config.int("CLAIM_RATE_PURCHASES", 10, minimum=0, maximum=1000)
# Staff who chose "large purchase" notifications hear of each sale over this total (0: none).
STAFF_NOTIFY_LARGE_PURCHASE = config.decimal(
    "STAFF_NOTIFY_LARGE_PURCHASE", Decimal("0"), minimum=Decimal("0")
)
MIN_AMOUNT = config.decimal("MIN_AMOUNT", Decimal("20"), minimum=Decimal("0.01"))
MAX_AMOUNT = config.decimal("MAX_AMOUNT", Decimal("100000"), minimum=MIN_AMOUNT)
CHANNEL_URL = config.str("CHANNEL_URL", "")
CHANNEL_ID = config.str("CHANNEL_ID", "")
HELPER_ID = config.str("HELPER_ID", "")
RULES = config.str("RULES", "")
BOT_LOCALE = config.choice("BOT_LOCALE", "en", ["en", "ru"])
WEBHOOK_URL = config.str("WEBHOOK_URL", "")
WEBHOOK_SECRET = config.str("WEBHOOK_SECRET", "")
SITE_URL = config.str("SITE_URL", "http://127.0.0.1:8000").rstrip(
    "/"
)  # the base of sign-in links from the bot
# The Mini App storefront: its public address (Telegram opens only HTTPS) and how long a
# signed initData is accepted, which is also how long its hash is remembered against replays.
MINIAPP_URL = config.str("MINIAPP_URL", "") or f"{SITE_URL}/app/"
MINIAPP_AUTH_SECONDS = config.int("MINIAPP_AUTH_SECONDS", 3600, minimum=60)
MONITORING_HOST = config.str("MONITORING_HOST", "127.0.0.1")
MONITORING_PORT = config.int("MONITORING_PORT", 9100, minimum=0, maximum=65535)

# --- Django -------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_prometheus",
    "accounts",
    "payments",
    "catalog",
    "telegrambot",
    "monitoring",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "monitoring.middleware.OperationsEndpointsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "shopbot.urls"
WSGI_APPLICATION = "shopbot.wsgi.application"
ASGI_APPLICATION = "shopbot.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {"default": config.database(DATA_DIR / "shop.sqlite3")}
CACHES = {"default": config.cache()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = BOT_LOCALE
LANGUAGES = [("en", "English"), ("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = config.str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = config.path("STATIC_ROOT", BASE_DIR / "staticfiles")
# The admin's few static files are served by Django itself unless a proxy serves STATIC_ROOT.
SERVE_STATIC = config.bool("SERVE_STATIC", True)
MEDIA_ROOT = DATA_DIR / "media"

# --- Logging ------------------------------------------------------------------
BOT_LOGFILE = config.str("BOT_LOGFILE", str(DATA_DIR / "logs" / "bot.log"))
BOT_AUDITFILE = config.str("BOT_AUDITFILE", str(DATA_DIR / "logs" / "audit.log"))
LOG_TO_STDOUT = config.bool("LOG_TO_STDOUT", True)
LOG_TO_FILE = config.bool("LOG_TO_FILE", False)
LOGGING = config.logging(
    to_stdout=LOG_TO_STDOUT, to_file=LOG_TO_FILE, logfile=BOT_LOGFILE, auditfile=BOT_AUDITFILE, debug=DEBUG
)

# --- Monitoring, retention and backups ----------------------------------------
# With a token set, /metrics answers only to "Authorization: Bearer <token>"; without
# one, only to loopback and private addresses that did not come through a proxy.
METRICS_TOKEN = config.str("METRICS_TOKEN", "")
# /health answers 503 when TOKEN is set and the bot's last contact with Telegram
# is older than this many seconds; 0 leaves the bot out of /health's verdict.
HEALTH_BOT_MAX_AGE = config.int("HEALTH_BOT_MAX_AGE", 180, minimum=0)
# `manage.py cleanup` deletes audit entries and expired or failed payments older than this; 0 keeps all.
RETENTION_DAYS = config.int("RETENTION_DAYS", 0, minimum=0)
BACKUP_DIR = config.path("BACKUP_DIR", DATA_DIR / "backups")
BACKUP_KEEP = config.int("BACKUP_KEEP", 7, minimum=0)
BACKUP_DAILY = config.bool("BACKUP_DAILY", False)

# --- Abuse protection and scale-out -------------------------------------------
# Per-user limits of the bot, counted in the shared cache (Redis holds them across
# workers and restarts). A rate is "count/period": 30/60s, 5/m, 10/10m, 1/h; 0 turns one off.
RATE_LIMITS = config.bool("RATE_LIMITS", True)
RATE_LIMIT_GLOBAL = config.rate("RATE_LIMIT_GLOBAL", "30/60s")
RATE_LIMIT_BAN_SECONDS = config.int("RATE_LIMIT_BAN_SECONDS", 300, minimum=0)
RATE_LIMIT_PURCHASE = config.rate("RATE_LIMIT_PURCHASE", "5/m")
RATE_LIMIT_PAYMENT = config.rate("RATE_LIMIT_PAYMENT", "10/m")
RATE_LIMIT_PROMO = config.rate("RATE_LIMIT_PROMO", "10/10m")
RATE_LIMIT_BROADCAST = config.rate("RATE_LIMIT_BROADCAST", "1/h")
# The Mini App's reads (browse, search, product, cart, history): a page makes several calls
# at once, so they count here instead of against RATE_LIMIT_GLOBAL; its writes count as updates.
RATE_LIMIT_APP_READ = config.rate("RATE_LIMIT_APP_READ", "120/m")
# Purchased files a customer asks the Mini App to send to their chat again (the bot sends each).
RATE_LIMIT_APP_FILE = config.rate("RATE_LIMIT_APP_FILE", "5/10m")
# Telegram's paid broadcasts (allow_paid_broadcast: up to 1000 messages/s for 0.1 Star each,
# from the bot's Stars balance) are offered to the owner only when the bot is eligible.
PAID_BROADCASTS = config.bool("PAID_BROADCASTS", False)
RATE_LIMIT_CLAIM = config.rate("RATE_LIMIT_CLAIM", "3/d")
RATE_LIMIT_MYDATA = config.rate("RATE_LIMIT_MYDATA", "3/h")
# Messages a customer may write to support (new tickets and their later messages), counted in the database.
RATE_LIMIT_TICKET = config.rate("RATE_LIMIT_TICKET", "10/h")
# Failed (unauthenticated) posts per client address to the HTTP webhooks; a post that
# carries the right secret or signature is never limited.
WEBHOOK_RATE_LIMIT = config.rate("WEBHOOK_RATE_LIMIT", "6000/m")
CRYPTOPAY_WEBHOOK_RATE_LIMIT = config.rate("CRYPTOPAY_WEBHOOK_RATE_LIMIT", "600/m")
# Updates runbot handles at once (never two of one customer). Telegram is tens of ms away:
# 8 at a time caps a process near 8 / round trip (about 130 updates/s at 60 ms).
BOT_CONCURRENT_UPDATES = config.int("BOT_CONCURRENT_UPDATES", 8, minimum=1, maximum=256)
# Database threads of runbot, each with its own connection (PostgreSQL; SQLite keeps one):
# the ORM calls of concurrent updates run side by side instead of queueing on one thread.
# PostgreSQL needs this many connections per runbot process (CONN_MAX_AGE reuses them).
BOT_DB_THREADS = config.int("BOT_DB_THREADS", 4, minimum=1, maximum=64)
# The job lock of runbot workers: a holder that stops renewing loses it after this many seconds.
JOB_LOCK_SECONDS = config.int("JOB_LOCK_SECONDS", 30, minimum=3)
# Webhook mode: the Redis Stream between the web process and the workers keeps about this
# many entries (handled ones included); a worker silent this long has its updates claimed
# by the others, and its customers' leases run out as fast.
WEBHOOK_STREAM_MAXLEN = config.int("WEBHOOK_STREAM_MAXLEN", 100_000, minimum=100)
WEBHOOK_CLAIM_SECONDS = config.int("WEBHOOK_CLAIM_SECONDS", 15, minimum=1)

# --- Security -----------------------------------------------------------------
# HTTPS is assumed when DEBUG is off and the shop answers to a public host name
# (behind a reverse proxy that terminates TLS); on 127.0.0.1 and localhost, as
# with `make run`, plain http keeps working. Each setting can be forced either way.
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
HTTPS = config.bool("HTTPS", not DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS))
SECURE_SSL_REDIRECT = config.bool("SECURE_SSL_REDIRECT", HTTPS)
SESSION_COOKIE_SECURE = config.bool("SESSION_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = config.bool("CSRF_COOKIE_SECURE", HTTPS)
# A dynamic product's endpoint is HTTPS; plain http://127.0.0.1 only in development (and the tests).
DYNAMIC_DELIVERY_ALLOW_LOCAL = DEBUG
SECURE_HSTS_SECONDS = config.int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = config.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = config.bool("SECURE_HSTS_PRELOAD", HTTPS)
# Trust the proxy's X-Forwarded-Proto; without it every request looks like http and redirects forever.
if config.bool("SECURE_PROXY_SSL_HEADER", HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
# Reverse proxies in front of the web process that append the client's address to
# X-Forwarded-For. 0: the client address is the connection's, and the header is ignored
# (anyone can send it); 1 behind one proxy such as the README's nginx.
TRUSTED_PROXIES = config.int("TRUSTED_PROXIES", 0, minimum=0, maximum=10)
AUTHENTICATION_BACKENDS = ["shopbot.security.LockoutModelBackend"]
LOGIN_FAILURE_LIMIT = config.int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = config.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
# django-ratelimit refuses a per-process cache; the embedded default accepts that
# its counters are per process. With Redis the checks stay on.
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
