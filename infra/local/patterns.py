"""What the local event bus (moto) can match, and a loud refusal of everything else."""

from __future__ import annotations

from typing import Any

#: Content-filter operators moto's EventBridge implements faithfully (measured, see notes).
SUPPORTED_OPERATORS = frozenset({"prefix", "suffix", "anything-but", "exists", "numeric", "equals-ignore-case"})


class UnsupportedTrigger(RuntimeError):
    pass


def check_pattern(pattern: Any, *, where: str) -> None:
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if key.startswith("$"):
                raise UnsupportedTrigger(f"{where}: pattern operator {key!r} cannot be emulated locally")
            check_pattern(value, where=where)
    elif isinstance(pattern, list):
        for value in pattern:
            if isinstance(value, dict):
                for operator in value:
                    if operator not in SUPPORTED_OPERATORS:
                        raise UnsupportedTrigger(
                            f"{where}: pattern operator {operator!r} cannot be emulated locally "
                            f"(supported: {', '.join(sorted(SUPPORTED_OPERATORS))})"
                        )
            elif not isinstance(value, (str, int, float, bool)) and value is not None:
                raise UnsupportedTrigger(f"{where}: unexpected pattern value {value!r}")
    else:
        raise UnsupportedTrigger(f"{where}: a pattern field must hold a list of values, not {pattern!r}")
