"""kubecourse.cli._params: values converted directly give what typer's own conversion gives.

Typer's conversion (typer/_coercion.py, typer/_adapters.py, typer/_param_types.py of the pinned
typer 0.29.1) is the reference: every case below is converted both ways and compared, errors
included, so a typer upgrade that changes its conversion fails here rather than in a command.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from cli_tools import after_command
from typer._click.exceptions import BadParameter
from typer._coercion import build_runtime_param, resolve_type_descriptor
from typer.models import ArgumentInfo, OptionInfo

from kubecourse.cli._params import _NOT_DIRECT, DirectConversion, convert_directly


def _both(annotation: Any, info: Any, value: Any) -> tuple[Any, Any]:
    descriptor = resolve_type_descriptor(annotation, info)
    direct = DirectConversion(parameter_info=info, annotation=annotation, descriptor=descriptor)

    def run(converter: Any) -> Any:
        try:
            return ("ok", converter.coerce(value, param=_Param(), ctx=None))
        except BadParameter as error:
            return ("error", error.message)

    return run(direct), run(build_runtime_param(descriptor))


class _Param:
    """What typer's conversion reads from a parameter (typer/core.py _TyperParameter)."""

    multiple = False
    nargs = 1
    name = "value"


@pytest.mark.parametrize(
    ("annotation", "info", "value"),
    [
        (str, OptionInfo(default=None), None),
        (str, OptionInfo(default=None), "alice"),
        (str, OptionInfo(default=None), ""),
        (str, OptionInfo(default=None), "ünïcode and spaces "),
        (str, OptionInfo(default="x"), 5),
        (bool, OptionInfo(default=False), True),
        (bool, OptionInfo(default=False), "yes"),
        (int, OptionInfo(default=1, min=1, max=8), 1),
        (int, OptionInfo(default=1, min=1, max=8), 8),
        (int, OptionInfo(default=1, min=1, max=8), 9),
        (int, OptionInfo(default=1, min=1, max=8), 0),
        (int, OptionInfo(default=1, min=1, max=8), "3"),
        (int, OptionInfo(default=1, min=1, max=8), "x"),
        (int, OptionInfo(default=1, min=1, max=8, clamp=True), 20),
        (int, OptionInfo(default=4), 4),
        (int, OptionInfo(default=4), True),
        (float, OptionInfo(default=2.0), 2.0),
        (float, OptionInfo(default=2.0), 2),
        (float, OptionInfo(default=2.0, min=0.5), 0.1),
        (list[str], ArgumentInfo(default=...), ("first-pod", "pod.yaml")),
        (list[str], ArgumentInfo(default=...), ["-"]),
        (list[str], ArgumentInfo(default=...), ("a", 3)),
        (list[str], OptionInfo(default=[]), []),
        (Path, OptionInfo(default=None), "snapshot.yaml"),
        (Path, OptionInfo(default=None), Path("kubeconfigs")),
        (Path, OptionInfo(default=None), ""),
        (Path, OptionInfo(default=None), "-"),
        (Path, OptionInfo(default=None), "a/../b/./c"),
        (Path, OptionInfo(default=None), "~/x"),
        (Path, OptionInfo(default=None, exists=True), "/no/such/file"),
        (Path, OptionInfo(default=None, exists=True), "/"),
        (Path, OptionInfo(default=None, dir_okay=False), "/"),
        (Path, OptionInfo(default=None, resolve_path=True), "a/../b"),
        (Path, OptionInfo(default=None, allow_dash=True), "-"),
    ],
)
def test_direct_conversion_gives_what_typer_gives(annotation, info, value):
    direct, reference = _both(annotation, info, value)
    assert direct == reference
    assert type(direct[1]) is type(reference[1])


def test_only_the_trivial_cases_are_taken_directly():
    def direct(annotation: Any, info: Any, value: Any) -> bool:
        return convert_directly(resolve_type_descriptor(annotation, info), value) is not _NOT_DIRECT

    assert direct(str, OptionInfo(default=None), "x")
    assert direct(int, OptionInfo(default=1, min=1, max=8), 3)
    assert direct(Path, OptionInfo(default=None), "f.yaml")
    assert not direct(int, OptionInfo(default=1, min=1, max=8), "3")  # text to parse: typer's words
    assert not direct(int, OptionInfo(default=1, min=1, max=8), 9)  # out of range: typer's message
    assert not direct(str, OptionInfo(default=None, parser=str.upper), "x")
    assert not direct(typer.FileText, OptionInfo(default=None), "f.txt")


def test_commands_of_the_app_convert_without_pydantic():
    """The point of the module: the commands a learner types do not import pydantic."""
    root = Path(__file__).parents[2]
    snapshot = root / "labs/first-pod/tests/snapshots/solution.yaml"
    for args in (["labs", "--json"], ["check", "first-pod", "--snapshot", str(snapshot), "--json"]):
        assert after_command(args, "'pydantic' in sys.modules") == "False", args
