"""Audit metadata carried by every event: who, by which command, from which file line."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Stored on events as a plain dict so the event log stays readable without this class.
AuditDict = dict[str, Any]


@dataclass(frozen=True)
class Audit:
    actor: str
    command: str
    file_sha256: str | None = None
    file_name: str | None = None

    def as_dict(self, line: int | None = None) -> AuditDict:
        """The event's ``audit`` attribute; ``line`` is the source line of imported data."""
        data: AuditDict = {"actor": self.actor, "command": self.command}
        if self.file_sha256 is not None:
            data["file_sha256"] = self.file_sha256
            data["file_name"] = self.file_name
        if line is not None:
            data["line"] = line
        return data

    def for_file(self, sha256: str, name: str) -> Audit:
        return Audit(self.actor, self.command, sha256, name)
