"""Enrollment codes, sessions and the principal behind a session token."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn.helpers import bytes_to_base64url

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.models import Challenge, Enrollment, Passkey, WebSession
from backend.auth.principal import Grant, Principal
from backend.core.crypto import token_hash
from backend.core.errors import NotFound, Unauthorized
from backend.people.models import Person, RoleAssignment


async def issue_enrollment(
    db: AsyncSession,
    person_id: uuid.UUID,
    now: datetime,
    ttl: timedelta,
    created_by: uuid.UUID | None = None,
    evidence: Evidence | None = None,
) -> tuple[str, Enrollment]:
    """A fresh one-time code; earlier unused codes of the person stop working. Audited."""
    person = await db.get(Person, person_id)
    if person is None or person.deleted_at is not None:
        raise NotFound("人员不存在", code="person_unknown")
    if person.employment == "left":
        raise Unauthorized("该人员已离职，不能注册", code="person_left")
    voided = 0
    for old in await db.scalars(
        select(Enrollment).where(Enrollment.person_id == person_id, Enrollment.used_at.is_(None))
    ):
        voided += old.expires_at > now
        old.expires_at = min(old.expires_at, now)
    code = secrets.token_urlsafe(18)
    enrollment = Enrollment(
        person_id=person_id, code_hash=token_hash(code), expires_at=now + ttl, created_by=created_by
    )
    db.add(enrollment)
    await db.flush()
    await audit.record(
        db,
        now,
        action="enrollment.issue",
        entity="person",
        entity_id=person.id,
        entity_version=person.version,
        actor_id=created_by,
        details={
            "enrollment_id": str(enrollment.id),
            "expires_at": enrollment.expires_at.isoformat(),
            "voided": voided,
        },
        evidence=evidence,
    )
    return code, enrollment


async def open_session(
    db: AsyncSession,
    person_id: uuid.UUID,
    passkey_id: uuid.UUID | None,
    now: datetime,
    hours: int,
    user_agent: str = "",
    ip: str = "",
) -> str:
    token = secrets.token_urlsafe(32)
    db.add(
        WebSession(
            person_id=person_id,
            token_hash=token_hash(token),
            passkey_id=passkey_id,
            expires_at=now + timedelta(hours=hours),
            user_agent=user_agent[:300],
            ip=ip[:64],
        )
    )
    await db.flush()
    return token


async def close_session(
    db: AsyncSession, token: str, now: datetime, evidence: Evidence | None = None
) -> None:
    """Sign out: the session is revoked and the log records who signed out with which passkey."""
    row = await db.scalar(select(WebSession).where(WebSession.token_hash == token_hash(token)))
    if row is None or row.revoked_at is not None:
        return
    row.revoked_at = now
    passkey = await db.get(Passkey, row.passkey_id) if row.passkey_id else None
    credential = bytes_to_base64url(passkey.credential_id) if passkey else None
    await audit.record(
        db,
        now,
        action="auth.logout",
        entity="person",
        entity_id=row.person_id,
        actor_id=row.person_id,
        details={"session_id": str(row.id)},
        evidence=(evidence or Evidence()).with_credential(credential),
    )


async def principal_for(db: AsyncSession, token: str, now: datetime) -> Principal:
    """The signed-in person behind a session token, with their current grants.

    One statement per request: the session, its passkey, the person and their role grants in one
    join (a row per grant). Nothing is cached, so a revoked session, a person who left or a grant
    withdrawn takes effect at the very next request.
    """
    rows = (
        await db.execute(
            select(
                WebSession.id,
                WebSession.revoked_at,
                WebSession.expires_at,
                Passkey.credential_id,
                Person.id,
                Person.name,
                Person.unit_path,
                Person.employment,
                Person.deleted_at,
                RoleAssignment.role,
                RoleAssignment.scope_path,
            )
            .select_from(WebSession)
            .outerjoin(Passkey, Passkey.id == WebSession.passkey_id)
            .outerjoin(Person, Person.id == WebSession.person_id)
            .outerjoin(
                RoleAssignment,
                and_(RoleAssignment.person_id == Person.id, RoleAssignment.deleted_at.is_(None)),
            )
            .where(WebSession.token_hash == token_hash(token))
        )
    ).all()
    if not rows:
        raise Unauthorized("请先登录", code="not_signed_in")
    session_id, revoked_at, expires_at, credential, person_id, name, unit_path, employment, deleted_at = rows[
        0
    ][:9]
    if revoked_at is not None or expires_at <= now:
        raise Unauthorized("请先登录", code="not_signed_in")
    if person_id is None or deleted_at is not None or employment != "active":
        raise Unauthorized("账号已停用", code="person_inactive")
    return Principal(
        person_id=person_id,
        name=name,
        unit_path=unit_path,
        grants=tuple(Grant(role, path) for *_, role, path in rows if role is not None),
        session_id=session_id,
        credential_id=bytes_to_base64url(credential) if credential else None,
    )


async def principal_of(db: AsyncSession, person: Person, session_id: uuid.UUID | None = None) -> Principal:
    grants = (
        await db.execute(
            select(RoleAssignment.role, RoleAssignment.scope_path).where(
                RoleAssignment.person_id == person.id, RoleAssignment.deleted_at.is_(None)
            )
        )
    ).all()
    return Principal(
        person_id=person.id,
        name=person.name,
        unit_path=person.unit_path,
        grants=tuple(Grant(role, path) for role, path in grants),
        session_id=session_id,
    )


def home_tabs(roles: frozenset[str]) -> list[str]:
    """The PWA's home tabs for a set of roles, in a fixed order."""
    tabs = []
    if "worker" in roles:
        tabs.append("worker")
    if "guardian" in roles:
        tabs.append("guardian")
    if "inspector" in roles:
        tabs.append("inspector")
    if roles & {"team_leader", "safety_officer", "workshop_director", "vice_president", "hr", "admin"}:
        tabs.append("manager")
    return tabs or ["worker"]


async def purge_expired(db: AsyncSession, now: datetime, keep_sessions: timedelta) -> tuple[int, int, int]:
    """Delete expired challenges and enrollment codes, and sessions dead for `keep_sessions`."""
    expired_enrollments = select(Enrollment.id).where(Enrollment.expires_at < now)
    # Challenges first: a registration challenge points at its enrollment (FK).
    challenges = await db.execute(
        delete(Challenge)
        .where(or_(Challenge.expires_at < now, Challenge.enrollment_id.in_(expired_enrollments)))
        .execution_options(synchronize_session=False)
    )
    enrollments = await db.execute(
        delete(Enrollment).where(Enrollment.expires_at < now).execution_options(synchronize_session=False)
    )
    cutoff = now - keep_sessions
    sessions = await db.execute(
        delete(WebSession)
        .where(or_(WebSession.expires_at < cutoff, WebSession.revoked_at < cutoff))
        .execution_options(synchronize_session=False)
    )
    return (
        getattr(challenges, "rowcount", 0),
        getattr(enrollments, "rowcount", 0),
        getattr(sessions, "rowcount", 0),
    )
