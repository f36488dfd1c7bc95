"""Payload key rotation: a new newest key; older keys stay to decrypt older histories."""

from __future__ import annotations

from app.bootstrap import Services
from app.errors import BadInput, VaktError
from infra.codec import ENV_KEYS, KEY_FILE, PayloadKeyError, rotate_key_file
import os


async def rotate_payload_key(services: Services) -> str:
    """Prepend a new key to the key file and return its id (never the key)."""
    if os.environ.get(ENV_KEYS, "").strip():
        raise BadInput(f"{ENV_KEYS} is set: rotate by putting a new key in front of it (ID:BASE64,…)")
    try:
        return rotate_key_file(services.settings.data_dir / KEY_FILE).id
    except PayloadKeyError as e:
        raise VaktError(f"payload keys: {e}") from None
