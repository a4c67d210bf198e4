"""Alarm rules: raise once per alarm id, route by tier, escalate while nobody answers, note the first push."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, Uuid, bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from backend.alarms import recipients
from backend.alarms.access import ancestors
from backend.alarms.models import NOTIFIED, OPEN_STATES, RAISED, Alarm, AlarmRecipient
from backend.alarms.places import AreaInfo, SiteInfo, site_info, store_image
from backend.alarms.recipients import Pick
from backend.alarms.routing import KindRule, Routing, TierRule
from backend.alarms.schemas import AlarmIngest, SosIn
from backend.auth.models import Device
from backend.auth.principal import Principal
from backend.bus.after_commit import publish_after_commit
from backend.core.errors import Conflict, Forbidden, Invalid, NotFound
from backend.core.ids import uuid7
from backend.jobs import service as timers
from backend.jobs.registry import JobContext
from backend.org.models import Area, OrgUnit
from backend.people.models import Person
from backend.push import service as push

ESCALATE = "alarms.escalate"
BOARD_TOPIC = "board"
CHINA = timezone(timedelta(hours=8), "CST")  # no DST in China: a fixed offset is the local time
ACTIONS = {"zh-CN": ("确认", "查看"), "en": ("Acknowledge", "View")}
# What the service worker says about an acknowledgement made from the notification (it has no catalogue).
SW_TEXTS = {
    "zh-CN": {
        "ack_queued": "确认已保存，联网后自动提交",
        "ack_rejected": "确认未生效",
        "sign_in": "请打开特作并登录后确认",
    },
    "en": {
        "ack_queued": "Acknowledgement saved; it is sent when you are back online",
        "ack_rejected": "Acknowledgement not accepted",
        "sign_in": "Open Tezuo and sign in to acknowledge",
    },
}


def escalation_key(alarm_id: uuid.UUID, level: int) -> str:
    return f"{ESCALATE}:{alarm_id}:{level}"


def decide(routing: Routing, kind_name: str) -> tuple[KindRule, TierRule, dict[str, Any], dict[str, Any]]:
    """The kind's rule, its tier, and what the alarm records of them: labels and the plan."""
    kind = routing.kind(kind_name)
    if kind is None:
        raise Invalid(f"未知的报警类型 {kind_name}", code="alarm_kind_unknown")
    tier = routing.tier(kind.tier)
    titles = {
        lang: f"{tier.label.get(lang, tier.label['zh-CN'])}：{text}" for lang, text in kind.label.items()
    }
    if "en" in kind.label:
        titles["en"] = f"{tier.label.get('en', tier.label['zh-CN'])}: {kind.label['en']}"
    labels = {"title": titles, "kind": dict(kind.label)}
    plan = {
        "roles": list(tier.roles),
        "escalation": [list(level) for level in tier.escalation],
        "ack_timeout_seconds": tier.ack_timeout_seconds,
        "urgency": tier.urgency,
        "ttl": tier.ttl,
        "require_interaction": tier.require_interaction,
        "vibrate": list(tier.vibrate),
        "sound": tier.sound,
        "image": tier.image,
    }
    return kind, tier, labels, plan


def _focus(site: SiteInfo, area: AreaInfo | None, subject: Person | None) -> str:
    """Where routing looks for people: the subject's team, else the area's workshop, else the site."""
    if subject is not None and subject.unit_path.startswith(site.path):
        return subject.unit_path
    return area.focus_path if area is not None else site.path


