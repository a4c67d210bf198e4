"""The last run and the findings as an .xlsx workbook (openpyxl, write-only) for the safety officer."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.principal import Principal
from backend.people.models import Person
from backend.registry.models import RegistryCheck, RegistryRun
from backend.registry.service import findings_view, scoped
from backend.workers.models import Certificate

CHECK_HEADER = (
    "姓名",
    "身份证号",
    "准操项目",
    "证书编号",
    "核验结果",
    "全国系统状态",
    "全国系统有效期至",
    "核验时间",
    "错误",
)
FINDING_HEADER = (
    "姓名",
    "准操项目",
    "证书编号",
    "类别",
    "差异",
    "处置",
    "状态",
    "发现时间",
    "最近一次",
    "说明",
)


async def export_xlsx(db: AsyncSession, who: Principal, run: RegistryRun | None) -> bytes:
    wb = Workbook(write_only=True)
    checks = wb.create_sheet("核验结果")
    checks.append(CHECK_HEADER)
    if run is not None:
        query = (
            select(RegistryCheck, Person.name, Person.id_number_masked, Certificate.number_masked)
            .join(Person, Person.id == RegistryCheck.person_id)
            .join(Certificate, Certificate.id == RegistryCheck.certificate_id)
            .where(RegistryCheck.run_id == run.id)
            .order_by(RegistryCheck.scope_path, Person.name)
        )
        for c, name, id_masked, number in (
            await db.execute(scoped(query, RegistryCheck.scope_path, who))
        ).all():
            a: dict[str, Any] = c.answer or {}
            checks.append((
                name, id_masked, c.item_key, number, c.outcome, a.get("status", ""),
                a.get("valid_until") or "", c.checked_at.isoformat(timespec="seconds"), c.error or "",
            ))  # fmt: skip
    sheet = wb.create_sheet("核验发现")
    sheet.append(FINDING_HEADER)
    for f in await findings_view(db, who, None, 10_000):
        sheet.append((
            f.person_name, f.item_key, f.number_masked, f.kind, f.code, f.action, f.status,
            f.opened_at.isoformat(timespec="seconds"), f.last_seen_at.isoformat(timespec="seconds"), f.note,
        ))  # fmt: skip
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
