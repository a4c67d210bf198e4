"""Risk grading per GB 30871-2022 from a request's facts, explained clause by clause (pure, no I/O)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import msgspec

from backend.core.errors import Invalid
from backend.permits.catalogue import Catalogue, Policy, WorkType, catalogue, policy

FIRE_AREAS = frozenset({"fire_class_a", "fire_class_b", "tank_farm_dike"})
HOT_ORDER = ["2", "1", "special"]
HEIGHT_ORDER = ["I", "II", "III", "IV"]
# GB/T 3608 (cited by §8.1.2): the objective hazard factors that move work at height to the B method.
HEIGHT_FACTORS = {
    "gust_force_5": "阵风风力五级（风速8.0 m/s）以上",
    "cold_5c": "平均气温等于或低于5 ℃的作业环境",
    "cold_water_12c": "接触冷水温度等于或低于12 ℃的作业",
    "slippery": "作业场地有冰、雪、霜、水、油等易滑物",
    "poor_light": "作业场所光线不足或能见度差",
    "live_conductor": "作业活动范围与危险电压带电体的距离小于规定",
    "unstable_footing": "摆动，立足处不是平面或只有很小的平面，或身体重心倾斜",
    "rescue": "抢救突然发生的各种灾害事故",
    "toxic_or_low_o2": "存在有毒气体或空气中含氧量低于19.5%（体积分数）的作业环境",
}
# B.1 note 2: situations managed at least at Ⅱ/Ⅲ级, and those managed at Ⅳ级.
HEIGHT_SITUATIONS_II = {
    "near_opening": "在孔、洞、井、池、坑、沟附近或上方作业",
    "hazard_area": "在易燃、易爆、易中毒、易灼伤的区域或转动设备附近作业",
    "no_railing": "在无平台、无护栏的塔、釜、炉、罐等容器、设备及架空管道上作业",
    "inside_vessel": "在塔、釜、炉、罐等设备内作业",
    "near_vent": "在排放有毒、有害气体、粉尘的放空管线或烟囱及设备附近作业",
}
HEIGHT_SITUATIONS_IV = {
    "extreme_temperature": "在高温或低温环境下作业（异温）",
    "snow": "降雪时作业",
    "rain": "降雨时作业",
    "night_artificial_light": "夜间在室外完全采用人工照明作业",
    "live_line": "带电作业",
    "suspended": "悬空作业（在无立足点或无牢靠立足点的条件下作业）",
}


class Facts(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """What the applicant states about the job; everything grading and SIMOPS read."""

    running_equipment: bool = False  # §5.1.2: equipment, pipes, tanks or vessels in operation
    hot_tapping: bool = False  # §5.1.2: 带压不置换动火
    major_hazard_tank_farm: bool = False  # §5.1.2: inside the dike of a major-hazard tank farm of flammables
    pipe_rack: bool = False  # §5.1.3
    shutdown_isolated: bool = False  # §5.1.4: unit shut down, cleaned, purged, tested and isolated
    fixed_hot_work_area: bool = False  # §5.5
    outdoor: bool = False
    wind_force: int = 0  # Beaufort
    wind_unavoidable: bool = False  # §5.2.15 "因生产确需动火"
    holiday: bool = False  # §5.1.1 holiday or rest day (also derived from the start date)
    night: bool = False  # §5.1.1 (also derived from the planned times)
    special_situation: bool = False  # §5.1.1 "特殊情况"
    weather: list[str] = []  # heavy_snow | rainstorm | dense_fog
    height_m: float | None = None
    slope_deg: float | None = None
    height_factors: list[str] = []
    height_situations: list[str] = []
    mass_t: float | None = None
    complex_load: bool = False  # §9.2.1
    cranes: int = 1
    depth_m: float | None = None
    near_buried_lines: bool = False  # §11.10
    oxygen_service: bool = False  # §5.2.7
    contractor: bool = False
    likelihood: int | None = None
    severity: int | None = None
    activities: list[str] = []  # venting | flammable_liquid | painting | dust_sweeping (SIMOPS)
    pipe: str | None = None  # the pipe a blind goes into (§7.10)


class GradeRequest(Facts, kw_only=True, forbid_unknown_fields=True):
    work_type: str
    hazard_class: str = "general"  # the area's class (org.models.HAZARD_CLASSES)
    start: datetime | None = None
    end: datetime | None = None


class Reason(msgspec.Struct):
    clause: str
    text: str


class StepOut(msgspec.Struct, kw_only=True):
    stage: int
    key: str
    role: str
    on_site: bool
    gas_lock: bool


class RiskOut(msgspec.Struct, kw_only=True):
    likelihood: int
    severity: int
    score: int
    level: str


class GradeResult(msgspec.Struct, kw_only=True):
    work_type: str
    work_type_name: str
    grade: str
    grade_label: str
    permit_required: bool
    reasons: list[Reason]
    blockers: list[Reason]
    validity_hours: int
    approval_steps: list[StepOut]
    approval_clause: str
    gas_requirements: list[Reason]
    continuous_gas: bool
    required_certificates: dict[str, list[str]]
    linked_permits_required: list[Reason]
    risk: RiskOut


class _Ctx:
    """Collects the reasons while the rules run."""

    def __init__(self) -> None:
        self.reasons: list[Reason] = []
        self.blockers: list[Reason] = []
        self.linked: list[Reason] = []
        self.permit_required = True

    def why(self, clause: str, text: str) -> None:
        self.reasons.append(Reason(clause, text))


def _hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _local(at: datetime, pol: Policy) -> datetime:
    return at.astimezone(timezone(timedelta(hours=pol.time.utc_offset_hours)))


def _is_night(at: datetime, pol: Policy) -> bool:
    t = _local(at, pol).time()
    begin, end = (_hhmm(x) for x in pol.time.night)
    return t >= begin or t < end if begin > end else begin <= t < end


def at_night(start: datetime, end: datetime | None, pol: Policy) -> bool:
    """True if any part of the planned window falls in the enterprise's night hours (sampled by 15 min)."""
    end = end or start
    at = start
    while at <= end:
        if _is_night(at, pol):
            return True
        at += timedelta(minutes=15)
    return _is_night(end, pol)