async def ingest(
    db: AsyncSession, device: Device, data: AlarmIngest, now: datetime, routing: Routing, media_dir: Path
) -> tuple[Alarm, bool, int]:
    """An alarm uplinked by an edge node or wearable: (alarm, created, recipients).

    The same alarm id again is the same alarm, untouched: the edge retries until it hears back.
    """
    # Almost always a new id: a one-column probe, not an ORM load, decides.
    existing = await db.get(Alarm, data.alarm_id) if await db.scalar(_KNOWN, {"id": data.alarm_id}) else None
    if existing is not None:
        if existing.device_id != device.id:
            raise Conflict("报警编号已被其他设备使用", code="alarm_id_taken")
        return existing, False, await recipient_count(db, existing.id)
    if device.kind not in ("edge", "wearable") or device.site_id is None:
        raise Forbidden("只有登记在厂区的边缘节点和手环可以上报报警", code="device_kind")
    kind, _, labels, plan = decide(routing, data.kind)
    site = await site_info(db, device.site_id)
    subject = await _subject(db, device, data.band_id)
    gps = (data.gps.lat, data.gps.lon) if data.gps else None
    xy = (data.position.x, data.position.y) if data.position else None
    area, xy = site.locate(site.area_by_code(data.area_code), xy, gps)
    alarm = Alarm(
        id=data.alarm_id,
        source=device.kind,
        device_id=device.id,
        kind=data.kind,
        tier=kind.tier,
        site_id=site.id,
        area_id=area.id if area else None,
        scope_path=_focus(site, area, subject),
        subject_person_id=subject.id if subject else None,
        x=xy[0] if xy else None,
        y=xy[1] if xy else None,
        lat=gps[0] if gps else None,
        lon=gps[1] if gps else None,
        message=data.message,
        detail=dict(data.detail),
        labels=labels,
        plan=plan,
        raised_at=data.raised_at,
        received_at=now,
    )
    if data.snapshot_jpeg:
        alarm.image_path = store_image(media_dir, alarm.id, now, data.snapshot_jpeg)
    return alarm, True, await _raise(db, alarm, site, area, now)


async def _subject(db: AsyncSession, device: Device, band_id: str | None) -> Person | None:
    """Who a device's alarm is about: a wearable's wearer, or the wearer of the band an edge node relays
    (a band unknown on the site leaves the alarm without a subject: an SOS is never refused for it)."""
    wearer = device.person_id if device.kind == "wearable" else None
    if device.kind == "edge" and band_id:
        wearer = await db.scalar(
            select(Device.person_id).where(
                Device.kind == "wearable", Device.site_id == device.site_id, Device.name == band_id
            )
        )
    return await db.get(Person, wearer) if wearer else None


async def raise_sos(
    db: AsyncSession, who: Principal, data: SosIn, now: datetime, routing: Routing
) -> tuple[Alarm, bool, int]:
    """一键 SOS from a person's phone, located by GPS or a chosen area; the caller's site by default."""
    existing = await db.get(Alarm, data.alarm_id)
    if existing is not None:
        if existing.raised_by != who.person_id:
            raise Conflict("报警编号已被使用", code="alarm_id_taken")
        return existing, False, await recipient_count(db, existing.id)
    kind, _, labels, plan = decide(routing, "sos")
    chosen_area = await db.get(Area, data.area_id) if data.area_id else None
    if data.area_id and chosen_area is None:
        raise Invalid("区域不存在", code="area_unknown")
    site_id = (
        chosen_area.site_id
        if chosen_area
        else await db.scalar(
            select(OrgUnit.id).where(OrgUnit.path.in_(ancestors(who.unit_path)[1:2]), OrgUnit.kind == "site")
        )
    )
    if site_id is None:
        raise Invalid("无法确定您所在的厂区，请选择区域", code="site_unknown")
    site = await site_info(db, site_id)
    person = await db.get(Person, who.person_id)
    gps = (data.gps.lat, data.gps.lon) if data.gps else None
    area, xy = site.locate(site.area(chosen_area.id) if chosen_area else None, None, gps)
    alarm = Alarm(
        id=data.alarm_id,
        source="sos",
        kind="sos",
        tier=kind.tier,
        site_id=site.id,
        area_id=area.id if area else None,
        scope_path=_focus(site, area, person),
        subject_person_id=who.person_id,
        raised_by=who.person_id,
        x=xy[0] if xy else None,
        y=xy[1] if xy else None,
        lat=gps[0] if gps else None,
        lon=gps[1] if gps else None,
        message=data.message,
        detail={"accuracy_m": data.accuracy_m} if data.accuracy_m is not None else {},
        labels=labels,
        plan=plan,
        raised_at=data.raised_at,
        received_at=now,
    )
    return alarm, True, await _raise(db, alarm, site, area, now)


async def recipient_count(db: AsyncSession, alarm_id: uuid.UUID) -> int:
    return int(await db.scalar(select(func.count()).where(AlarmRecipient.alarm_id == alarm_id)) or 0)


