# The shop under gunicorn, installed from a wheel as a deploy would (`pip install .`).
# Settings come from the environment (see README, "Deploying"); compose.yaml adds PostgreSQL.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY . /src
RUN pip install "/src[postgres,redis]" \
    && mkdir -p /app/instance \
    && cp /src/gunicorn.conf.py /app/ \
    && rm -rf /src \
    && useradd --system --home-dir /app shop \
    && chown shop /app/instance

WORKDIR /app
USER shop
# instance/ holds the sandbox's database and generated secret in sandbox mode: a volume.
ENV SHOP_INSTANCE_PATH=/app/instance \
    PORT=8000 \
    WEB_CONCURRENCY=2
VOLUME /app/instance
EXPOSE 8000

# Migrations first (init-db upgrades the database), then the server.
CMD ["sh", "-c", "flask --app shop init-db && exec gunicorn 'shop:create_app()'"]
