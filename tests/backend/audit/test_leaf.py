"""The leaf encoding is canonical JSON, byte for byte, whatever the strings hold."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from backend.audit.leaf import canonical_json, evidence_data, leaf_data

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)


@given(action=text, actor=st.none() | text, entity_id=text, version=st.none() | st.integers(-(2**40), 2**40))
def test_the_fast_leaf_writer_is_the_canonical_json(action, actor, entity_id, version):
    fields = {
        "action": action,
        "actor": actor,
        "details": "d" * 64,
        "entity": "permit",
        "entity_id": entity_id,
        "entity_version": version,
        "evidence": "e" * 64,
        "index": 12345,
        "time": "2026-11-28T08:00:00.000000Z",
        "v": 1,
    }
    expected = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    written = leaf_data(
        index=12345,
        time=fields["time"],
        actor=actor,
        action=action,
        entity="permit",
        entity_id=entity_id,
        entity_version=version,
        details_digest="d" * 64,
        evidence_digest="e" * 64,
    )
    assert written == expected == canonical_json(fields)


def test_tricky_strings():
    for s in ['引号"与\\反斜杠', "tab\there\nnew", "\x00\x1f\x7f", "\u2028\u2029", "emoji 🔥"]:
        out = leaf_data(
            index=0,
            time="t",
            actor=s,
            action=s,
            entity=s,
            entity_id=s,
            entity_version=None,
            details_digest="",
            evidence_digest="",
        )
        assert json.loads(out)["action"] == s


@given(
    channel=text, ip=text, ua=text, credential=st.none() | text, device=st.none() | text, hlc=st.none() | text
)
def test_the_fast_evidence_writer_is_the_canonical_json(channel, ip, ua, credential, device, hlc):
    fields = {
        "channel": channel,
        "ip": ip,
        "user_agent": ua,
        "credential_id": credential,
        "device_id": device,
        "device_time": hlc,
    }
    expected = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert evidence_data(channel, ip, ua, credential, device, hlc) == expected == canonical_json(fields)
