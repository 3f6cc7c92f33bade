"""Recognising the pictures the simulator may show inline: PNG, JPEG, GIF and WebP, by their first bytes."""

from __future__ import annotations

SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}


def image_type(content: bytes) -> str | None:
    """Return the MIME type of PNG, JPEG, GIF or WebP bytes, or None for anything else."""
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for signature, kind in SIGNATURES.items() if content.startswith(signature)), None)
