"""Analytics endpoints: dashboard, one indicator's drill-down, xlsx export, alarm verdicts,
gas-detector calibrations (entered or imported as CSV) and detector standings."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from sqlalchemy import select

from backend.analytics import (
    acceptance_report,
    calibration,
    diagnosis,
    gas_view,
    report,
    reviews,
    scada,
    service,
)
from backend.analytics import heatmap as heatmaps
from backend.analytics.schemas import (
    AcceptanceOut,
    AlarmReviewIn,
    AlarmReviewOut,
    CalibrationImportOut,
    CalibrationIn,
    CalibrationOut,
    DashboardOut,
    DetectorStateOut,
    DetectorTagIn,
    DetectorTagOut,
    GasSeriesOut,
    IndicatorDetailOut,
    RootCauseOut,
    ScadaImportOut,
    ScadaSamplesIn,
    ScadaSamplesOut,
    UnitRef,
)
from backend.analytics.service import ANALYSTS, By, Query
from backend.analytics.xlsx import workbook
from backend.core.errors import DomainError, Forbidden, Invalid, NotFound
from backend.devices.routes import DEVICE_AUTH, DeviceCaller
from backend.gas.models import GasDetector
from backend.http.deps import Caller, Conf, Db, Now
from backend.http.files import PDF_TYPE, XLSX_TYPE, attachment
from backend.org.models import OrgUnit
from backend.permits.catalogue import policy

CSV_MAX_BYTES = 1024 * 1024
SCADA_MAX_BYTES = 16 * 1024 * 1024
Shift = Literal["all", "day", "night"]
Days = Annotated[int, QueryParameter(ge=1, le=31)]
Interval = Annotated[float | None, QueryParameter(gt=0, le=3600)]


class UnsupportedType(DomainError):
    status = 415


CSV_TYPES = ("text/csv", "text/plain", "application/csv")


def _query(
    unit_id: uuid.UUID,
    since: datetime | None,
    until: datetime | None,
    trade: str | None,
    person_id: uuid.UUID | None,
) -> Query:
    if trade is not None and not 0 < len(trade) <= 40:
        raise Invalid("工种参数无效", code="trade_invalid")
    return Query(unit_id=unit_id, since=since, until=until, trade=trade, person_id=person_id)


def _clock(settings: Any) -> tuple[timedelta, tuple[int, int]]:
    """The site's UTC offset and night-shift hours from the permit policy (time.night)."""
    pol = policy(settings.data_dir).time
    start, end = (int(t.split(":")[0]) for t in pol.night[:2])
    return timedelta(hours=pol.utc_offset_hours), (start, end)


