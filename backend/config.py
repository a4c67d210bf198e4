"""Settings from the environment, in one typed place; nothing here runs at import time."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import msgspec


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    """Everything the processes need to know about their environment."""

    data_dir: Path
    database_url: str
    redis_url: str | None
    base_url: str
    secret_key: bytes
    pwa_dir: Path
    max_body_bytes: int = 1_048_576
    session_hours: int = 12
    enrollment_minutes: int = 60 * 24
    # Outside systems (backend/integrations): unset means messages wait in the outbox as "unrouted".
    hr_webhook_url: str | None = None
    gate_url: str | None = None
    integration_secret: bytes | None = None  # HMAC key for X-Tezuo-Signature on outgoing webhooks
    # Run the push delivery worker and a (leased) scheduler loop inside the API process.
    # `tezuo serve` turns this on; tests build Settings without it and drive workers themselves.
    run_background: bool = False
    # Alarm routing file (tiers, recipients, escalation); None = backend/alarms/routing.json.
    alarm_routing: Path | None = None
    # Database connections each process keeps open (and as many again for bursts). A pool too
    # small for the load makes every burst open and close connections, which costs more than it saves.
    db_pool_size: int = 10
    # How long a push worker owns a message it is sending; a worker that dies holds it this long.
    push_lease_seconds: float = 30.0
    # The national-registry gateway (backend/registry, docs/registry.md); unset: no daily check.
    registry_url: str | None = None
    registry_auth_header: str | None = None  # "Header-Name: value" sent with every query
    registry_rate: int = 10  # requests per second the gateway allows (0: no limit)
    registry_timeout: float = 10.0  # seconds per request
    registry_retries: int = 3  # retries per request after the first attempt
    registry_concurrency: int = 4  # requests in flight at once
    registry_batch: int = 50  # certificates per request (1: the single-query endpoint only)
    registry_page: int = 500  # certificates per checkpoint (a crash re-asks at most one page)
    # Person–certificate verification (backend/media, docs/media.md): the face engine ("dlib", or
    # "arcface" with an operator-supplied model directory), its match threshold (None: the
    # engine's default), how long enrolled face templates are kept, the practical exam's minimum.
    face_engine: str = "dlib"
    face_model_dir: Path | None = None
    face_threshold: float | None = None
    face_retention_days: int = 365
    exam_min_seconds: float = 180.0

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def rp_id(self) -> str:
        """WebAuthn relying-party id: the host name of the base URL (never an IP)."""
        return urlsplit(self.base_url).hostname or "localhost"

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"


def _secret_key(env: Mapping[str, str], data_dir: Path) -> bytes:
    """TEZUO_SECRET_KEY if set, else a key generated once into the data dir (mode 0600)."""
    if env.get("TEZUO_SECRET_KEY"):
        return env["TEZUO_SECRET_KEY"].encode()
    path = data_dir / "keys" / "secret.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read TEZUO_* variables; defaults give the embedded SQLite setup under ./var."""
    env = os.environ if env is None else env
    data_dir = Path(env.get("TEZUO_DATA_DIR", "var")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    default_db = f"sqlite+aiosqlite:///{data_dir / 'tezuo.sqlite3'}"
    root = Path(__file__).resolve().parent.parent
    return Settings(
        data_dir=data_dir,
        database_url=env.get("TEZUO_DATABASE_URL") or default_db,
        redis_url=env.get("TEZUO_REDIS_URL") or None,
        base_url=(env.get("TEZUO_BASE_URL") or "http://localhost:8000").rstrip("/"),
        secret_key=_secret_key(env, data_dir),
        pwa_dir=Path(env.get("TEZUO_PWA_DIR") or root / "pwa" / "dist"),
        max_body_bytes=int(env.get("TEZUO_MAX_BODY_BYTES", "1048576")),
        hr_webhook_url=env.get("TEZUO_HR_WEBHOOK_URL") or None,
        gate_url=(env.get("TEZUO_GATE_URL") or "").rstrip("/") or None,
        integration_secret=(env.get("TEZUO_INTEGRATION_SECRET") or "").encode() or None,
        run_background=env.get("TEZUO_BACKGROUND", "1") != "0",
        alarm_routing=Path(env["TEZUO_ALARM_ROUTING"]) if env.get("TEZUO_ALARM_ROUTING") else None,
        push_lease_seconds=float(env.get("TEZUO_PUSH_LEASE_SECONDS", "30")),
        db_pool_size=int(env.get("TEZUO_DB_POOL_SIZE", "10")),
        registry_url=(env.get("TEZUO_REGISTRY_URL") or "").rstrip("/") or None,
        registry_auth_header=env.get("TEZUO_REGISTRY_AUTH") or None,
        registry_rate=int(env.get("TEZUO_REGISTRY_RATE", "10")),
        registry_timeout=float(env.get("TEZUO_REGISTRY_TIMEOUT", "10")),
        registry_retries=int(env.get("TEZUO_REGISTRY_RETRIES", "3")),
        registry_concurrency=int(env.get("TEZUO_REGISTRY_CONCURRENCY", "4")),
        registry_batch=int(env.get("TEZUO_REGISTRY_BATCH", "50")),
        registry_page=int(env.get("TEZUO_REGISTRY_PAGE", "500")),
        face_engine=env.get("TEZUO_FACE_ENGINE", "dlib"),
        face_model_dir=Path(env["TEZUO_FACE_MODEL_DIR"]) if env.get("TEZUO_FACE_MODEL_DIR") else None,
        face_threshold=float(env["TEZUO_FACE_THRESHOLD"]) if env.get("TEZUO_FACE_THRESHOLD") else None,
        face_retention_days=int(env.get("TEZUO_FACE_RETENTION_DAYS", "365")),
        exam_min_seconds=float(env.get("TEZUO_EXAM_MIN_SECONDS", "180")),
    )