def rest_day(day: date, pol: Policy) -> bool:
    return day.isoformat() in pol.time.holidays or (pol.time.weekend_is_rest_day and day.weekday() >= 5)


def _on_rest_day(start: datetime, end: datetime | None, pol: Policy) -> bool:
    first = _local(start, pol).date()
    last = _local(end or start, pol).date()
    return any(rest_day(first + timedelta(days=n), pol) for n in range((last - first).days + 1))


def _grade_hot_work(req: GradeRequest, pol: Policy, ctx: _Ctx) -> str:
    fire_area = req.hazard_class in FIRE_AREAS
    if req.fixed_hot_work_area and not fire_area:
        ctx.permit_required = False
        ctx.why("§5.5", "在经批准的固定动火区内动火，按固定动火区管理，无需办理动火安全作业票")
        return "2"
    grade = "2"
    if req.hot_tapping:
        grade = "special"
        ctx.why("§5.1.2", "带压不置换动火作业，按特级动火管理")
    if req.running_equipment and (fire_area or req.pipe_rack or req.hazard_class == "pipe_rack"):
        grade = "special"
        ctx.why(
            "§5.1.2", "在生产运行状态下的易燃易爆生产装置、输送管道、储罐、容器等部位上动火，按特级动火管理"
        )
    if req.major_hazard_tank_farm:
        grade = "special"
        ctx.why("§5.1.2", "存有易燃易爆介质的重大危险源罐区防火堤内动火，按特级动火管理")
    if grade != "special":
        if req.pipe_rack or req.hazard_class == "pipe_rack":
            grade = "1"
            ctx.why("§5.1.3", "管廊上的动火作业按一级动火管理")
        elif fire_area:
            grade = "1"
            ctx.why("§5.1.3", "在火灾爆炸危险场所进行的（除特级以外的）动火作业，按一级动火管理")
        else:
            ctx.why("§5.1.4", "除特级、一级以外的动火作业为二级动火")
        if req.shutdown_isolated and grade == "1":
            grade = "2"
            ctx.why(
                "§5.1.4",
                "装置已全部停车并清洗、置换、分析合格，采取安全隔离措施，经所在单位安全管理负责人批准，按二级动火管理",
            )
    return _hot_work_upgrades(req, pol, ctx, grade)


