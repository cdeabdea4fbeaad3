"""Rebuild the argo-warmup snapshot fixtures: ``python labs/argo-warmup/tests/make_fixtures.py``.

Each fixture is what ``kubecourse snapshot argo-warmup`` would capture after a learner submitted
some of the lab's three workflows: the Workflow objects with the status Argo v3.7 writes. They
are the reference solutions or variations of them (one mistake each), run by the argo-salmon
lab's stand-in controller (``labs/argo-salmon/tests/argosim.py``), which really runs their
commands and writes Argo's node shapes, phases and ``invalid spec`` messages. ``expected.yaml``
beside this file says which checks each fixture passes: it is written by hand, not generated.

Usage: make_fixtures.py [NAME ...]   (default: all fixtures)
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
LAB = HERE.parent
sys.path.insert(0, str(LAB.parent / "argo-salmon" / "tests"))
from argosim import simulate, write_fixtures  # noqa: E402

OUT = HERE / "snapshots"
HELLO = (LAB / "solution" / "hello.yaml").read_text()
FAN_OUT = (LAB / "solution" / "fan-out.yaml").read_text()
OUTPUT = (LAB / "solution" / "output.yaml").read_text()
T0 = datetime(2026, 11, 28, 9, 0, 0, tzinfo=UTC)


def edit(text: str, *pairs: tuple[str, str]) -> str:
    """Apply (old, new) replacements, each of which must match."""
    for old, new in pairs:
        assert old in text, f"fixture edit does not match: {old!r}"
        text = text.replace(old, new, 1)
    return text


ONE_GROUP = ("        - - name: second", "          - name: second")
TWO_ITEMS = ("withItems: [alpha, beta, gamma, delta]", "withItems: [alpha, beta]")
SAME_ITEMS = ("withItems: [alpha, beta, gamma, delta]", "withItems: [hello, hello, hello]")
NO_LOOP = ("            withItems: [alpha, beta, gamma, delta]\n", "")
NO_OUTPUT = (
    """      outputs:
        parameters:
          - name: words            # Argo reads the file when the container has finished
            valueFrom:
              path: /tmp/words
""",
    "",
)
WRONG_PATH = ("              path: /tmp/words", "              path: /tmp/word")
BY_HAND = ('value: "{{steps.count.outputs.parameters.words}}"', 'value: "9"')

# fixture -> workflows submitted, oldest first: (name, workflow text[, namespace])
FIXTURES: dict[str, list[tuple]] = {
    "starter": [],
    "solution": [("hello-x7k2p", HELLO), ("fan-out-q4mzt", FAN_OUT), ("output-b8vhc", OUTPUT)],
    "part-1-only": [("hello-x7k2p", HELLO)],
    "one-group": [("hello-m5ggp", edit(HELLO, ONE_GROUP)), ("fan-out-q4mzt", FAN_OUT), ("output-b8vhc", OUTPUT)],
    "two-items": [("hello-x7k2p", HELLO), ("fan-out-k9tfz", edit(FAN_OUT, TWO_ITEMS)), ("output-b8vhc", OUTPUT)],
    "same-items": [("hello-x7k2p", HELLO), ("fan-out-w6dcl", edit(FAN_OUT, SAME_ITEMS)), ("output-b8vhc", OUTPUT)],
    "item-outside-loop": [
        ("hello-x7k2p", HELLO),
        ("fan-out-n8kcw", edit(FAN_OUT, NO_LOOP)),
        ("output-b8vhc", OUTPUT),
    ],
    "output-not-declared": [
        ("hello-x7k2p", HELLO),
        ("fan-out-q4mzt", FAN_OUT),
        ("output-h3sxq", edit(OUTPUT, NO_OUTPUT)),
    ],
    "output-wrong-path": [
        ("hello-x7k2p", HELLO),
        ("fan-out-q4mzt", FAN_OUT),
        ("output-v2lrk", edit(OUTPUT, WRONG_PATH)),
    ],
    "output-by-hand": [("hello-x7k2p", HELLO), ("fan-out-q4mzt", FAN_OUT), ("output-f7pnb", edit(OUTPUT, BY_HAND))],
    "wrong-namespace": [
        ("hello-x7k2p", HELLO, "default"),
        ("fan-out-q4mzt", FAN_OUT, "default"),
        ("output-b8vhc", OUTPUT, "default"),
    ],
    "bad-then-good": [
        ("hello-p3vzn", edit(HELLO, ONE_GROUP)),
        ("hello-x7k2p", HELLO),
        ("fan-out-q4mzt", FAN_OUT),
        ("output-b8vhc", OUTPUT),
    ],
}


def build(fixture: str) -> dict:
    items = []
    with tempfile.TemporaryDirectory(prefix="warmup-claims-") as claims:
        for i, (name, text, *namespace) in enumerate(FIXTURES[fixture]):
            workflow = yaml.safe_load(text)
            # Learners create the lab's files with `kubectl create -n $NS`: the object gets the namespace.
            workflow["metadata"]["namespace"] = namespace[0] if namespace else "warmup"
            created = T0 + timedelta(minutes=5 * i)
            items.append(simulate(workflow, name=name, created=created, claims=Path(claims)))
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""}, "items": items}


def main(names: list[str], out: Path = OUT) -> None:
    write_fixtures(names, FIXTURES, build, out, "labs/argo-warmup/tests/make_fixtures.py")


if __name__ == "__main__":
    main(sys.argv[1:])
