"""Text, choice and flag parameters read without typer's pydantic adapter.

typer (0.29) coerces parameters through a pydantic TypeAdapter, so every command imports
pydantic: about 60 ms of the ~270 ms a `tradewatch query` took (measured with -X
importtime). For a `str`, `StrEnum` or `bool` parameter given a valid value the adapter only
hands back the text, the enum member or the flag, which this does without pydantic; any
other value (a wrong choice) still goes through typer's adapter, so its error message is
typer's own. This leans on typer internals (`typer._coercion`); when they are not there the
parameters are left to typer, which is slower and otherwise the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import typer

try:
    from typer._coercion import RuntimeParam, build_runtime_param
except ImportError:  # pragma: no cover - another typer: leave every parameter to typer
    RuntimeParam = None  # type: ignore[assignment,misc]


def read_without_pydantic(command: Any, ctx: typer.Context) -> None:
    """Give the command's `str`, `StrEnum` and `bool` parameters (--help included) the plain
    reader below."""
    if RuntimeParam is None:
        return  # pragma: no cover
    for param in command.get_params(ctx):
        descriptor = getattr(param, "type_descriptor", None)
        if descriptor is None or getattr(param, "_runtime_param", False) is not None:
            continue
        if _is_text(descriptor.annotation) and descriptor.file_annotation is None:
            param._runtime_param = _PlainText(
                parameter_info=descriptor.parameter_info, annotation=descriptor.annotation
            )


def _is_text(annotation: object) -> bool:
    if annotation is str or annotation is bool:
        return True
    return isinstance(annotation, type) and issubclass(annotation, StrEnum)


if RuntimeParam is not None:

    @dataclass(frozen=True)
    class _PlainText(RuntimeParam):
        def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
            annotation = self.annotation
            if annotation in (str, bool) and isinstance(value, annotation):
                return value
            if isinstance(annotation, type) and issubclass(annotation, StrEnum):
                if isinstance(value, annotation):
                    return value
                if isinstance(value, str) and value in annotation._value2member_map_:
                    return annotation(value)
            # anything else the way typer reads it (its adapter, its error message)
            fallback = build_runtime_param(param.type_descriptor)
            return fallback._coerce_value(value, param=param, ctx=ctx)
