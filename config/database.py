"""Database URLs: ``sqlite:///PATH`` (the default, no set-up) or
``postgresql://USER[:PASSWORD]@HOST[:PORT]/DBNAME``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


class DatabaseURLError(ValueError):
    pass


@dataclass(frozen=True)
class DatabaseURL:
    url: str
    dialect: str  # "sqlite" or "postgresql"
    sqlite_path: str = ""
    pg_dbname: str = ""
    pg_host: str = ""
    pg_port: int = 5432
    pg_user: str = ""
    pg_password: str = ""

    @property
    def conninfo(self) -> str:
        """psycopg connection string (PostgreSQL only)."""
        parts = {
            "dbname": self.pg_dbname,
            "host": self.pg_host,
            "port": str(self.pg_port),
            "user": self.pg_user,
            "password": self.pg_password,
        }
        return " ".join(f"{k}={_quote(v)}" for k, v in parts.items() if v)

    def eventsourcing_env(self) -> dict[str, str]:
        """Environment for ``eventsourcing``'s persistence modules."""
        if self.dialect == "sqlite":
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": self.sqlite_path,
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "projections.event_store:BatchingSQLiteRecorder",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": self.pg_dbname,
            "POSTGRES_HOST": self.pg_host,
            "POSTGRES_PORT": str(self.pg_port),
            "POSTGRES_USER": self.pg_user,
            "POSTGRES_PASSWORD": self.pg_password,
            # Writers queue on the table lock for at most this many seconds, then fail cleanly.
            "POSTGRES_LOCK_TIMEOUT": "30",
            "POSTGRES_POOL_SIZE": "2",
            "APPLICATION_RECORDER_TOPIC": "projections.event_store:CopyingPostgresRecorder",
        }

    def __str__(self) -> str:
        """The URL without its password (safe to print and log)."""
        if self.dialect == "sqlite":
            return self.url
        user = f"{self.pg_user}@" if self.pg_user else ""
        return f"postgresql://{user}{self.pg_host}:{self.pg_port}/{self.pg_dbname}"


def _quote(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def _redact(url: str) -> str:
    """The URL with any password replaced by ***, for error messages."""
    scheme, sep, rest = url.partition("://")
    credentials, at, host = rest.rpartition("@")
    if not sep or not at or ":" not in credentials:
        return url
    return f"{scheme}://{credentials.split(':', 1)[0]}:***@{host}"


def parse_database_url(url: str) -> DatabaseURL:
    """Parse ``--db``/``TLEDGER_DB``; ``sqlite:///rel.db`` is relative, ``sqlite:////abs.db`` absolute."""
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        if not path:
            raise DatabaseURLError(f"database URL '{url}' has no file path: use sqlite:///tledger.db")
        if path == ":memory:":
            raise DatabaseURLError("an in-memory SQLite database would vanish after each command")
        parent = Path(path).parent
        if not parent.exists():
            raise DatabaseURLError(f"database URL '{url}': folder '{parent}' does not exist")
        return DatabaseURL(url=url, dialect="sqlite", sqlite_path=path)
    parts = urlsplit(url)
    shown = _redact(url)
    if parts.scheme in ("postgresql", "postgres"):
        dbname = unquote(parts.path.lstrip("/"))
        if not dbname or not parts.hostname:
            raise DatabaseURLError(
                f"database URL '{shown}' needs a host and a database: postgresql://USER@HOST:PORT/DBNAME"
            )
        try:
            port = parts.port or 5432
        except ValueError:  # urlsplit's own message would reach the user as a traceback
            raise DatabaseURLError(
                f"database URL '{shown}': the port must be a number from 1 to 65535"
            ) from None
        return DatabaseURL(
            url=url,
            dialect="postgresql",
            pg_dbname=dbname,
            pg_host=parts.hostname,
            pg_port=port,
            pg_user=unquote(parts.username or ""),
            pg_password=unquote(parts.password or ""),
        )
    raise DatabaseURLError(
        f"database URL '{shown}' is not sqlite:///PATH or postgresql://USER@HOST:PORT/DBNAME"
    )
