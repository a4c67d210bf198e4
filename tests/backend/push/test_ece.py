"""RFC 8291 decryption, written from the RFC: its own test vector, and pywebpush's output."""

from __future__ import annotations

import pytest

from backend.push.ece import DecryptError, UserAgentKeys, _b64d, decrypt, keys_from_private
from backend.push.webpush import Target, encrypt, encrypt_with_pywebpush

# RFC 8291 Appendix A: user agent keys, auth secret and the final message.
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
MESSAGE = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEq"
    "KK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)


def test_decrypts_the_rfc_8291_example():
    keys = keys_from_private(UA_PRIVATE, AUTH)
    assert keys.subscription_keys()["p256dh"] == UA_PUBLIC
    assert decrypt(_b64d(MESSAGE), keys) == b"When I grow up, I want to be a watermelon"


def test_decrypts_what_pywebpush_encrypts_and_nothing_else():
    browser, stranger = UserAgentKeys.generate(), UserAgentKeys.generate()
    subscription = browser.subscription_keys()
    body = encrypt(
        Target("https://push.example/x", subscription["p256dh"], subscription["auth"]), "一级报警".encode()
    )
    assert decrypt(body, browser).decode() == "一级报警"
    with pytest.raises(DecryptError):
        decrypt(body, stranger)
    tampered = body[:-1] + bytes([body[-1] ^ 1])
    with pytest.raises(DecryptError):
        decrypt(tampered, browser)


def test_our_encryption_is_pywebpushs_without_the_per_message_overhead():
    browser = UserAgentKeys.generate()
    subscription = browser.subscription_keys()
    target = Target("https://push.example/x", subscription["p256dh"], subscription["auth"])
    ours, theirs = encrypt(target, b"alarm"), encrypt_with_pywebpush(target, b"alarm")
    assert decrypt(ours, browser) == decrypt(theirs, browser) == b"alarm"
    # same RFC 8188 header layout (salt 16, record size 4096, key id = a 65-byte ephemeral key) …
    assert ours[16:21] == theirs[16:21] == bytes([0, 0, 16, 0, 65])
    # … and a fresh salt and ephemeral key for every message (RFC 8291 §3.1)
    again = encrypt(target, b"alarm")
    assert again[:16] != ours[:16] and again[21:86] != ours[21:86]
