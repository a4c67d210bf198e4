"""The registry cross-check of a certificate scan: what the card says against the national
registry's record for its three elements (ID number + item + number), through the registry
adapter (backend/registry: its gateway client, retries, rate limit and circuit breaker).

Only the 应急管理部 特种作业 family is in the registry (docs/registry.md); other families get a
neutral note. No trustworthy answer (gateway down, breaker open, rate limited after the retries,
slower than the adapter's timeout) is amber, never green, and the scan is stored all the same.
"""

from __future__ import annotations

import asyncio
from datetime import date

from backend.config import Settings
from backend.core.errors import Invalid
from backend.media.checks import Check
from backend.media.extract import Extraction
from backend.people import idnumber
from backend.registry.adapter import Answer, HttpRegistry, Registry, RegistryUnavailable, Triple
from backend.registry.compare import same_name
from backend.registry.ledger_part import FAMILY
from backend.registry.limits import CircuitBreaker
from backend.registry.service import http_registry

UNAVAILABLE = "未能核验（全国系统暂不可用）"
NOT_CONFIGURED = "未配置全国系统核验"
MATCH = "与全国系统一致"
FIELD_NAMES = {
    "name": "姓名",
    "id_number": "身份证号",
    "number": "证号",
    "item_key": "准操项目",
    "valid_from": "有效期起",
    "valid_until": "有效期至",
}
STATUS_NAMES = {"revoked": "已注销", "suspended": "已暂扣"}

# One breaker per gateway URL for the whole process: once scans have failed on a gateway that
# is down, the next uploads get their amber at once instead of each waiting out the timeout.
_breakers: dict[str, CircuitBreaker] = {}


def breaker_for(url: str) -> CircuitBreaker:
    return _breakers.setdefault(url, CircuitBreaker(threshold=5, cooldown=30))


def _not_covered(ex: Extraction) -> Check:
    what = "未识别出证书类别" if ex.family is None else "该类证书不在全国特种作业操作证系统中"
    return Check("registry_not_covered", "info", f"{what}，未查询全国系统")


def triple_of(ex: Extraction) -> Triple | Check:
    """The three elements as read from the card, or why the registry cannot be asked."""
    if ex.family != FAMILY:
        return _not_covered(ex)
    f = ex.fields
    missing = [FIELD_NAMES.get(k, k) for k in ("id_number", "number", "item_key") if k not in f]
    if missing:
        return Check("registry_unasked", "amber", f"证上未识别到 {', '.join(missing)}，未能查询全国系统")
    try:
        ident = idnumber.normalise(f["id_number"].value)
    except Invalid:  # the checksum check already says why (red)
        return Check("registry_unasked", "amber", "证上身份证号无效，未能查询全国系统")
    key = f["item_key"].value
    if not key.startswith(FAMILY + ":"):
        return Check("registry_unasked", "amber", "准操项目不是特种作业项目，未能查询全国系统")
    return Triple(ident, key.partition(":")[2], f["number"].value)


def judge(ex: Extraction, answer: Answer, today: date) -> Check:
    """Red for "not found", revoked, expired or any field that differs (named); else green."""
    if not answer.found:
        return Check("registry_not_found", "red", "全国系统查无此证（身份证号 + 准操项目 + 证号）")
    if answer.status not in ("valid", "expired"):
        status = STATUS_NAMES.get(answer.status, f"状态 {answer.status}")
        return Check("registry_revoked", "red", f"全国系统显示该证{status}，不可使用")
    if answer.status == "expired" or (answer.valid_until is not None and answer.valid_until < today):
        until = f"（有效期至 {answer.valid_until}）" if answer.valid_until else ""
        return Check("registry_expired", "red", f"全国系统显示该证已过期{until}")
    f = ex.fields
    differ: list[str] = []

    def value(key: str) -> str | None:
        return f[key].value if key in f else None

    if (name := value("name")) and answer.holder_name and not same_name(name, answer.holder_name):
        differ.append(f"姓名（证上 {name}，全国系统 {answer.holder_name}）")
    item = (value("item_key") or "").partition(":")[2]
    if answer.item_code and item != answer.item_code:
        differ.append(f"准操项目（证上 {item}，全国系统 {answer.item_code} {answer.item_name}）")
    for key, theirs in (("valid_from", answer.issued_on), ("valid_until", answer.valid_until)):
        ours = value(key)
        if ours and theirs is not None and ours != theirs.isoformat():
            differ.append(f"{FIELD_NAMES[key]}（证上 {ours}，全国系统 {theirs}）")
    if differ:
        return Check("registry_mismatch", "red", "与全国系统不一致: " + "；".join(differ))
    return Check("registry_match", "ok", MATCH)


async def ask(registry: Registry, ex: Extraction, today: date, budget: float) -> Check:
    """Query the registry for the card (within `budget` seconds, retries included) and judge."""
    triple = triple_of(ex)
    if isinstance(triple, Check):
        return triple
    try:
        async with asyncio.timeout(budget):
            answer = await registry.query(triple)
    except RegistryUnavailable:
        return Check("registry_unavailable", "amber", UNAVAILABLE)
    except TimeoutError:
        if isinstance(registry, HttpRegistry):  # a cut-off call (a half-open trial too) failed
            registry.breaker.failure()
        return Check("registry_unavailable", "amber", UNAVAILABLE)
    return judge(ex, answer, today)


async def cross_check(settings: Settings, ex: Extraction, today: date) -> Check:
    """The scan's registry check with the configured gateway; bounded by its timeout setting."""
    if not settings.registry_url:
        if ex.family != FAMILY:
            return _not_covered(ex)
        return Check("registry_not_configured", "info", NOT_CONFIGURED)
    async with http_registry(settings, breaker_for(settings.registry_url)) as registry:
        return await ask(registry, ex, today, settings.registry_timeout)
