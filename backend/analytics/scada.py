"""SCADA samples from edge nodes (read over Modbus): stored where the CSV import stores its series."""

from __future__ import annotations

import math
import uuid
from datetime import datetime, timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.analytics.models import ScadaSample
from backend.analytics.schemas import ScadaSampleIn, ScadaSamplesOut
from backend.auth.models import Device
from backend.core.errors import Forbidden, Invalid

FUTURE_SLACK = timedelta(minutes=2)  # the node's clock may run a little ahead of the server's


async def ingest(
    db: AsyncSession, device: Device, samples: list[ScadaSampleIn], now: datetime
) -> ScadaSamplesOut:
    """Store an edge node's samples under its site; all or none, a resent sample is stored once."""
    if device.kind != "edge" or device.site_id is None:
        raise Forbidden("仅厂区边缘节点可上传 SCADA 数据", code="device_not_edge")
    for i, s in enumerate(samples):
        if s.at > now + FUTURE_SLACK:
            raise Invalid(
                f"第 {i + 1} 条: 时间 {s.at.isoformat()} 晚于服务器时间", code="scada_sample_invalid"
            )
        if not math.isfinite(s.value):
            raise Invalid(f"第 {i + 1} 条: 数值无效", code="scada_sample_invalid")
    if not samples:
        return ScadaSamplesOut(accepted=0, tags=[])
    held = await db.execute(
        select(ScadaSample.tag, ScadaSample.at).where(
            ScadaSample.site_id == device.site_id,
            ScadaSample.tag.in_({s.tag for s in samples}),
            ScadaSample.at >= min(s.at for s in samples),
            ScadaSample.at <= max(s.at for s in samples),
        )
    )
    seen = {(tag, at) for tag, at in held}
    rows = []
    for s in samples:
        if (s.tag, s.at) in seen:
            continue  # the node resent a batch whose answer it never heard
        seen.add((s.tag, s.at))
        rows.append(
            {"id": uuid.uuid4(), "site_id": device.site_id, "tag": s.tag, "at": s.at, "value": s.value}
        )
    if rows:
        await db.execute(insert(ScadaSample), rows)
    return ScadaSamplesOut(accepted=len(rows), tags=sorted({s.tag for s in samples}))