_KNOWN = select(Alarm.id).where(Alarm.id == bindparam("id", type_=Uuid()))
_RECIPIENTS_OF = select(AlarmRecipient.person_id).where(
    AlarmRecipient.alarm_id == bindparam("alarm", type_=Uuid())
)
_ADD_RECIPIENT = insert(cast(Table, AlarmRecipient.__table__))


async def _raise(db: AsyncSession, alarm: Alarm, site: SiteInfo, area: AreaInfo | None, now: datetime) -> int:
    """Store, route level 0, arm the escalation; returns how many people it was routed to."""
    # Reads first: on SQLite the first write takes the database's write lock until commit.
    chosen, permit_ids = await _choose(db, alarm, 0, now)
    if permit_ids:
        alarm.plan = {**alarm.plan, "permits": [str(p) for p in permit_ids]}
    place = [site.name, *([area.name] if area else [])]
    db.add(alarm)
    try:
        await db.flush()
    except IntegrityError:  # the same id raised by a request still in flight: retry shortly
        raise Conflict("该报警正在处理中，请稍后重试", code="alarm_in_progress") from None
    queued = await add_recipients(db, alarm, chosen, 0, now, place)
    # Nobody reachable by push at all: escalate now instead of waiting for an answer that cannot come.
    timeout = alarm.plan["ack_timeout_seconds"] if queued else 0
    if alarm.plan["escalation"]:
        await _arm(db, alarm.id, 1, now + timedelta(seconds=timeout), now)
    live(db, alarm)
    return len(chosen)


async def _arm(db: AsyncSession, alarm_id: uuid.UUID, level: int, due: datetime, now: datetime) -> None:
    """The escalation timer for `level` (one statement; a no-op if it exists: nothing is read back)."""
    timer = {
        "kind": ESCALATE,
        "due_at": due,
        "payload": {"alarm_id": str(alarm_id), "level": level},
        "dedupe_key": escalation_key(alarm_id, level),
    }
    await timers.schedule_many(db, [timer], now=now)


async def _choose(
    db: AsyncSession, alarm: Alarm, level: int, now: datetime
) -> tuple[dict[uuid.UUID, Pick], list[uuid.UUID]]:
    """The people escalation `level` adds (0: the tier's roles, by the permit in force if any)."""
    roles = alarm.plan["roles"] if level == 0 else alarm.plan["escalation"][level - 1]
    skip: set[uuid.UUID | None] = {alarm.subject_person_id, alarm.raised_by}
    if level > 0:
        skip |= set(await db.scalars(_RECIPIENTS_OF, {"alarm": alarm.id}))
    return await recipients.choose(
        db,
        roles=roles,
        path=alarm.scope_path,
        area_id=alarm.area_id,
        skip=skip,
        now=now,
        by_permit=level == 0,
    )


async def route_level(db: AsyncSession, alarm: Alarm, level: int, now: datetime) -> int:
    """Add the people of escalation `level` and queue their pushes; returns messages queued."""
    chosen, _ = await _choose(db, alarm, level, now)
    return await add_recipients(db, alarm, chosen, level, now)


async def add_recipients(
    db: AsyncSession,
    alarm: Alarm,
    chosen: dict[uuid.UUID, Pick],
    level: int,
    now: datetime,
    place: list[str] | None = None,
) -> int:
    """Record recipients and queue the alarm's push to their devices, one payload per language.

    Core inserts (one statement each for the recipients and for each language's messages): the
    rows are never read back in this transaction, so the ORM's unit of work would only cost CPU.
    """
    if not chosen:
        return 0
    place = await _place_names(db, alarm) if place is None else place
    rows = [
        {
            "id": uuid7(),
            "alarm_id": alarm.id,
            "person_id": pick.person_id,
            "role": pick.role,
            "level": level,
            "added_at": now,
            "devices": len(pick.devices),
            "stands_in_for": pick.stands_in_for,
        }
        for pick in chosen.values()
    ]
    await db.execute(_ADD_RECIPIENT, rows)
    by_lang: dict[str, list[tuple[uuid.UUID, uuid.UUID]]] = defaultdict(list)
    for pick in chosen.values():
        lang = "en" if pick.locale.startswith("en") else "zh-CN"
        by_lang[lang] += [(device_id, pick.person_id) for device_id in pick.devices]
    queued = 0
    for lang, targets in by_lang.items():
        queued += await push.enqueue_devices(
            db,
            devices=targets,
            payload=push_payload(alarm, lang, place),
            urgency=alarm.plan["urgency"],
            ttl=alarm.plan["ttl"],
            dedupe_key=f"alarm:{alarm.id}",
            now=now,
            kind="alarm",
            ref_id=str(alarm.id),
        )
    return queued


