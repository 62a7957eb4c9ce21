"""The outcome of checking a tailored record: what failed, where, and what was repaired."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """One failed check, located by a JSON path such as `$.steps[2].action.x`."""

    path: str = Field(description="JSON path of the offending value ('$' for the whole document).")
    code: str = Field(description="Machine-readable check name: parse, schema, time_range, unknown_anchor, ...")
    message: str = Field(description="What is wrong, in words.")


class Repair(BaseModel):
    """A change applied to make the record valid; kept so nothing is fixed silently."""

    path: str
    action: str = Field(description="json_repair, clamp, drop_unknown_anchor, coerce, reask ...")
    detail: str = ""


class ValidationReport(BaseModel):
    parsed: bool = Field(default=False, description="Strict json.loads succeeded on the raw text.")
    parsed_after_repair: bool = Field(default=False, description="Parsed once json-repair was applied.")
    schema_valid: bool = False
    grounded: bool = False
    errors: list[Problem] = Field(default_factory=list)
    repairs: list[Repair] = Field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.parsed_after_repair and self.schema_valid and self.grounded and not self.errors

    def summary(self) -> dict:
        return {
            "valid": self.valid,
            "parsed": self.parsed,
            "schema_valid": self.schema_valid,
            "grounded": self.grounded,
            "errors": [e.model_dump() for e in self.errors],
            "repairs": [r.model_dump() for r in self.repairs],
        }
