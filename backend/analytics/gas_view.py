"""`GET /detectors/{id}/series`: the period checked, the marked hours re-thinned, the buckets out."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics import fold, gas_series
from backend.analytics.schemas import GasPointOut, GasSeriesOut
from backend.analytics.service import ANALYSTS, MAX_DAYS
from backend.auth.principal import Principal
from backend.core.errors import Forbidden, Invalid, NotFound
from backend.gas.models import GasDetector


async def series_out(
    db: AsyncSession,
    who: Principal,
    detector_id: uuid.UUID,
    since: datetime | None,
    until: datetime | None,
    now: datetime,
) -> GasSeriesOut:
    det = await db.get(GasDetector, detector_id)
    if det is None or det.deleted_at is not None:
        raise NotFound("检测仪不存在", code="detector_unknown")
    if not who.has_role(ANALYSTS, det.scope_path):
        raise Forbidden("无权查看该检测仪", code="analytics_forbidden")
    until = until or now
    since = since or until - timedelta(days=7)
    if since.tzinfo is None or until.tzinfo is None:
        raise Invalid("时间须带时区 (ISO 8601, e.g. 2026-11-01T00:00:00Z)", code="period_naive")
    if until <= since:
        raise Invalid("结束时间须晚于开始时间", code="period_invalid")
    if until - since > timedelta(days=MAX_DAYS):
        raise Invalid(f"统计周期最长 {MAX_DAYS} 天", code="period_too_long")
    await fold.fold_gas(db)
    bucket, points = await gas_series.series(db, detector_id, since, until)
    return GasSeriesOut(
        detector_id=det.id,
        code=det.code,
        since=since,
        until=until,
        bucket="hour" if bucket == "hour" else "day",
        points=[
            GasPointOut(
                start=start,
                count=b.count,
                min=b.lo,
                max=b.hi,
                mean=round(b.total / b.count, 3) if b.count else None,
            )
            for start, b in points
        ],
    )
