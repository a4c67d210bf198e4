"""One rendered card uploaded through the API (real OCR) with the registry simulator as the
gateway: green "与全国系统一致" while it answers, amber and still stored for review once it is gone."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import date

import msgspec
import pytest
from sqlalchemy import func, select

from backend.config import Settings
from backend.db.engine import transaction
from backend.media.models import CertificateScan
from backend.registry.adapter import Answer
from backend.registry.plant import Record
from backend.registry.simulator import RegistryServer, RegistrySim
from backend.workers import service as workers
from tests.backend.media.conftest import card_photo
from tests.factories import make_person

JPEG = {"content-type": "image/jpeg"}


class Threaded:
    """The simulator on its own event loop in a thread: the test client runs the app in a
    portal thread and blocks the test's loop while a request is in flight."""

    def __init__(self) -> None:
        self.server = RegistryServer(RegistrySim(seed=5))
        self.sim, self.url = self.server.sim, ""
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self.loop).result(10)
        self.url = self.server.url

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self.loop).result(10)

    def close(self) -> None:
        self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


@pytest.fixture
def gateway() -> Iterator[Threaded]:
    threaded = Threaded()
    try:
        yield threaded
    finally:
        threaded.close()


@pytest.fixture
def settings(settings: Settings, gateway: Threaded) -> Settings:
    return msgspec.structs.replace(
        settings, registry_url=gateway.url, registry_timeout=1.0, registry_retries=0
    )


async def test_an_uploaded_card_is_checked_and_stored_when_the_registry_is_down(
    client_as, sessionmaker, settings, org, gateway: Threaded
) -> None:
    async with transaction(sessionmaker) as db:
        welder = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
        hr = await make_person(db, settings.secret_key, org.enterprise, "林人事", [("hr", org.enterprise)])
    ident = workers.ciphers_for(settings.secret_key).id_number.decrypt(welder.id_number_enc)
    card, body = card_photo("mem", 11, ident)
    gateway.sim.records = {
        card.number: Record(
            holder_id=ident,
            answer=Answer(
                found=True,
                holder_name=card.name,
                item_code=card.item_key.partition(":")[2],
                item_name=card.item_name,
                status="valid",
                valid_until=date.fromisoformat(card.valid_until),
                issued_on=date.fromisoformat(card.valid_from),
                issuing_authority=card.authority,
            ),
        )
    }
    me = await client_as(welder)
    url = f"/api/media/scans/?person_id={welder.id}"

    up = await me.post(url, content=body, headers=JPEG)
    assert up.status_code == 201, up.text
    checks = {c["code"]: c for c in up.json()["checks"]}
    assert checks["registry_match"] == {"code": "registry_match", "level": "ok", "reason": "与全国系统一致"}
    assert gateway.sim.stats()["queries"] == 1

    gateway.stop()  # the gateway goes away: the upload still succeeds, amber, never green
    down = await me.post(url, content=body, headers=JPEG)
    assert down.status_code == 201, down.text
    scan = down.json()
    assert scan["verdict"] != "green" and scan["status"] == "pending"
    assert {
        "code": "registry_unavailable",
        "level": "amber",
        "reason": "未能核验（全国系统暂不可用）",
    } in scan["checks"]
    reviewer = await client_as(hr)
    stored = (await reviewer.get(f"/api/media/scans/{scan['id']}")).json()
    assert [c for c in stored["checks"] if c["code"].startswith("registry_")] == [
        {"code": "registry_unavailable", "level": "amber", "reason": "未能核验（全国系统暂不可用）"}
    ]
    async with transaction(sessionmaker) as db:
        assert await db.scalar(select(func.count()).select_from(CertificateScan)) == 2
