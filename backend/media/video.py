"""Video containers through PyAV (FFmpeg): probe codec and duration, sample frames, bounded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from backend.core.errors import Invalid

CONTAINERS = {"mp4", "mov", "webm", "matroska", "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"}
CODECS = {"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"}


@dataclass(frozen=True)
class Probe:
    container: str
    codec: str
    duration_s: float
    width: int
    height: int


def probe(path: Path) -> Probe:
    """Container, codec and duration, or `Invalid` saying why the file is not a usable video."""
    import av

    try:
        with av.open(str(path)) as box:
            streams = box.streams.video
            if not streams:
                raise Invalid("文件中没有视频轨 (no video stream)", code="video_no_stream")
            stream = streams[0]
            codec = stream.codec_context.name
            if box.format.name not in CONTAINERS:
                raise Invalid(f"不支持的容器格式 {box.format.name}", code="video_container")
            if codec not in CODECS:
                raise Invalid(f"不支持的视频编码 {codec}", code="video_codec")
            duration = float(box.duration / av.time_base) if box.duration else 0.0
            if not duration and stream.duration and stream.time_base:
                duration = float(stream.duration * stream.time_base)
            if not duration:  # WebM from MediaRecorder carries no duration: count to the end
                last = 0.0
                for packet in box.demux(stream):
                    if packet.pts is not None and packet.time_base is not None:
                        last = max(last, float(packet.pts * packet.time_base))
                duration = last
            return Probe(box.format.name, codec, duration, stream.width, stream.height)
    except Invalid:
        raise
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise Invalid(f"无法读取视频: {exc}", code="video_corrupt") from None


def sample_frames(
    path: Path, count: int = 40, max_side: int = 480, max_seconds: float = 20.0
) -> list[np.ndarray]:
    """Up to `count` RGB frames spread over the first `max_seconds`, each at most `max_side`."""
    import av

    info = probe(path)
    span = min(info.duration_s, max_seconds) or max_seconds
    step = span / count
    out: list[np.ndarray] = []
    next_at = 0.0
    try:
        with av.open(str(path)) as box:
            for frame in box.decode(video=0):
                t = float(frame.time) if frame.time is not None else next_at
                if t > max_seconds or len(out) >= count:
                    break
                if t + 1e-6 < next_at:
                    continue
                scale = max_side / max(frame.width, frame.height)
                if scale < 1:
                    frame = frame.reformat(
                        width=int(frame.width * scale) // 2 * 2, height=int(frame.height * scale) // 2 * 2
                    )
                out.append(frame.to_ndarray(format="rgb24"))
                next_at = t + step
    except av.FFmpegError as exc:
        raise Invalid(f"视频解码失败: {exc}", code="video_corrupt") from None
    return out


def write_clip(path: Path, frames: list[np.ndarray], fps: int = 10, codec: str = "libvpx") -> None:
    """Encode RGB frames (tests, the bench and demo clips): WebM/VP8 by default."""
    import av

    h, w = frames[0].shape[:2]
    with av.open(str(path), "w") as box:
        stream: Any = box.add_stream(codec, rate=fps)
        stream.width, stream.height = w - w % 2, h - h % 2
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(
                np.ascontiguousarray(rgb[: h - h % 2, : w - w % 2]), format="rgb24"
            )
            for packet in stream.encode(frame):
                box.mux(packet)
        for packet in stream.encode():
            box.mux(packet)
