"""The outcome of checking a tailored record: what failed, where, and what was repaired."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """One failed check, located by a JSON path such as `$.steps[2].action.x`."""

    path: str = Field(description="JSON path of the offending value ('$' for the whole document).")
    code: str = Field(description="Machine-readable check name: parse, schema, time_range, unknown_anchor, ...")
    message: str = Field(description="What is wrong, in words.")

    kind: ClassVar[str] = "problem"

    def line(self) -> str:
        """`path code: message`, as a page or a listing shows it."""
        return f"{self.path} {self.code}: {self.message}"


class Repair(BaseModel):
    """A change applied to make the record valid; kept so nothing is fixed silently."""

    path: str
    action: str = Field(description="json_repair, clamp, drop_unknown_anchor, coerce, reask ...")
    detail: str = ""

    kind: ClassVar[str] = "repair"

    def line(self) -> str:
        """`path action: detail`, as a page or a listing shows it."""
        return f"{self.path} {self.action}: {self.detail}"


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

    def outcome(self) -> ValidationSummary:
        """The verdict as results carry it (an envelope's `validation`, `claw validate`'s output)."""
        return ValidationSummary(
            valid=self.valid, parsed=self.parsed, schema_valid=self.schema_valid, grounded=self.grounded,
            errors=list(self.errors), repairs=list(self.repairs),
        )

    def summary(self) -> dict:
        return self.outcome().model_dump()


class ValidationSummary(BaseModel):
    """The verdict on a record: valid overall, the checks behind it, what still fails and what was fixed."""

    valid: bool = Field(default=False, description="Parsed, schema-valid and grounded, with no remaining errors.")
    parsed: bool = Field(default=False, description="The text was strict JSON before any repair.")
    schema_valid: bool = Field(default=False, description="The (repaired) record satisfies the task's JSON Schema.")
    grounded: bool = Field(default=False, description="Times, positions and anchor ids agree with the source's anchors.")
    errors: list[Problem] = Field(default_factory=list, description="Remaining problems, each located by a JSON path.")
    repairs: list[Repair] = Field(default_factory=list, description="Deterministic repairs applied, so nothing is fixed silently.")