async def _place_names(db: AsyncSession, alarm: Alarm) -> list[str]:
    site = await site_info(db, alarm.site_id)
    area = site.area(alarm.area_id)
    return [site.name, *([area.name] if area else [])]


def push_payload(alarm: Alarm, lang: str, place: list[str]) -> dict[str, Any]:
    """What the service worker shows: small (≤ 3800 bytes), in the recipient's language."""
    title = alarm.labels["title"].get(lang) or alarm.labels["title"]["zh-CN"]
    when = alarm.received_at.astimezone(CHINA).strftime("%H:%M:%S")
    body = " · ".join([*place, *([alarm.message] if alarm.message else []), when])
    ack, view = ACTIONS[lang]
    return {
        "v": 1,
        "type": "alarm",
        "alarm_id": str(alarm.id),
        "tier": alarm.tier,
        "kind": alarm.kind,
        "level": alarm.level,
        "title": title,
        "body": body[:300],
        "tag": f"alarm:{alarm.id}",
        "url": f"/#/alarms/{alarm.id}",
        "require_interaction": alarm.plan["require_interaction"],
        "vibrate": alarm.plan["vibrate"],
        "sound": alarm.plan["sound"],
        "image": f"/api/alarms/{alarm.id}/image.jpg" if alarm.plan["image"] and alarm.image_path else None,
        "raised_at": alarm.received_at.isoformat(),
        "actions": [{"action": "ack", "title": ack}, {"action": "view", "title": view}],
        "texts": SW_TEXTS[lang],
        "lang": lang,
    }


async def locked(db: AsyncSession, alarm_id: uuid.UUID) -> Alarm | None:
    """The alarm, re-read under a row lock (PostgreSQL) so concurrent state changes serialize."""
    return await db.scalar(
        select(Alarm).where(Alarm.id == alarm_id).with_for_update().execution_options(populate_existing=True)
    )


async def escalate(ctx: JobContext) -> None:
    """Timer `alarms.escalate`: still nobody answered, so reach the next level and arm the one after."""
    alarm_id, level = uuid.UUID(ctx.timer.payload["alarm_id"]), int(ctx.timer.payload["level"])
    alarm = await locked(ctx.db, alarm_id)
    if alarm is None or alarm.state not in OPEN_STATES or alarm.level >= level:
        return
    levels = alarm.plan.get("escalation", [])
    if level > len(levels):
        return
    alarm.level, alarm.escalated_at = level, ctx.now
    queued = await route_level(ctx.db, alarm, level, ctx.now)
    if level < len(levels):
        due = ctx.now + timedelta(seconds=alarm.plan["ack_timeout_seconds"] if queued else 0)
        await _arm(ctx.db, alarm.id, level + 1, due, ctx.now)
    live(ctx.db, alarm)


async def on_push_sent(db: AsyncSession, ref_ids: list[str], now: datetime) -> None:
    """Push hook: the first push a push service accepted moves an alarm from raised to notified."""
    alarms = await db.scalars(
        select(Alarm)
        .where(Alarm.id.in_([uuid.UUID(i) for i in ref_ids]), Alarm.state == RAISED)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for alarm in alarms:
        alarm.state, alarm.notified_at = NOTIFIED, now
        live(db, alarm)


def live(db: AsyncSession, alarm: Alarm) -> None:
    """Tell the control-room boards (SSE) once this transaction commits."""
    publish_after_commit(
        db, BOARD_TOPIC, {"type": "alarm", "site_id": str(alarm.site_id), "alarm_id": str(alarm.id)}
    )


async def get_alarm(db: AsyncSession, alarm_id: uuid.UUID) -> Alarm:
    alarm = await db.get(Alarm, alarm_id)
    if alarm is None or alarm.deleted_at is not None:
        raise NotFound("报警不存在", code="alarm_unknown")
    return alarm
