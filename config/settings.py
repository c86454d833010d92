"""Settings from the environment (``TLEDGER_*``); command-line options override them."""

from __future__ import annotations

import getpass

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
