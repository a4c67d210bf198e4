"""Signed-guarded ops verified against real passkeys, and per-op atomicity when a handler fails.

The commands here are test-only, registered into the app's registry the way a domain does;
the permit engine will register `permit.approve` the same way.
"""

from __future__ import annotations

import uuid

import msgspec
from sqlalchemy import select

from backend.auth.models import Device
from backend.core.errors import Invalid, NotFound
from backend.db.engine import transaction
from backend.people.models import Person
from backend.sync.context import SyncContext, command
from backend.sync.models import SyncOpResult
from backend.sync.registry import build_registry
from sync.canonical import op_challenge
from sync.messages import Operation
from sync.rules import Effect, Rule, Stamp
from tests.backend.auth.authenticator import SoftAuthenticator, b64u
from tests.backend.auth.test_passkey_login import _enroll, _enrollment_code, _login
from tests.backend.sync.helpers import Phone
from tests.factories import make_person


class SignOffIn(msgspec.Struct, forbid_unknown_fields=True):
    note: str = ""


@command("test.sign_off", Rule.SIGNED_GUARDED, SignOffIn, "person")
async def sign_off(ctx: SyncContext, op: Operation, args: SignOffIn, stamp: Stamp) -> Effect:
    person = await ctx.db.get(Person, op.entity_id)
    if person is None:
        raise NotFound("人员不存在", code="person_unknown")
    if person.employment != "active":
        raise Invalid("人员已停用", code="state_changed")
    return Effect(target=person)


@command("test.explode", Rule.APPEND, SignOffIn, "person")
async def explode(ctx: SyncContext, op: Operation, args: SignOffIn, stamp: Stamp) -> Effect:
    raise RuntimeError("a bug in a handler")


@command("test.clash", Rule.APPEND, SignOffIn, "person")
async def clash(ctx: SyncContext, op: Operation, args: SignOffIn, stamp: Stamp) -> Effect:
    ctx.db.add(Device(id=ctx.device_id, kind="phone", name="same id twice"))  # fails at flush
    return Effect(target=await ctx.db.get(Person, op.entity_id))


@command("test.write_then_refuse", Rule.GUARDED, SignOffIn, "person")
async def write_then_refuse(ctx: SyncContext, op: Operation, args: SignOffIn, stamp: Stamp) -> Effect:
    """Breaks the handler contract (refuses after writing), as a careless domain might."""
    ctx.db.add(Device(id=uuid.uuid4(), kind="phone", name="must not survive"))
    raise Invalid("refused after writing", code="too_late")


def _with_test_commands(client):
    registry = build_registry()
    for extra in (sign_off, explode, clash, write_then_refuse):
        registry.add(extra)
    client.app.state.sync_registry = registry
    return client


async def _enrolled(app_client, sessionmaker, settings, clock, org):
    auth = SoftAuthenticator()
    code = await _enrollment_code(sessionmaker, settings, clock, org, [("safety_officer", org.site_a)])
    res = await _enroll(app_client, code, auth)
    assert res.status_code == 200, res.text
    return auth, uuid.UUID(res.json()["person_id"])


def _signed(auth: SoftAuthenticator, op: dict) -> dict:
    assertion = auth.get({"rpId": "localhost", "challenge": b64u(op_challenge(op))})
    return {**op, "signature": assertion}


async def _push(client, phone, *ops):
    res = await client.post("/api/sync/push", json=phone.body(*ops))
    assert res.status_code == 200, res.text
    return [(r["status"], r.get("code")) for r in res.json()["results"]]


async def test_an_offline_signature_verifies_against_the_registered_passkey(
    app_client, sessionmaker, settings, clock, org
):
    client = _with_test_commands(app_client)
    auth, me = await _enrolled(client, sessionmaker, settings, clock, org)
    phone = Phone(clock)
    good = _signed(auth, phone.op("test.sign_off", "person", me, {"note": "同意"}, base_version=1))
    tampered = _signed(auth, phone.op("test.sign_off", "person", me, {"note": "同意"}))
    tampered["args"] = {"note": "改过"}
    unsigned = phone.op("test.sign_off", "person", me, {})
    # a later online sign-in raises the counter; the earlier offline signature still counts
    assert (await _login(client, auth)).status_code == 200
    assert await _push(client, phone, good, tampered, unsigned) == [
        ("applied", None),
        ("rejected", "signature_invalid"),
        ("rejected", "signature_missing"),
    ]


async def test_a_signature_by_someone_elses_passkey_is_refused(
    app_client, sessionmaker, settings, clock, org
):
    client = _with_test_commands(app_client)
    other_auth, _ = await _enrolled(client, sessionmaker, settings, clock, org)
    await client.post("/api/auth/logout")
    _, me = await _enrolled(client, sessionmaker, settings, clock, org)
    phone = Phone(clock)
    forged = _signed(other_auth, phone.op("test.sign_off", "person", me, {}))
    assert await _push(client, phone, forged) == [("rejected", "signature_invalid")]


async def test_the_guard_is_checked_against_the_state_at_push_time(
    app_client, sessionmaker, settings, clock, org
):
    client = _with_test_commands(app_client)
    auth, _ = await _enrolled(client, sessionmaker, settings, clock, org)
    async with transaction(sessionmaker) as db:
        worker = await make_person(db, settings.secret_key, org.team_a, "赵铁柱")
    phone = Phone(clock)
    op = _signed(auth, phone.op("test.sign_off", "person", worker.id, {}))  # signed offline
    async with transaction(sessionmaker) as db:
        (await db.get(Person, worker.id)).employment = "suspended"  # meanwhile, on the server
    res = await client.post("/api/sync/push", json=phone.body(op))
    [result] = res.json()["results"]
    assert result["status"] == "rejected" and result["code"] == "state_changed"
    assert result["reason"] == "人员已停用"


async def test_a_failing_handler_is_deferred_and_the_others_still_apply(
    app_client, sessionmaker, settings, clock, org
):
    client = _with_test_commands(app_client)
    _, me = await _enrolled(client, sessionmaker, settings, clock, org)
    phone = Phone(clock)
    ops = [
        phone.contact(me, phone="13911110000"),
        phone.op("test.explode", "person", me, {}),
        phone.op("test.clash", "person", me, {}),
        phone.contact(me, locale="en"),
    ]
    assert await _push(client, phone, *ops) == [
        ("applied", None),
        ("deferred", "server_error"),
        ("deferred", "server_error"),
        ("applied", None),
    ]
    async with sessionmaker() as db:
        person = await db.get(Person, me)
        assert (person.phone, person.locale, person.version) == ("13911110000", "en", 2)
        kinds = (await db.scalars(select(SyncOpResult.kind))).all()
    assert sorted(kinds) == ["worker.update_contact"] * 2  # deferred ops are not stored: retried later


async def test_a_handler_that_refuses_after_writing_leaves_nothing_behind(
    app_client, sessionmaker, settings, clock, org
):
    client = _with_test_commands(app_client)
    _, me = await _enrolled(client, sessionmaker, settings, clock, org)
    phone = Phone(clock)
    ops = [
        phone.contact(me, phone="13911110000"),
        phone.op("test.write_then_refuse", "person", me, {}),
        phone.contact(me, locale="en"),
    ]
    assert await _push(client, phone, *ops) == [
        ("applied", None),
        ("rejected", "too_late"),
        ("applied", None),
    ]
    async with sessionmaker() as db:
        names = (await db.scalars(select(Device.name))).all()
        person = await db.get(Person, me)
    assert "must not survive" not in names
    assert (person.phone, person.locale, person.version) == ("13911110000", "en", 2)