def _hot_work_upgrades(req: GradeRequest, pol: Policy, ctx: _Ctx, grade: str) -> str:
    causes: list[Reason] = []
    night = req.night or (req.start is not None and at_night(req.start, req.end, pol))
    holiday = req.holiday or (req.start is not None and _on_rest_day(req.start, req.end, pol))
    if holiday:
        causes.append(Reason("§5.1.1", "节假日、公休日动火，升级管理"))
    if night:
        causes.append(Reason("§5.1.1", "夜间动火，升级管理"))
    if req.special_situation:
        causes.append(Reason("§5.1.1", "特殊情况下动火，升级管理"))
    if req.outdoor and req.wind_force >= 5:
        causes.append(Reason("§5.2.15", f"{req.wind_force}级风天气露天动火，因生产确需动火时升级管理"))
        if not req.wind_unavoidable:
            ctx.blockers.append(Reason("§5.2.15", "五级风以上（含五级）天气，禁止露天动火作业"))
    steps = len(causes) if pol.time.stack_upgrades else min(1, len(causes))
    for cause in causes:
        ctx.reasons.append(cause)
    for _ in range(steps):
        index = HOT_ORDER.index(grade)
        if index + 1 < len(HOT_ORDER):
            grade = HOT_ORDER[index + 1]
    if causes and steps:
        ctx.why("§5.1.1", f"升级后按{catalogue().label(grade)}动火管理")
    if req.oxygen_service:
        ctx.why("§5.2.7", "在生产、使用、储存氧气的设备上动火，设备内氧气含量不应超过23.5%（体积分数）")
    if req.height_m is not None and req.height_m >= 2:
        ctx.linked.append(Reason("§4.6, §5.2.5", "动火点距坠落基准面2 m及以上，还须办理高处安全作业票"))
    if req.hazard_class == "confined_space":
        ctx.linked.append(Reason("§4.6, §6", "受限空间内动火，还须办理受限空间安全作业票"))
    return grade


def height_band(height_m: float) -> int:
    """GB/T 3608 bands: 2≤h≤5 → 0, 5<h≤15 → 1, 15<h≤30 → 2, h>30 → 3."""
    if height_m <= 5:
        return 0
    if height_m <= 15:
        return 1
    if height_m <= 30:
        return 2
    return 3


def _grade_height(req: GradeRequest, ctx: _Ctx) -> str:
    unknown = [f for f in req.height_factors if f not in HEIGHT_FACTORS] + [
        s for s in req.height_situations if s not in HEIGHT_SITUATIONS_II and s not in HEIGHT_SITUATIONS_IV
    ]
    if unknown:
        raise Invalid(f"未知的高处作业因素: {', '.join(unknown)}", code="unknown_height_factor")
    steep = req.slope_deg is not None and req.slope_deg > 45
    height = req.height_m or 0.0
    if height < 2 and not steep:
        ctx.permit_required = False
        ctx.why("§3.1, §8", f"作业高度 {height:g} m 低于2 m（且非坡度大于45°的斜坡），不属于高处作业")
        return "I"
    if height < 2:
        ctx.why("B.1 注2", f"在坡度大于45°（{req.slope_deg:g}°）的斜坡上作业，按Ⅰ级高处作业管理")
        grade_index = 0
    else:
        band = height_band(height)
        names = ("2 m≤h≤5 m", "5 m<h≤15 m", "15 m<h≤30 m", "h>30 m")
        if req.height_factors:
            grade_index = min(3, band + 1)
            factors = "；".join(HEIGHT_FACTORS[f] for f in req.height_factors)
            ctx.why("§8.1.2", f"存在客观危险因素（{factors}），按B类法分级")
            ctx.why(
                "§8.1.1, 表2", f"作业高度 {height:g} m（{names[band]}），B类法为{HEIGHT_ORDER[grade_index]}级"
            )
        else:
            grade_index = band
            ctx.why(
                "§8.1.1, 表2",
                f"作业高度 {height:g} m（{names[band]}），无客观危险因素，A类法为{HEIGHT_ORDER[band]}级",
            )
    for situation in req.height_situations:
        if situation in HEIGHT_SITUATIONS_IV and grade_index < 3:
            grade_index = 3
            ctx.why("B.1 注2", f"{HEIGHT_SITUATIONS_IV[situation]}，按Ⅳ级高处作业管理")
        elif situation in HEIGHT_SITUATIONS_II and grade_index < 1:
            grade_index = 1
            ctx.why("B.1 注2", f"{HEIGHT_SITUATIONS_II[situation]}，按Ⅱ级及以上高处作业管理")
    if req.outdoor and (req.wind_force >= 5 or "dense_fog" in req.weather):
        ctx.blockers.append(Reason("§8.2.9", "五级风以上（含五级）、浓雾等恶劣天气，不应进行露天高处作业"))
    return HEIGHT_ORDER[grade_index]


