"""WebAuthn ceremonies with the `webauthn` package; challenges live in the database."""

from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from webauthn import (
    base64url_to_bytes,
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import bytes_to_base64url
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from backend.audit import service as audit
from backend.audit.schemas import Evidence
from backend.auth.models import Challenge, Enrollment, Passkey
from backend.config import Settings
from backend.core.crypto import token_hash
from backend.core.errors import Invalid, NotFound, Unauthorized
from backend.people.models import Person

CHALLENGE_TTL = timedelta(minutes=5)


async def _enrollment(db: AsyncSession, code: str, now: datetime) -> Enrollment:
    enrollment = await db.scalar(select(Enrollment).where(Enrollment.code_hash == token_hash(code)))
    if enrollment is None:
        raise NotFound("注册码无效", code="enrollment_unknown")
    if enrollment.used_at is not None:
        raise Invalid("注册码已使用过，请联系管理员重新生成", code="enrollment_used")
    if enrollment.expires_at <= now:
        raise Invalid("注册码已过期，请联系管理员重新生成", code="enrollment_expired")
    return enrollment


async def _take_challenge(
    db: AsyncSession, challenge_id: uuid.UUID, purpose: str, now: datetime
) -> Challenge:
    """Single use: a challenge is marked used before verification so a replay always fails."""
    row = await db.get(Challenge, challenge_id, with_for_update=True)
    if row is None or row.purpose != purpose or row.used_at is not None or row.expires_at <= now:
        raise Unauthorized("验证请求已失效，请重试", code="challenge_invalid")
    row.used_at = now
    return row


async def registration_options(
    db: AsyncSession, settings: Settings, code: str, now: datetime
) -> tuple[Challenge, dict[str, Any], Person]:
    enrollment = await _enrollment(db, code, now)
    person = await db.get(Person, enrollment.person_id)
    assert person is not None
    existing = (await db.scalars(select(Passkey.credential_id).where(Passkey.person_id == person.id))).all()
    options = generate_registration_options(
        rp_id=settings.rp_id,
        rp_name="特作 Tezuo",
        user_id=person.webauthn_user_id,
        user_name=person.id_number_masked,
        user_display_name=person.name,
        challenge=os.urandom(32),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.REQUIRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=c) for c in existing],
    )
    challenge = Challenge(
        purpose="register",
        challenge=options.challenge,
        enrollment_id=enrollment.id,
        expires_at=now + CHALLENGE_TTL,
    )
    db.add(challenge)
    await db.flush()
    return challenge, json.loads(options_to_json(options)), person


async def finish_registration(
    db: AsyncSession,
    settings: Settings,
    challenge_id: uuid.UUID,
    code: str,
    credential: dict[str, Any],
    label: str,
    now: datetime,
    evidence: Evidence | None = None,
) -> Passkey:
    """Verify the new credential, store it, use up the code, and record it in the audit log."""
    enrollment = await _enrollment(db, code, now)
    challenge = await _take_challenge(db, challenge_id, "register", now)
    if challenge.enrollment_id != enrollment.id:
        raise Unauthorized("验证请求与注册码不匹配", code="challenge_invalid")
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=challenge.challenge,
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise Invalid(f"通行密钥注册验证失败: {exc}", code="passkey_invalid") from None
    enrollment.used_at = now
    transports = credential.get("response", {}).get("transports") or []
    passkey = Passkey(
        person_id=enrollment.person_id,
        credential_id=verified.credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(str(t) for t in transports)[:200],
        label=label[:120],
        last_used_at=now,
    )
    db.add(passkey)
    await db.flush()
    person = await db.get(Person, passkey.person_id)
    await audit.record(
        db,
        now,
        action="passkey.register",
        entity="person",
        entity_id=passkey.person_id,
        entity_version=person.version if person else None,
        actor_id=passkey.person_id,
        details={"passkey_id": str(passkey.id), "label": passkey.label, "enrollment_id": str(enrollment.id)},
        evidence=(evidence or Evidence()).with_credential(bytes_to_base64url(passkey.credential_id)),
    )
    return passkey


async def login_options(
    db: AsyncSession, settings: Settings, now: datetime
) -> tuple[Challenge, dict[str, Any]]:
    """Username-less sign-in: the authenticator offers its discoverable credential."""
    options = generate_authentication_options(
        rp_id=settings.rp_id,
        challenge=os.urandom(32),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    challenge = Challenge(purpose="login", challenge=options.challenge, expires_at=now + CHALLENGE_TTL)
    db.add(challenge)
    await db.flush()
    return challenge, json.loads(options_to_json(options))


async def finish_login(
    db: AsyncSession,
    settings: Settings,
    challenge_id: uuid.UUID,
    credential: dict[str, Any],
    now: datetime,
    evidence: Evidence | None = None,
) -> Passkey:
    """Check the assertion and its signature counter; a successful sign-in is audited."""
    challenge = await _take_challenge(db, challenge_id, "login", now)
    try:
        raw_id = base64url_to_bytes(str(credential["rawId"]))
    except (KeyError, ValueError, TypeError):
        raise Invalid("凭据格式错误", code="passkey_invalid") from None
    passkey = await db.scalar(select(Passkey).where(Passkey.credential_id == raw_id))
    if passkey is None:
        raise Unauthorized("此通行密钥未在本系统注册", code="passkey_unknown")
    try:
        verified = verify_authentication_response(
            credential=credential,
            expected_challenge=challenge.challenge,
            expected_rp_id=settings.rp_id,
            expected_origin=settings.origin,
            credential_public_key=passkey.public_key,
            credential_current_sign_count=passkey.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise Unauthorized(f"通行密钥验证失败: {exc}", code="passkey_invalid") from None
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now
    await audit.record(
        db,
        now,
        action="auth.login",
        entity="person",
        entity_id=passkey.person_id,
        actor_id=passkey.person_id,
        details={"passkey_id": str(passkey.id), "sign_count": passkey.sign_count},
        evidence=(evidence or Evidence()).with_credential(bytes_to_base64url(passkey.credential_id)),
    )
    return passkey
