"""Payment operators: how each one names its file's columns and its statuses.

An operator without a file reads files with the canonical headers
(``CANONICAL_COLUMNS``) and the default status words. An operator's file,
``config/operators/<code>.toml``, adds its own header names and words::

    code = "orange-money"          # required; the file name without .toml
    name = "Orange Money Mali"     # required; shown to people

    [columns]                      # optional; file header -> canonical column
    "ID Transaction" = "operator_txn_id"
    "Montant" = "amount"

    [status_words]                 # optional; word -> success | failed | pending
    "Transféré" = "success"

Headers are compared after :func:`intake.tabular.normalise_header` (case,
spaces and '-' do not matter); status words after :func:`intake.fields.fold`
(case and accents do not matter). An operator's words are added to the
defaults and may override one of them. Unknown keys are errors.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from config.programs import SHIPPED
from intake.fields import fold
from intake.tabular import normalise_header
from reconciliation.payout_row import FAILED, PENDING, STATUSES, SUCCESS

SHIPPED_OPERATORS = SHIPPED.parent / "operators"


DEFAULT_STATUS_WORDS: Mapping[str, str] = {
    **dict.fromkeys(("success", "paid", "ok", "payé", "réussi", "succès", "ACSC", "ACCC"), SUCCESS),
    **dict.fromkeys(("failed", "échec", "échoué", "rejeté", "RJCT"), FAILED),
    # ACTC, ACCP and RCVD (pain.002) say the instruction was received or accepted, not paid.
    **dict.fromkeys(("pending", "en attente", "PDNG", "ACSP", "ACTC", "ACCP", "RCVD"), PENDING),
}
"""Status words every operator may use, as written (matched after :func:`fold`)."""

_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")

Canonical = Literal[
    "operator_txn_id",
    "reference",
    "household_id",
    "msisdn",
    "amount",
    "currency",
    "paid_at",
    "status",
    "reason",
]
CANONICAL_COLUMNS: tuple[str, ...] = get_args(Canonical)


class OperatorConfigError(ValueError):
    """An operator file that cannot be used; the message names the file and the field."""


@dataclass(frozen=True)
class OperatorConfig:
    """How to read one operator's payout files."""

    code: str
    name: str
    columns: dict[str, str]  # normalised file header -> canonical column
    status_words: dict[str, str]  # fold(word) -> SUCCESS | FAILED | PENDING

    def status_of(self, word: str) -> str | None:
        """The status a word stands for ('Payé', 'PAYE', 'ACSC'...), or None if unknown."""
        return self.status_words.get(fold(word))

    def parse_status(self, word: str) -> str:
        """The status a word stands for; ValueError listing the accepted words if unknown."""
        status = self.status_of(word)
        if status is None:
            groups = [
                f"{wanted} ({', '.join(w for w, s in self.status_words.items() if s == wanted)})"
                for wanted in STATUSES
            ]
            raise ValueError(f"unknown status: use a word for {groups[0]}, {groups[1]} or {groups[2]}")
        return status


class _OperatorModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=_CODE.pattern.join("^$"))
    name: str = Field(min_length=1, max_length=200)
    columns: dict[str, Canonical] = {}
    status_words: dict[str, Literal["success", "failed", "pending"]] = {}


def load_operator(code: str, directory: Path | None = None) -> OperatorConfig:
    """Read ``<code>.toml`` from ``directory`` (default: the shipped operators).

    Without such a file the operator reads canonical headers and default status
    words. Raises OperatorConfigError naming the file and the field.
    """
    key = code.strip().lower()
    folder = SHIPPED_OPERATORS if directory is None else directory
    if not _CODE.fullmatch(key):
        raise OperatorConfigError(
            f"operator code {code!r}: use lower-case letters, digits, '-' or '_' (e.g. orange-money)"
        )
    path = folder / f"{key}.toml"
    if not path.is_file():
        return OperatorConfig(key, key, {c: c for c in CANONICAL_COLUMNS}, _status_words({}))
    model = _read_model(path)
    if model.code != key:
        raise OperatorConfigError(
            f"{path}: field 'code' is {model.code!r}, but the file is named for {key!r}"
        )
    return OperatorConfig(
        code=key,
        name=model.name,
        columns=_columns(path, model.columns),
        status_words=_status_words(model.status_words, path),
    )


def _read_model(path: Path) -> _OperatorModel:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OperatorConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise OperatorConfigError(f"{path}: not valid TOML: {error}") from None
    try:
        return _OperatorModel.model_validate(data)
    except ValidationError as error:
        problems = [
            f"  field '{'.'.join(str(p) for p in e['loc'])}', value {e.get('input')!r}: {e['msg']}"
            for e in error.errors()
        ]
        raise OperatorConfigError(f"{path}: invalid operator definition\n" + "\n".join(problems)) from None


def _columns(path: Path, aliases: Mapping[str, str]) -> dict[str, str]:
    columns = {c: c for c in CANONICAL_COLUMNS}
    own: dict[str, str] = {}
    for alias, canonical in aliases.items():
        header = normalise_header(alias)
        if not header:
            raise OperatorConfigError(f"{path}: field 'columns.{alias}': empty header name")
        if own.get(header, canonical) != canonical:
            raise OperatorConfigError(
                f"{path}: field 'columns.{alias}': header '{header}' is mapped to both "
                f"'{own[header]}' and '{canonical}'"
            )
        own[header] = canonical
    columns.update(own)
    return columns


def _status_words(own: Mapping[str, str], path: Path | None = None) -> dict[str, str]:
    words = {fold(word): status for word, status in DEFAULT_STATUS_WORDS.items()}
    seen: dict[str, str] = {}
    for word, status in own.items():
        key = fold(word)
        if not key:
            raise OperatorConfigError(f"{path}: field 'status_words.{word}': empty status word")
        if seen.get(key, status) != status:
            raise OperatorConfigError(
                f"{path}: field 'status_words.{word}': '{key}' is both '{seen[key]}' and '{status}'"
            )
        seen[key] = status
    words.update(seen)
    return words