def _grade_lifting(req: GradeRequest, ctx: _Ctx) -> str:
    if req.mass_t is None:
        raise Invalid("吊装作业须填写吊物质量 mass_t（吨）", code="mass_required")
    mass = req.mass_t
    if mass > 100:
        grade = "1"
        ctx.why("§9.1", f"吊物质量 {mass:g} t 大于100 t，为一级吊装作业")
    elif mass >= 40:
        grade = "2"
        ctx.why("§9.1", f"吊物质量 {mass:g} t 在40 t～100 t之间，为二级吊装作业")
    else:
        grade = "3"
        ctx.why("§9.1", f"吊物质量 {mass:g} t 小于40 t，为三级吊装作业")
        if mass < 10:
            ctx.permit_required = False
            ctx.why("B.1 注3", "吊物质量小于10 t，可不办理吊装安全作业票，但应进行风险分析并采取相应措施")
    if grade in ("1", "2") or req.complex_load:
        ctx.why("§9.2.1", "应编制吊装作业方案并经审批")
    if req.cranes > 1:
        ctx.why("§9.2.6", "多台起重机吊同一吊物时，每台载荷不应超过其额定起重能力的80%")
    if req.outdoor and (req.wind_force >= 6 or {"heavy_snow", "rainstorm", "dense_fog"} & set(req.weather)):
        ctx.blockers.append(
            Reason("§9.2.4", "大雪、暴雨、大雾及六级风以上（含六级）天气，应停止露天吊装作业")
        )
    return grade


def risk_of(req: GradeRequest, wt: WorkType, pol: Policy, ctx: _Ctx | None = None) -> RiskOut:
    """Likelihood × severity; the type's defaults, raised by one per aggravating fact the policy lists."""
    likelihood = req.likelihood or wt.risk.likelihood
    severity = req.severity or wt.risk.severity
    if req.likelihood is None:
        present = {
            "night": req.night or (req.start is not None and at_night(req.start, req.end, pol)),
            "holiday": req.holiday or (req.start is not None and _on_rest_day(req.start, req.end, pol)),
            "wind": req.outdoor and req.wind_force >= 5,
            "contractor": req.contractor,
            "simops": False,
        }
        bumps = [f for f in pol.risk_matrix.likelihood_factors if present.get(f)]
        likelihood = min(5, likelihood + len(bumps))
        if bumps and ctx is not None:
            ctx.why("风险矩阵", f"可能性因 {', '.join(bumps)} 提高至 {likelihood}")
    if not (1 <= likelihood <= 5 and 1 <= severity <= 5):
        raise Invalid("可能性与严重程度须在1～5之间", code="risk_out_of_range")
    score = likelihood * severity
    level = next(name for floor, name in pol.risk_matrix.levels if score >= floor)
    return RiskOut(likelihood=likelihood, severity=severity, score=score, level=level)


def _grade_matrix(req: GradeRequest, wt: WorkType, pol: Policy, ctx: _Ctx) -> str:
    risk = risk_of(req, wt, pol, ctx)
    grade = "1" if risk.score >= pol.risk_matrix.grade_1_min_score else "2"
    ctx.why(
        "企业风险矩阵",
        f"{wt.name}为企业自定作业类型，可能性{risk.likelihood}×严重程度{risk.severity}={risk.score}，"
        f"{'≥' if grade == '1' else '<'}{pol.risk_matrix.grade_1_min_score}，"
        f"按{catalogue().label(grade)}管理",
    )
    return grade


