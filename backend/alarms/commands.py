"""The alarm domain's sync commands: an acknowledgement or an SOS made offline, decided at push time.

Both call the same service functions as `POST /api/alarms/{id}/ack` and `POST /api/alarms/sos`.
"""

from __future__ import annotations

from backend.alarms import actions, service
from backend.alarms.models import ACKNOWLEDGED, RESOLVED, Alarm
from backend.alarms.routing import load_routing
from backend.alarms.schemas import AckOp, SosIn, SosOp
from backend.core.errors import DomainError
from backend.db.changes import snapshot
from backend.people.models import Person
from backend.sync.context import SyncContext, command
from sync.messages import EntityState, Operation
from sync.rules import Effect, Registry, Reject, Rule, Stamp


def _current(alarm: Alarm) -> EntityState:
    return EntityState(entity="alarm", entity_id=alarm.id, version=alarm.version, data=snapshot(alarm))


async def _answered_by_other(ctx: SyncContext, alarm: Alarm) -> Reject:
    who = await ctx.db.get(Person, alarm.acknowledged_by) if alarm.acknowledged_by else None
    name = who.name if who else "他人"
    when = (
        alarm.acknowledged_at.astimezone(service.CHINA).strftime("%H:%M:%S") if alarm.acknowledged_at else ""
    )
    return Reject("alarm_already_acknowledged", f"该报警已由 {name} 于 {when} 确认", _current(alarm))


@command("alarm.ack", Rule.GUARDED, AckOp, "alarm")
async def acknowledge(ctx: SyncContext, op: Operation, args: AckOp, stamp: Stamp) -> Effect:
    """An acknowledgement queued offline (app or notification): the guarded rule of `actions.acknowledge`,
    re-checked now against the alarm and the caller's current rights.

    Unlike the REST call (where a second responder simply succeeds), a phone that acknowledged
    offline believed it was answering an open alarm; if someone else answered first it is told who
    and when (`alarm_already_acknowledged`) with the alarm as it is now. Acknowledging again what the
    same person already acknowledged (the app and the notification both) is simply applied.
    """
    try:
        alarm = await actions.acknowledge(ctx.db, ctx.principal, op.entity_id, ctx.now)
    except DomainError as exc:
        found = await ctx.db.get(Alarm, op.entity_id)
        current = _current(found) if found is not None and exc.code == "alarm_resolved" else None
        raise Reject(exc.code, exc.detail, current) from None
    if alarm.state in (ACKNOWLEDGED, RESOLVED) and alarm.acknowledged_by != ctx.principal.person_id:
        raise await _answered_by_other(ctx, alarm)  # nothing was written: the alarm was already answered
    return Effect(target=alarm)


@command("alarm.sos", Rule.APPEND, SosOp, "alarm")
async def raise_sos(ctx: SyncContext, op: Operation, args: SosOp, stamp: Stamp) -> Effect:
    """一键 SOS pressed without signal: raised when it arrives, routed and pushed like any SOS.

    The KPI clock starts at our receipt (SYNC.md: a phone's clock never backdates it); the phone's
    `raised_at` is kept beside it. The same alarm id again is the same SOS.
    """
    data = SosIn(
        alarm_id=op.entity_id,
        raised_at=args.raised_at,
        gps=args.gps,
        accuracy_m=args.accuracy_m,
        area_id=args.area_id,
        message=args.message,
    )
    alarm, _, _ = await service.raise_sos(
        ctx.db, ctx.principal, data, ctx.now, load_routing(ctx.settings.alarm_routing)
    )
    return Effect(target=alarm)


def register(registry: Registry[SyncContext]) -> None:
    registry.add(acknowledge)
    registry.add(raise_sos)
