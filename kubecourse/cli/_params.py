"""Command-line values converted without importing pydantic where typer's conversion is trivial.

Typer 0.29 converts every parameter value through a pydantic ``TypeAdapter``, built the first
time a parameter is processed, even when the value is absent. Importing pydantic (whose plugin
loader also reads every installed package's entry points) cost each command 50-70 ms of CPU
before it did anything: more than `kubecourse labs` spends on its own work.

For the values kubecourse's commands take, that conversion is the identity or one constructor:
an absent option, a string for a ``str``, a number in range for an ``int``, a list of strings,
a plain ``Path`` (whose checks typer runs itself, :func:`typer._param_types.coerce_cli_path`).
:class:`DirectConversion` does those directly and hands anything else (a string for a number, a
choice, a custom parser, a file) to typer's own conversion, built on first need, so errors read
exactly as typer words them. ``tests/unit/test_cli_params.py`` compares both on every case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin

from typer import core
from typer._coercion import RuntimeParam, TypeDescriptor, build_runtime_param
from typer._param_types import coerce_cli_path

_NOT_DIRECT = object()


@dataclass(frozen=True)
class DirectConversion(RuntimeParam):
    """Typer's runtime conversion of one parameter, done directly where it is trivial."""

    descriptor: TypeDescriptor
    _typer: list[RuntimeParam] = field(default_factory=list, compare=False)

    def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
        direct = convert_directly(self.descriptor, value, param=param, ctx=ctx)
        if direct is not _NOT_DIRECT:
            return direct
        if not self._typer:
            self._typer.append(build_runtime_param(self.descriptor))
        return self._typer[0]._coerce_value(value, param=param, ctx=ctx)


def convert_directly(descriptor: TypeDescriptor, value: Any, *, param: Any = None, ctx: Any = None) -> Any:
    """``value`` as typer would convert it, or ``_NOT_DIRECT`` when that needs typer itself.

    ``None`` never reaches here: typer's :meth:`RuntimeParam.coerce` answers for absent values.
    """
    info, annotation = descriptor.parameter_info, descriptor.annotation
    if info.parser is not None or descriptor.file_annotation is not None or descriptor.is_choice:
        return _NOT_DIRECT
    kind = type(value)
    if annotation is str or annotation is bool:
        return value if kind is annotation else _NOT_DIRECT
    if annotation is int or annotation is float:
        if kind is not annotation or info.clamp:
            return _NOT_DIRECT
        in_range = (info.min is None or value >= info.min) and (info.max is None or value <= info.max)
        return value if in_range else _NOT_DIRECT
    if get_origin(annotation) is list and get_args(annotation) == (str,):
        if isinstance(value, (list, tuple)) and all(type(item) is str for item in value):
            return list(value)
        return _NOT_DIRECT
    if annotation is Path and info.path_type is None and not info.allow_dash and kind in (str, Path):
        # typer's own checks (exists, readable, ...) on the Path, as its adapter runs them
        return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
    return _NOT_DIRECT


def _get_runtime_param(self: Any) -> RuntimeParam:
    if self._runtime_param is None:
        descriptor = self.type_descriptor
        self._runtime_param = DirectConversion(
            parameter_info=descriptor.parameter_info, annotation=descriptor.annotation, descriptor=descriptor
        )
    return self._runtime_param


def install() -> None:
    """Make every typer parameter of this process convert its values through DirectConversion."""
    core._TyperParameter.get_runtime_param = _get_runtime_param  # type: ignore[method-assign]


__all__ = ["DirectConversion", "convert_directly", "install"]
