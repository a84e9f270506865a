"""The rule catalogue: every rule's code, field, severity, group, messages and docs.

Codes are stable (like ruff's): a code never changes meaning; retired codes are not reused.
The Python checks (``core.rules``), the JSON report, the annotated workbook and the
in-sheet formulas of hamlet files all take their wording and grouping from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from vaxclean_xl.core.model import Category, Finding, Severity


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    field: str
    severity: Severity
    category: Category
    message_vi: str  # may hold {placeholders} filled by the check
    message_en: str
    why: str = ""
    example: str = ""
    fix: str = ""
    short_vi: str = ""  # the message without placeholders (in-sheet checks, summaries)
    also: tuple[str, ...] = ()  # other fields whose cells share the blame (marked too)

    @property
    def static_vi(self) -> str:
        """A message that needs no values: for formulas and summary tables."""
        return self.short_vi or self.message_vi

    def finding(
        self,
        row: int,
        value: str,
        suggestion: str | None = None,
        **fmt: object,
    ) -> Finding:
        message = self.message_vi.format(**fmt) if fmt else self.message_vi
        return Finding(row, self.field, self.code, self.severity, self.category,
                       message, value, suggestion, self.also)


RULES: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    field: str,
    severity: Severity,
    category: Category,
    message_vi: str,
    message_en: str,
    *,
    why: str = "",
    example: str = "",
    fix: str = "",
    short_vi: str = "",
    also: tuple[str, ...] = (),
) -> Rule:
    """Register a rule; called at import time by each rule module."""
    if code in RULES:
        raise ValueError(f"duplicate rule code {code}")
    if "{" in message_vi and not short_vi:
        raise ValueError(f"rule {code} has placeholders and needs short_vi")
    r = Rule(code, name, field, severity, category, message_vi, message_en, why, example, fix,
             short_vi, also)
    RULES[code] = r
    return r


def all_rules() -> list[Rule]:
    """Every rule, after importing the rule modules, ordered by code."""
    import vaxclean_xl.core.rules  # noqa: F401  (registers the rules)

    return [RULES[c] for c in sorted(RULES)]
