"""The program definition file (TOML), validated with pydantic.

Example (``config/programs/jigisemejiri.toml``)::

    code = "jigisemejiri"
    name = "Jigisemejiri"
    currency = "XOF"
    effective_from = 2019-01-01
    monthly_amount = 10000
    duration_months = 36
    cycle_months = 3

    [[one_offs]]
    name = "productive"
    amount = 250000
    eligibility = "productive"
"""

from __future__ import annotations

import tomllib
from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, ValidationError

from ledger.rules import OneOff, Rules

SHIPPED = Path(__file__).parent / "programs"


class ProgramFileError(ValueError):
    pass


class OneOffModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    amount: StrictInt = Field(gt=0)
    eligibility: Literal["all", "productive"] = "productive"


class ProgramModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[a-z][a-z0-9-]{1,31}$")
    name: str = Field(min_length=1, max_length=200)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    effective_from: date
    monthly_amount: StrictInt = Field(ge=0)
    duration_months: StrictInt = Field(gt=0, le=600)
    cycle_months: Literal[1, 2, 3]
    one_offs: list[OneOffModel] = []

    def rules(self) -> Rules:
        return Rules(
            monthly_amount=self.monthly_amount,
            duration_months=self.duration_months,
            cycle_months=self.cycle_months,
            one_offs=tuple(OneOff(o.name, o.amount, o.eligibility) for o in self.one_offs),
        )


def load_program_file(path: Path) -> ProgramModel:
    """Read and validate a program TOML file; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ProgramFileError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ProgramFileError(f"{path}: not valid TOML: {error}") from None
    try:
        model = ProgramModel.model_validate(data)
    except ValidationError as error:
        problems = [
            f"  field '{'.'.join(str(p) for p in e['loc'])}', value {e.get('input')!r}: {e['msg']}"
            for e in error.errors()
        ]
        raise ProgramFileError(f"{path}: invalid program definition\n" + "\n".join(problems)) from None
    names = [o.name for o in model.one_offs]
    if len(set(names)) != len(names) or "regular" in names:
        raise ProgramFileError(f"{path}: one-off names must be unique and not 'regular': {names}")
    return model
