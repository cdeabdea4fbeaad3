"""coursecore.lab_package: a lab folder imported as a package whose files import each other."""

from __future__ import annotations

import os
import sys
import time

import pytest

from coursecore.errors import UsageError
from coursecore.lab_package import LabCodeError, lab_module, module_name, package_name


def _touch_later(path):
    later = time.time_ns() + 2 * 10**9  # past the clock tick of the last write, as an editor's save is
    os.utime(path, ns=(later, later))


@pytest.fixture
def lab(tmp_path):
    folder = tmp_path / "my-lab"
    folder.mkdir()
    (folder / "reader.py").write_text("VALUE = 'first'\n")
    (folder / "checks.py").write_text("from . import reader\nfrom .reader import VALUE\n")
    return folder


def test_files_of_a_lab_import_each_other_as_one_package(lab):
    checks = lab_module(lab, "checks.py")
    assert checks.VALUE == "first" and checks.reader is lab_module(lab, "reader.py")
    assert checks.__name__ == f"{package_name(lab)}.checks" and checks.__name__ in sys.modules
    assert lab_module(lab, "checks.py") is checks  # imported once while nothing changes


def test_two_folders_with_the_same_name_are_two_packages(tmp_path, lab):
    other = tmp_path / "elsewhere" / "my-lab"
    other.mkdir(parents=True)
    (other / "checks.py").write_text("VALUE = 'other'\n")
    assert package_name(other) != package_name(lab)
    assert lab_module(other, "checks.py").VALUE == "other" and lab_module(lab, "checks.py").VALUE == "first"


def test_editing_any_file_of_the_lab_imports_it_again(lab):
    assert lab_module(lab, "checks.py").VALUE == "first"
    (lab / "reader.py").write_text("VALUE = 'second'\n")
    _touch_later(lab / "reader.py")
    assert lab_module(lab, "checks.py").VALUE == "second"
    (lab / "extra.py").write_text("NEW = 1\n")
    assert lab_module(lab, "extra.py").NEW == 1  # a file added since the last import is found


def test_a_module_in_a_subfolder(lab):
    (lab / "grading").mkdir()
    (lab / "grading" / "rules.py").write_text("from ..reader import VALUE\n")
    assert lab_module(lab, "grading/rules.py").VALUE == "first"


@pytest.mark.parametrize(("relative", "name"), [("checks.py", "checks"), ("grading/checks.py", "grading.checks")])
def test_module_names(relative, name):
    assert module_name(relative) == name


@pytest.mark.parametrize("relative", ["checks", "../checks.py", "/abs/checks.py", "my-checks.py", "a b/c.py"])
def test_paths_that_are_not_modules_of_the_lab_are_refused(relative):
    with pytest.raises(LabCodeError, match="Python identifiers"):
        module_name(relative)


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def broken(:\n", "syntax error on line 1"),
        ("raise RuntimeError('boom')\n", "RuntimeError: boom"),
        ("from . import nowhere\n", "ImportError"),
    ],
)
def test_broken_files_are_usage_errors_naming_the_file(lab, source, problem):
    (lab / "checks.py").write_text(source)
    _touch_later(lab / "checks.py")
    with pytest.raises(LabCodeError, match=problem) as info:
        lab_module(lab, "checks.py")
    assert "checks.py" in info.value.message and isinstance(info.value, UsageError)


def test_a_missing_file_or_folder(tmp_path, lab):
    with pytest.raises(LabCodeError, match="lint.py not found"):
        lab_module(lab, "lint.py")
    with pytest.raises(LabCodeError, match="not found"):
        lab_module(tmp_path / "no-such-lab", "checks.py")
