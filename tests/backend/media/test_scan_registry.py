"""The registry cross-check of a certificate scan against the registry simulator over loopback
HTTP: a matching card is green, a revoked / unknown / differing one red with the reason, a
gateway that fails or is gone amber (never green), other families are not asked. The fields are
fed in directly (no OCR) except in the one API test, which uploads a rendered card."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, timedelta

import msgspec
import pytest

from backend.config import Settings
from backend.media import registry_part
from backend.media.checks import Check
from backend.media.extract import Extraction, FieldValue
from backend.registry.adapter import Answer
from backend.registry.limits import CircuitBreaker
from backend.registry.plant import Record
from backend.registry.simulator import RegistryServer, RegistrySim
from tests.factories import id_number

TODAY = date(2026, 11, 28)


def card(family: str = "mem", ident: str | None = None, **over: str) -> Extraction:
    ident = ident or id_number()
    values = {
        "family": family,
        "name": "赵铁柱",
        "id_number": ident,
        "number": "T" + ident if family == "mem" else "TS3201000123",
        "item_key": {"mem": "mem:02-01", "mohurd": "mohurd:01", "samr": "samr:N1"}[family],
        "valid_from": "2022-03-01",
        "valid_until": "2028-03-01",
    } | over
    return Extraction(family, {k: FieldValue(v, 0.99) for k, v in values.items()})


def record(ex: Extraction, **over: object) -> Record:
    f = ex.fields
    answer = Answer(
        found=True,
        holder_name=f["name"].value,
        item_code=f["item_key"].value.partition(":")[2],
        item_name="熔化焊接与热切割作业",
        status="valid",
        valid_until=date.fromisoformat(f["valid_until"].value),
        issued_on=date.fromisoformat(f["valid_from"].value),
        issuing_authority="南京市应急管理局",
    )
    return Record(holder_id=f["id_number"].value, answer=msgspec.structs.replace(answer, **over))


@pytest.fixture
async def registry_sim() -> AsyncIterator[RegistryServer]:
    server = RegistryServer(RegistrySim(seed=3))
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


def gateway(settings: Settings, server: RegistryServer, **kw: object) -> Settings:
    """Settings pointing at the simulator; no retries unless asked (backoff is real time)."""
    opts: dict[str, object] = {"registry_url": server.url, "registry_timeout": 1.0, "registry_retries": 0}
    return msgspec.structs.replace(settings, **(opts | kw))


async def test_a_card_the_registry_confirms_is_green(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    ex = card()
    registry_sim.sim.records = {ex.fields["number"].value: record(ex)}
    check = await registry_part.cross_check(gateway(settings, registry_sim), ex, TODAY)
    assert check == Check("registry_match", "ok", "与全国系统一致")
    assert registry_sim.sim.stats()["queries"] == 1


async def test_revoked_unknown_expired_and_differing_cards_are_red_with_the_reason(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    conf = gateway(settings, registry_sim)
    sim = registry_sim.sim
    cases: list[tuple[Extraction, Record | None, str, str]] = []
    ex = card()
    cases.append((ex, record(ex, status="revoked"), "registry_revoked", "已注销"))
    ex = card()
    cases.append((ex, None, "registry_not_found", "查无此证"))
    ex = card()
    cases.append((ex, record(ex, status="expired"), "registry_expired", "已过期"))
    ex = card()
    lapsed = record(ex, valid_until=TODAY - timedelta(days=1))  # "valid" but past its date
    cases.append((ex, lapsed, "registry_expired", f"有效期至 {TODAY - timedelta(days=1)}"))
    ex = card(name="钱小兵")  # the card's name is not the registry holder's
    cases.append(
        (ex, record(ex, holder_name="赵铁柱"), "registry_mismatch", "姓名（证上 钱小兵，全国系统 赵铁柱）")
    )
    ex = card()
    other = record(ex, item_code="01-02", valid_until=date(2029, 3, 1))
    cases.append((ex, other, "registry_mismatch", "准操项目（证上 02-01，全国系统 01-02"))
    # a number registered under another person's ID: the registry answers "not found"
    ex = card()
    cases.append(
        (ex, msgspec.structs.replace(record(ex), holder_id=id_number("110101")), "registry_not_found", "")
    )
    for ex, rec, code, words in cases:
        sim.records = {ex.fields["number"].value: rec} if rec else {}
        check = await registry_part.cross_check(conf, ex, TODAY)
        assert (check.code, check.level) == (code, "red"), check
        assert words in check.reason, check
    both = registry_part.judge(cases[5][0], other.answer, TODAY).reason  # every difference is named
    assert "准操项目" in both and "有效期至（证上 2028-03-01，全国系统 2029-03-01）" in both


async def test_a_failing_slow_or_stopped_gateway_is_amber_never_green(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    ex = card()
    sim = registry_sim.sim
    sim.records = {ex.fields["number"].value: record(ex)}
    unavailable = Check("registry_unavailable", "amber", "未能核验（全国系统暂不可用）")

    sim.error_rate = 1.0  # every answer a 503, retried then given up
    conf = gateway(settings, registry_sim, registry_retries=1)
    assert await registry_part.cross_check(conf, ex, TODAY) == unavailable
    assert sim.stats()["errors"] == 2

    sim.error_rate, sim.hang_numbers = 0.0, {ex.fields["number"].value}  # slower than the timeout
    conf = gateway(settings, registry_sim, registry_timeout=0.3, registry_retries=3)
    started = asyncio.get_running_loop().time()
    assert await registry_part.cross_check(conf, ex, TODAY) == unavailable
    assert asyncio.get_running_loop().time() - started < 1.0  # the timeout bounds the retries too

    sim.hang_numbers = set()
    await registry_sim.stop()  # nobody listening
    assert await registry_part.cross_check(gateway(settings, registry_sim), ex, TODAY) == unavailable


async def test_the_breaker_opens_and_later_scans_fail_fast_without_asking(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    ex = card()
    sim = registry_sim.sim
    sim.error_rate = 1.0
    conf = gateway(settings, registry_sim)
    breaker = registry_part.breaker_for(registry_sim.url)
    for _ in range(breaker.threshold):
        assert (await registry_part.cross_check(conf, ex, TODAY)).code == "registry_unavailable"
    asked = sim.stats()["requests"]
    assert breaker.state == "open" and asked == breaker.threshold
    sim.error_rate = 0.0
    sim.records = {ex.fields["number"].value: record(ex)}
    assert (await registry_part.cross_check(conf, ex, TODAY)).level == "amber"  # not green while open
    assert sim.stats()["requests"] == asked


async def test_a_trial_cut_off_by_the_timeout_does_not_wedge_the_breaker(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    ex = card()
    sim, number = registry_sim.sim, ex.fields["number"].value
    sim.records, sim.hang_numbers = {number: record(ex)}, {number}
    clock = [0.0]
    breaker = CircuitBreaker(threshold=1, cooldown=10, clock=lambda: clock[0])
    registry_part._breakers[registry_sim.url] = breaker
    conf = gateway(settings, registry_sim, registry_timeout=0.2)
    assert (await registry_part.cross_check(conf, ex, TODAY)).code == "registry_unavailable"
    assert breaker.state == "open"
    clock[0] = 11.0  # half-open: one trial goes out, hangs and is cut off
    assert (await registry_part.cross_check(conf, ex, TODAY)).code == "registry_unavailable"
    assert breaker.state == "open" and sim.stats()["requests"] == 2
    clock[0], sim.hang_numbers = 22.0, set()  # the gateway is back: the next trial closes it
    assert (await registry_part.cross_check(conf, ex, TODAY)).code == "registry_match"
    assert breaker.state == "closed"


async def test_other_families_are_not_asked_and_no_gateway_is_a_note(
    settings: Settings, registry_sim: RegistryServer
) -> None:
    conf = gateway(settings, registry_sim)
    for family in ("mohurd", "samr"):
        check = await registry_part.cross_check(conf, card(family), TODAY)
        assert (check.code, check.level) == ("registry_not_covered", "info")
    unread = await registry_part.cross_check(conf, Extraction(None, {}), TODAY)
    assert (unread.code, unread.level) == ("registry_not_covered", "info")
    missing = card()
    del missing.fields["item_key"]
    check = await registry_part.cross_check(conf, missing, TODAY)
    assert (check.code, check.level) == ("registry_unasked", "amber") and "准操项目" in check.reason
    assert registry_sim.sim.stats()["requests"] == 0

    plain = msgspec.structs.replace(settings, registry_url=None)
    check = await registry_part.cross_check(plain, card(), TODAY)
    assert check == Check("registry_not_configured", "info", "未配置全国系统核验")
    assert (await registry_part.cross_check(plain, card("samr"), TODAY)).code == "registry_not_covered"
