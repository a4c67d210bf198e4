"""Settings from the environment, the generated secret key, field encryption, UUIDv7."""

from __future__ import annotations

import stat

from backend.config import load_settings
from backend.core.crypto import FieldCipher
from backend.core.ids import uuid7


def test_defaults_are_embedded_sqlite_under_the_data_dir(tmp_path):
    s = load_settings({"TEZUO_DATA_DIR": str(tmp_path)})
    assert s.database_url == f"sqlite+aiosqlite:///{tmp_path / 'tezuo.sqlite3'}"
    assert s.redis_url is None and s.rp_id == "localhost" and not s.secure_cookies
    key_file = tmp_path / "keys" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_settings({"TEZUO_DATA_DIR": str(tmp_path)}).secret_key == s.secret_key


def test_environment_overrides(tmp_path):
    s = load_settings(
        {
            "TEZUO_DATA_DIR": str(tmp_path),
            "TEZUO_DATABASE_URL": "postgresql+asyncpg://u@db/tezuo",
            "TEZUO_REDIS_URL": "redis://127.0.0.1:6379/0",
            "TEZUO_BASE_URL": "https://tezuo.plant.example/",
            "TEZUO_SECRET_KEY": "k" * 40,
        }
    )
    assert not s.is_sqlite and s.redis_url and s.secret_key == b"k" * 40
    assert s.rp_id == "tezuo.plant.example" and s.origin == "https://tezuo.plant.example" and s.secure_cookies
    assert not (tmp_path / "keys" / "secret.key").exists()


def test_field_cipher_round_trip_and_blind_index():
    a, b = FieldCipher(b"one", "id_number"), FieldCipher(b"two", "id_number")
    token = a.encrypt("11010519491231002X")
    assert "1101" not in token and a.decrypt(token) == "11010519491231002X"
    assert a.encrypt("x") != a.encrypt("x")  # random nonce
    assert a.blind_index("x") == a.blind_index("x") != b.blind_index("x")


def test_uuid7_is_time_ordered_version_7():
    ids = [uuid7(ms) for ms in (1, 2, 3)]
    assert ids == sorted(ids) and all(i.version == 7 and i.variant == "specified in RFC 4122" for i in ids)
