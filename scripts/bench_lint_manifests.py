"""Benchmark of the manifests linter: start-up and per-file cost, against kubernetes-validate's own
``validate()`` measured in the same run.

Three figures, each the median of several runs:

- *start-up*: a fresh Python process that imports the linter and lints one small file, with the
  linter's quick jsonschema import and with a plain ``import jsonschema`` first (what any tool
  that uses kubernetes-validate pays);
- *per file*: linting every solution manifest of the manifest labs in one process (schema, rules,
  line numbers), against calling ``kubernetes_validate.validate(doc, version, strict=True)`` on
  the same documents (schema only, first error only).

    python scripts/bench_lint_manifests.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

FILES = sorted(
    p
    for lab in ("batch-jobs", "sbatch-to-job", "science-gateway", "troubleshooting", "identity-storage")
    for p in (REPO / "labs" / lab / "solution").glob("*.yaml")
)
STARTUP = "from manifestlint.manifests import lint_file; lint_file({path!r})"


def _process(code: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO, timeout=120, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    path = str(FILES[0])

    quick = [_process(STARTUP.format(path=path)) for _ in range(runs)]
    plain = [_process("import jsonschema; " + STARTUP.format(path=path)) for _ in range(runs)]
    print(
        f"start-up, import + lint one file: {statistics.median(quick):.2f} s "
        f"(plain jsonschema import first: {statistics.median(plain):.2f} s, ratio {statistics.median(plain) / statistics.median(quick):.1f}x)"
    )

    import kubernetes_validate
    import yaml

    from manifestlint.manifests import KUBERNETES_VERSION, lint_file

    docs = [d for p in FILES for d in yaml.safe_load_all(p.read_text()) if d]
    lint_file(path)  # warm the caches both ways
    kubernetes_validate.validate(docs[0], KUBERNETES_VERSION, strict=True)
    ours, theirs = [], []
    for _ in range(runs):
        start = time.perf_counter()
        for p in FILES:
            lint_file(p)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        for doc in docs:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        theirs.append(time.perf_counter() - start)
    o, t = statistics.median(ours), statistics.median(theirs)
    print(
        f"{len(FILES)} files, {len(docs)} documents: linter {o * 1000:.1f} ms "
        f"({o / len(docs) * 1000:.2f} ms per document, with rules and line numbers); "
        f"kubernetes_validate.validate {t * 1000:.1f} ms; ratio {t / o:.1f}x"
    )


if __name__ == "__main__":
    main()
