# Tezuo (特作) API image: the PWA built with Node, served by the Python package on a slim base.
# The same image runs the API workers, `tezuo migrate` and `tezuo scheduler` (see docker-compose.yml).

# --- stage 1: the PWA --------------------------------------------------------------------------
FROM node:20-bookworm-slim AS pwa
WORKDIR /pwa
COPY pwa/package.json pwa/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY pwa/ ./
RUN npm run build

# --- stage 2: the Python package ---------------------------------------------------------------
FROM python:3.11-slim AS app
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY backend/ backend/
COPY sync/ sync/
COPY edge/ edge/
# opencv-python (needed by the OCR wheel, `media` extra) loads libGL and GLib at import time.
RUN apt-get update && apt-get install -y --no-install-recommends libgl1 libglib2.0-0 \
    && rm -rf /var/lib/apt/lists/*
RUN pip install '.[media]' && rm -rf /src

RUN useradd --system --create-home --uid 10001 --shell /usr/sbin/nologin tezuo \
    && mkdir -p /var/lib/tezuo && chown tezuo:tezuo /var/lib/tezuo
COPY --from=pwa /pwa/dist /opt/tezuo/pwa
ENV TEZUO_PWA_DIR=/opt/tezuo/pwa \
    TEZUO_DATA_DIR=/var/lib/tezuo
WORKDIR /var/lib/tezuo
USER tezuo
EXPOSE 8000

# slim has no curl: ask the API with the interpreter that is already there.
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]

CMD ["tezuo", "serve", "--host", "0.0.0.0", "--port", "8000"]