async def csv_text(request: Request[Any, Any, Any]) -> str:
    """The body of a CSV upload: declared as CSV, UTF-8 (a BOM from Excel is fine)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype not in CSV_TYPES:
        raise UnsupportedType("请上传 CSV 文件 (text/csv)", code="unsupported_type")
    body = await request.body()
    try:
        return body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Invalid("CSV 须为 UTF-8 编码", code="csv_encoding") from exc


class AnalyticsController(Controller):
    path = "/api/analytics"
    tags = ["analytics"]

    @get("/units", operation_id="listAnalyticsUnits")
    async def units(self, db: Db, principal: Caller) -> list[UnitRef]:
        """Units whose indicators the caller may read (a role in the unit or above it)."""
        rows = await db.scalars(select(OrgUnit).where(OrgUnit.deleted_at.is_(None)).order_by(OrgUnit.path))
        return [service.unit_ref(u) for u in rows if principal.has_role(ANALYSTS, u.path)]

    @get("/dashboard", operation_id="getAnalyticsDashboard")
    async def dashboard(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        unit_id: FromQuery[uuid.UUID],
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        trade: FromQuery[str | None] = None,
        person_id: FromQuery[uuid.UUID | None] = None,
    ) -> DashboardOut:
        return await service.dashboard(db, principal, _query(unit_id, since, until, trade, person_id), now)

    @get("/indicators/{key:str}", operation_id="getAnalyticsIndicator")
    async def indicator(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        key: FromPath[str],
        unit_id: FromQuery[uuid.UUID],
        by: FromQuery[By] = "unit",
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        trade: FromQuery[str | None] = None,
        person_id: FromQuery[uuid.UUID | None] = None,
    ) -> IndicatorDetailOut:
        """One indicator, broken down one level (child units, trades or people), with its records."""
        q = _query(unit_id, since, until, trade, person_id)
        return await service.detail(db, principal, q, key, by, now)

    @get("/export.xlsx", operation_id="exportAnalytics", media_type=XLSX_TYPE)
    async def export(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        unit_id: FromQuery[uuid.UUID],
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        trade: FromQuery[str | None] = None,
        person_id: FromQuery[uuid.UUID | None] = None,
    ) -> Response[bytes]:
        scope = await service.open_scope(db, principal, _query(unit_id, since, until, trade, person_id), now)
        name = f"tezuo-analytics-{scope.unit.code}-{scope.until:%Y%m%d}.xlsx"
        body = await asyncio.to_thread(workbook, scope)  # CPU work: off the event loop
        return attachment(body, XLSX_TYPE, name)

    @get("/heatmap", operation_id="getBehaviourHeatmap")
    async def heatmap(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        unit_id: FromQuery[uuid.UUID],
        shift: FromQuery[Shift] = "all",
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        trade: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        """Behaviour violations (alarms not dismissed as 误报) by local hour × trade and by place."""
        scope = await service.open_scope(
            db, principal, _query(unit_id, since, until, trade, None), now, records=False
        )
        return await heatmaps.heatmap(db, scope, shift, *_clock(settings))

    @get("/heatmap.png", operation_id="getBehaviourHeatmapPng", media_type="image/png")
    async def heatmap_png(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        unit_id: FromQuery[uuid.UUID],
        shift: FromQuery[Shift] = "all",
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
        trade: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        """The same as a picture to print for the shift meeting."""
        scope = await service.open_scope(
            db, principal, _query(unit_id, since, until, trade, None), now, records=False
        )
        data = await heatmaps.heatmap(db, scope, shift, *_clock(settings))
        png = await asyncio.to_thread(heatmaps.heatmap_png, data, scope.unit.code)
        return Response(png, media_type="image/png")

    @get("/report.pdf", operation_id="getAnalyticsReport", media_type="application/pdf")
    async def report_pdf(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        unit_id: FromQuery[uuid.UUID],
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> Response[bytes]:
        """The monthly report (default: the last 30 days) to print."""
        scope = await service.open_scope(db, principal, _query(unit_id, since, until, None, None), now)
        pdf = await report.monthly_pdf(db, scope, *_clock(settings))
        name = f"tezuo-analytics-{scope.unit.code}-{scope.until:%Y%m%d}.pdf"
        return attachment(pdf, PDF_TYPE, name)

    @post("/alarms/{alarm_id:uuid}/review", operation_id="reviewAlarm", status_code=200)
    async def review(
        self,
        data: JSONBody[AlarmReviewIn],
        db: Db,
        principal: Caller,
        now: Now,
        alarm_id: FromPath[uuid.UUID],
    ) -> AlarmReviewOut:
        """Confirm an alarm or mark it a false positive (误报)."""
        return await reviews.review(db, principal, alarm_id, data, now)

    @post("/calibrations", operation_id="recordCalibration")
    async def record_calibration(
        self, data: JSONBody[CalibrationIn], db: Db, principal: Caller, now: Now
    ) -> CalibrationOut:
        return await calibration.record(db, principal, data, now)

    @post(
        "/calibrations/import",
        operation_id="importCalibrations",
        status_code=200,
        request_max_body_size=CSV_MAX_BYTES,
    )
    async def import_calibrations(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, now: Now
    ) -> CalibrationImportOut:
        """A calibration report as CSV (UTF-8, ≤ 1 MiB, header = calibration.CSV_COLUMNS [+ note])."""
        text = await csv_text(request)
        return CalibrationImportOut(imported=await calibration.import_csv(db, principal, text, now))

    @post("/scada/import", operation_id="importScada", status_code=200, request_max_body_size=SCADA_MAX_BYTES)
    async def import_scada(
        self, request: Request[Any, Any, Any], db: Db, principal: Caller, site_id: FromQuery[uuid.UUID]
    ) -> ScadaImportOut:
        """SCADA series for a site as CSV (tag,at,value; ≤ 16 MiB): pump state, vibration…"""
        return await diagnosis.import_scada(db, principal, site_id, await csv_text(request))

    @post("/scada/samples", operation_id="ingestScadaSamples", status_code=200, dependencies=DEVICE_AUTH)
    async def scada_samples(
        self, data: JSONBody[ScadaSamplesIn], db: Db, device: DeviceCaller, now: Now
    ) -> ScadaSamplesOut:
        """SCADA points an edge node read over Modbus (device-authenticated like the alarm ingest)."""
        return await scada.ingest(db, device, data.samples, now)

    @get("/detectors/{detector_id:uuid}/root-cause", operation_id="getRootCause")
    async def root_cause(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        detector_id: FromPath[uuid.UUID],
        days: Days = 7,
    ) -> RootCauseOut:
        """Recurring anomaly patterns of the detector over the last days and what coincides with them."""
        offset = timedelta(hours=policy(settings.data_dir).time.utc_offset_hours)
        return await diagnosis.analyse_detector(db, principal, detector_id, days, now, offset)

    @get(
        "/detectors/{detector_id:uuid}/root-cause.png",
        operation_id="getRootCausePlot",
        media_type="image/png",
    )
    async def root_cause_png(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        detector_id: FromPath[uuid.UUID],
        days: Days = 7,
    ) -> Response[bytes]:
        offset = timedelta(hours=policy(settings.data_dir).time.utc_offset_hours)
        png = await diagnosis.evidence_png(db, principal, detector_id, days, now, offset)
        return Response(png, media_type="image/png")

    @get("/detectors/{detector_id:uuid}/acceptance", operation_id="getDetectorAcceptance")
    async def acceptance(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        detector_id: FromPath[uuid.UUID],
        commissioned_at: FromQuery[datetime | None] = None,
        interval_s: Interval = None,
    ) -> AcceptanceOut:
        """The 72-hour acceptance test from the detector's data since commissioning."""
        return await acceptance_report.acceptance_of(
            db, principal, detector_id, now, commissioned_at, interval_s
        )

    @get(
        "/detectors/{detector_id:uuid}/acceptance.pdf",
        operation_id="getDetectorAcceptancePdf",
        media_type="application/pdf",
    )
    async def acceptance_pdf(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        settings: Conf,
        detector_id: FromPath[uuid.UUID],
        commissioned_at: FromQuery[datetime | None] = None,
        interval_s: Interval = None,
    ) -> Response[bytes]:
        out = await acceptance_report.acceptance_of(
            db, principal, detector_id, now, commissioned_at, interval_s
        )
        d = await db.get(GasDetector, detector_id)
        assert d is not None
        offset = timedelta(hours=policy(settings.data_dir).time.utc_offset_hours)
        body = await asyncio.to_thread(acceptance_report.pdf, out, d.name, offset)  # CPU work: off the loop
        return attachment(body, PDF_TYPE, f"tezuo-acceptance-{d.code}.pdf")

    @get("/detectors/{detector_id:uuid}/series", operation_id="getGasSeries")
    async def gas_series(
        self,
        db: Db,
        principal: Caller,
        now: Now,
        detector_id: FromPath[uuid.UUID],
        since: FromQuery[datetime | None] = None,
        until: FromQuery[datetime | None] = None,
    ) -> GasSeriesOut:
        """The detector's LEL readings thinned for display: per hour up to 31 days, per day beyond."""
        return await gas_view.series_out(db, principal, detector_id, since, until, now)

    @post("/detectors/{detector_id:uuid}/tags", operation_id="tagDetector")
    async def tag_detector(
        self,
        data: JSONBody[DetectorTagIn],
        db: Db,
        principal: Caller,
        now: Now,
        detector_id: FromPath[uuid.UUID],
    ) -> DetectorTagOut:
        """An equipment tag (设备振动干扰 …) from a finding, with the fix taken."""
        return await diagnosis.add_tag(db, principal, detector_id, data, now)

    @get("/detectors/{detector_id:uuid}/tags", operation_id="listDetectorTags")
    async def detector_tags(
        self, db: Db, principal: Caller, detector_id: FromPath[uuid.UUID]
    ) -> list[DetectorTagOut]:
        return await diagnosis.tags_of(db, principal, detector_id)

    @get("/detectors", operation_id="listDetectorCalibration")
    async def detectors(
        self, db: Db, principal: Caller, now: Now, unit_id: FromQuery[uuid.UUID]
    ) -> list[DetectorStateOut]:
        """Each detector under the unit with its latest calibration and flag."""
        unit = await db.get(OrgUnit, unit_id)
        if unit is None:
            raise NotFound("组织单元不存在", code="unit_unknown")
        if not principal.has_role(ANALYSTS | calibration.CALIBRATORS, unit.path):
            raise Forbidden("无权查看该单元的检测仪", code="analytics_forbidden")
        rows = await db.scalars(
            select(GasDetector)
            .where(
                GasDetector.deleted_at.is_(None),
                GasDetector.scope_path.startswith(unit.path, autoescape=True),
            )
            .order_by(GasDetector.code)
        )
        return await calibration.standings(db, list(rows), now)

    @get("/detectors/{detector_id:uuid}/calibrations", operation_id="listCalibrations")
    async def calibrations(
        self,
        db: Db,
        principal: Caller,
        detector_id: FromPath[uuid.UUID],
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
    ) -> list[CalibrationOut]:
        return await calibration.history(db, principal, detector_id, limit)
