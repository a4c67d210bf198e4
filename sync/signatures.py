"""Verifying the passkey assertion an approver made over an operation, online or offline."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from webauthn import verify_authentication_response
from webauthn.helpers.exceptions import InvalidAuthenticationResponse

from sync.rules import Reject


def credential_id_of(assertion: Mapping[str, Any]) -> bytes | None:
    """The raw credential id an assertion names, or None if it names none."""
    raw = assertion.get("rawId")
    if not isinstance(raw, str):
        return None
    try:
        return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    except ValueError:
        return None


def verify_op_assertion(
    assertion: dict[str, Any], challenge: bytes, public_key: bytes, rp_id: str, origin: str
) -> None:
    """Raise Reject unless `assertion` is a user-verified signature over `challenge` by this key.

    The signature counter is not compared: an approval signed offline may reach the server after
    a later online sign-in raised the counter, and replay is already excluded because the
    challenge is the op's own hash and each op id is decided once.
    """
    try:
        verify_authentication_response(
            credential=assertion,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=public_key,
            credential_current_sign_count=0,
            require_user_verification=True,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise Reject("signature_invalid", f"签名无效: {exc}") from None
