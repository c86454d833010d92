"""Settings from the environment (``TLEDGER_*``); command-line options override them."""

from __future__ import annotations

import getpass
import os

from pydantic_settings import BaseSettings, SettingsConfigDict


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name in a bare container: still record something honest
        return "unknown"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TLEDGER_")

    db: str = "sqlite:///tledger.db"
    actor: str = _os_user()


def cipher_env() -> dict[str, str]:
    """Encryption of event payloads at rest, when TLEDGER_CIPHER_KEY is set (AES-256-GCM,
    eventsourcing's cipher). Generate a key with ``tledger db new-key``; keep it outside the
    database: without it the events cannot be read, and a key cannot be rotated in place."""
    key = os.environ.get("TLEDGER_CIPHER_KEY", "")
    if not key:
        return {}
    return {"CIPHER_TOPIC": "eventsourcing.cryptography:AESCipher", "CIPHER_KEY": key}
