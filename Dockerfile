# shopbot: one image for the web process (gunicorn) and the bot (manage.py runbot).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 shop

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY . .
# Static files and translations are built into the image; the same script runs in the tests.
RUN scripts/build-assets && mkdir -p data && chown -R shop:shop /app/data

USER shop
EXPOSE 8000 9100
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python scripts/healthcheck http://127.0.0.1:8000/health
CMD ["scripts/docker-entrypoint", "web"]