def _ungraded(req: GradeRequest, wt: WorkType, ctx: _Ctx) -> str:
    ctx.why(wt.source.split(" ", 1)[-1], f"{wt.name}不分级（{wt.validity_clause}）")
    if wt.code == "excavation" and (req.depth_m or 0) > 1.2 and req.near_buried_lines:
        ctx.linked.append(
            Reason("§11.10", "在危险场所动土深度超过1.2 m且可能存在有毒有害介质，应执行受限空间作业要求")
        )
    if wt.code == "blinding":
        ctx.why("§7.11", "一张盲板抽堵安全作业票只能进行一块盲板的一项作业")
    if wt.code == "temporary_power" and req.hazard_class in FIRE_AREAS:
        ctx.why("§10.1", "在火灾爆炸危险场所接临时电源，应先进行可燃气体检测分析")
    if wt.countersign:
        ctx.why("B.1", f"须经{'、'.join(wt.countersign)}等相关单位会签")
    return "none"


def _gas(wt: WorkType, grade: str, req: GradeRequest) -> list[Reason]:
    fire_area = req.hazard_class in FIRE_AREAS
    out = []
    for rule in wt.gas:
        if rule.grades is not None and grade not in rule.grades:
            continue
        if rule.when == "fire_area" and not fire_area:
            continue
        text = rule.text
        if rule.minutes and grade in rule.minutes:
            text = f"{text}（本票：中断超过{rule.minutes[grade]} min须重新分析）"
        out.append(Reason(rule.clause, text))
    return out


def _certificates(wt: WorkType) -> dict[str, list[str]]:
    return {
        role: [f"{c.family}:{c.item} {c.name}" for c in items]
        for role, items in wt.certificates.items()
        if items
    }


def grade(req: GradeRequest, pol: Policy | None = None, cat: Catalogue | None = None) -> GradeResult:
    """Grade a request: the grade and the clauses that decided it, validity, path, gas, certificates."""
    pol = pol or policy()
    cat = cat or catalogue()
    wt = cat.get(req.work_type)
    if wt is None:
        known = ", ".join(t.code for t in cat.types)
        raise Invalid(f"未知作业类型 {req.work_type}（可选: {known}）", code="work_type_unknown")
    ctx = _Ctx()
    if wt.grading == "hot_work":
        g = _grade_hot_work(req, pol, ctx)
    elif wt.grading == "height":
        g = _grade_height(req, ctx)
    elif wt.grading == "lifting":
        g = _grade_lifting(req, ctx)
    elif wt.grading == "matrix":
        g = _grade_matrix(req, wt, pol, ctx)
    else:
        g = _ungraded(req, wt, ctx)
    validity = wt.validity_hours[g]
    ctx.why(
        wt.validity_clause if wt.validity_clause.startswith("§") else "有效期",
        f"作业票有效期最长 {validity} h",
    )
    path = pol.path_for(wt.code, g)
    steps = [
        StepOut(
            stage=i + 1,
            key=f"s{i + 1}.{slot.role}",
            role=slot.role,
            on_site=pol.approval.on_site if slot.on_site is None else slot.on_site,
            gas_lock=slot.gas_lock,
        )
        for i, stage in enumerate(path.stages)
        for slot in stage
    ]
    return GradeResult(
        work_type=wt.code,
        work_type_name=wt.name,
        grade=g,
        grade_label=cat.label(g),
        permit_required=ctx.permit_required,
        reasons=ctx.reasons,
        blockers=ctx.blockers,
        validity_hours=validity,
        approval_steps=steps,
        approval_clause=path.clause,
        gas_requirements=_gas(wt, g, req),
        continuous_gas=pol.continuous(wt.code, g),
        required_certificates=_certificates(wt),
        linked_permits_required=ctx.linked,
        risk=risk_of(req, wt, pol),
    )


def utc(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=UTC)
