"""Streaming uploads to a temporary file: memory stays bounded whatever the client sends."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from litestar import Request

from backend.core.errors import Invalid
from backend.media.images import TooLarge


def _tempfile(into: Path) -> tuple[int, str]:
    into.mkdir(parents=True, exist_ok=True)
    return tempfile.mkstemp(dir=into, suffix=".part")


async def receive(request: Request[Any, Any, Any], into: Path, max_bytes: int) -> tuple[Path, str, int]:
    """(temporary file under `into`, SHA-256, size); refused early on a too-large Content-Length,
    and cut off as soon as the stream passes `max_bytes`. The caller moves or deletes the file."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise TooLarge(f"文件超过 {max_bytes // 1048576} MiB", code="upload_too_large")
    fd, name = _tempfile(into)
    path, digest, size = Path(name), hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as out:
            stream: AsyncIterator[bytes] = request.stream()
            async for chunk in stream:
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"文件超过 {max_bytes // 1048576} MiB", code="upload_too_large")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise Invalid("空文件 (empty upload)", code="upload_empty")
    except BaseException:
        os.unlink(path)
        raise
    return path, digest.hexdigest(), size
