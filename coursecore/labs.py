"""The lab catalogue: finding labs and reading their ``lab.yaml`` into validated data classes.

A lab is a folder ``labs/<id>/`` with a ``lab.yaml``. The schema is documented for course authors
in ``book/author-guide.md``; every violation is reported as a
:class:`~coursecore.errors.UsageError` naming the file and the field. ``sandbox`` reads
:attr:`Lab.cluster` to prepare a cluster, ``autograder`` reads :attr:`Lab.grading` to know what to
capture and where the checks live.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursecore.errors import UsageError
from coursecore.safeyaml import load_mapping

TIERS = ("general", "intermediate", "advanced")
BACKENDS = ("kind", "namespace")
"""Where a lab can run: a kind cluster of the learner's own, or a namespace on a shared cluster."""
LAB_ID = re.compile(r"^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
PINNED_IMAGE = re.compile(
    r"^[a-z0-9][a-z0-9._/-]*(:[0-9]+)?[a-z0-9._/-]*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}@sha256:[0-9a-f]{64}$"
)
QUANTITY = re.compile(r"^[0-9]+(\.[0-9]+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$")
MAX_LAB_FILE = 256 * 1024
COURSE_FILE = "course.yaml"


@dataclass(frozen=True, kw_only=True)
class Image:
    """A container image the lab's workload runs, loaded into the sandbox with ``kind load``."""

    name: str
    """Image reference as the lab's manifests use it, e.g. ``salmon-solver:1.0``."""
    build: str | None = None
    """Folder (relative to the lab) with a Dockerfile that builds the image, if it is local."""


@dataclass(frozen=True, kw_only=True)
class DataVolume:
    """Files the lab ships that must be on a PersistentVolumeClaim before the learner starts."""

    claim: str
    """Name of the PersistentVolumeClaim to create."""
    namespace: str
    """Namespace of the claim."""
    source: str
    """Folder (relative to the lab) whose files are copied onto the claim."""
    size: str = "1Gi"
    """Requested storage."""
    image: str = ""
    """The image the copy runs in, pinned by digest (``busybox:1.36.1@sha256:...``) and listed in
    ``cluster.images`` so that ``start`` loads it into the nodes first."""


@dataclass(frozen=True, kw_only=True)
class ClusterNeeds:
    """What the sandbox must provide before the learner starts."""

    nodes: int = 1
    """Nodes in the kind cluster: one control plane plus ``nodes - 1`` workers."""
    addons: tuple[str, ...] = ()
    """Add-ons from the sandbox's registry, e.g. ``argo-workflows``, ``kueue``."""
    namespaces: tuple[str, ...] = ()
    """Namespaces to create."""
    images: tuple[Image, ...] = ()
    """Images to load into the nodes."""
    data: tuple[DataVolume, ...] = ()
    """Data to place on claims."""
    manifests: tuple[str, ...] = ()
    """Files (relative to the lab) applied after the add-ons, e.g. RBAC an add-on's workloads
    need in the lab's namespace."""

    def describe(self) -> str:
        """One short line for tables: ``2 nodes, argo-workflows, ns salmon``."""
        parts = [f"{self.nodes} node{'s' if self.nodes != 1 else ''}"]
        parts += list(self.addons)
        if self.namespaces:
            parts.append("ns " + ",".join(self.namespaces))
        if self.images:
            parts.append(f"{len(self.images)} image{'s' if len(self.images) != 1 else ''}")
        if self.data:
            parts.append("data")
        return ", ".join(parts)


@dataclass(frozen=True, kw_only=True)
class Capture:
    """One kind of object a snapshot records for grading."""

    api_version: str
    kind: str
    namespace: str | None = None
    """Namespace to read; ``None`` for cluster-scoped kinds or all namespaces."""
    label_selector: str | None = None


@dataclass(frozen=True, kw_only=True)
class Grading:
    """How the lab is graded."""

    checks: str = "checks.py"
    """Python file (relative to the lab) that declares the checks."""
    capture: tuple[Capture, ...] = ()
    """Objects a snapshot must hold so that the checks give the same result offline."""
    lint: str | None = None
    """Name of the linter for learner manifests (``argo-workflow``, ``manifests``)."""


@dataclass(frozen=True, kw_only=True)
class Lab:
    """A lab, as declared by its ``lab.yaml``."""

    id: str
    title: str
    tier: str
    minutes: int
    summary: str
    path: Path
    """The lab's folder."""
    cluster: ClusterNeeds = field(default_factory=ClusterNeeds)
    grading: Grading = field(default_factory=Grading)
    chapter: str | None = None
    """The book chapter the lab belongs to (path relative to the repository root)."""
    backends: tuple[str, ...] = BACKENDS
    """The sandbox backends the lab can be done on (see :data:`BACKENDS`)."""
    backend_notes: dict[str, str] = field(default_factory=dict)
    """For each backend the lab does not support: why, and what an instructor can do instead."""

    def require_backend(self, backend: str) -> None:
        """Refuse, saying why, to prepare this lab on a backend it cannot be done on.

        Raises:
            UsageError: the lab does not support ``backend``.
        """
        if backend not in self.backends:
            why = self.backend_notes.get(backend) or "its lab.yaml does not list it"
            raise UsageError(
                f"lab {self.id} cannot be done on the {backend} backend: {why}",
                hint=f"lab {self.id} runs on: {', '.join(self.backends)}",
            )

    solution: tuple[str, ...] = ()
    """The reference solution as the notebook tells learners to apply it: kubectl command lines,
    run in order by ``kubecourse rehearse`` in the learner's folder (the starter files with
    ``solution/`` written over them). ``kubectl wait`` / ``rollout status`` lines are the waits."""

    def to_json(self) -> dict[str, Any]:
        """The lab as plain data for ``kubecourse labs --json``."""
        c = self.cluster
        return {
            "id": self.id,
            "title": self.title,
            "tier": self.tier,
            "minutes": self.minutes,
            "summary": self.summary,
            "chapter": self.chapter,
            "path": str(self.path),
            "backends": list(self.backends),
            "backend_notes": dict(self.backend_notes),
            "cluster": {
                "nodes": c.nodes,
                "addons": list(c.addons),
                "namespaces": list(c.namespaces),
                "images": [{"name": i.name, "build": i.build} for i in c.images],
                "data": [
                    {"claim": d.claim, "namespace": d.namespace, "source": d.source, "size": d.size, "image": d.image}
                    for d in c.data
                ],
                "manifests": list(c.manifests),
            },
            "solution": list(self.solution),
        }


def labs_root() -> Path:
    """Where labs live: ``$KUBECOURSE_LABS``, else ``labs/`` of the source tree."""
    env = os.environ.get("KUBECOURSE_LABS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "labs"


def discover(root: Path | None = None) -> list[Lab]:
    """Every lab under ``root`` (default :func:`labs_root`), in teaching order.

    The order is the list in ``root/course.yaml`` (see :func:`course_order`); a labs folder
    without that file is listed by id.
    """
    root = labs_root() if root is None else Path(root)
    if not root.is_dir():
        raise UsageError(f"labs folder not found: {root} (set KUBECOURSE_LABS to point at it)")
    found = {p.parent.name: p.parent for p in sorted(root.glob("*/lab.yaml"))}
    order = course_order(root, known=set(found))
    return [load_lab(found[lab_id]) for lab_id in (order if order is not None else sorted(found))]


def course_order(root: Path | None = None, *, known: set[str] | None = None) -> list[str] | None:
    """The lab ids in the order they are taught, from ``root/course.yaml``; ``None`` without one.

    The file holds one list, ``order``, that names every lab folder exactly once: a lab left out
    would silently vanish from the course, so it is an error, as is a name with no lab folder.

    Raises:
        UsageError: the file is malformed, names an unknown lab twice or at all, or leaves one out.
    """
    root = labs_root() if root is None else Path(root)
    path = root / COURSE_FILE
    if not path.is_file():
        return None
    if known is None:
        known = {p.parent.name for p in root.glob("*/lab.yaml")}
    raw = load_mapping(path, what="course file", max_bytes=MAX_LAB_FILE)
    v = _Validator(path)
    v.only(raw, "", {"order"})
    order = raw.get("order")
    if not isinstance(order, list) or not order:
        v.fail("order", "must be a list of the lab ids in the order they are taught")
    seen: set[str] = set()
    for i, lab_id in enumerate(order):
        if not isinstance(lab_id, str) or not LAB_ID.match(lab_id):
            v.fail(f"order[{i}]", f"is {lab_id!r}, not a lab id")
        if lab_id in seen:
            v.fail(f"order[{i}]", f"names {lab_id!r} a second time")
        if lab_id not in known:
            v.fail(f"order[{i}]", f"names {lab_id!r}, but {root} has no such lab (no {lab_id}/lab.yaml)")
        seen.add(lab_id)
    missing = sorted(known - seen)
    if missing:
        v.fail("order", f"leaves out {', '.join(missing)}: add each where it is taught")
    return list(order)


def find(lab_id: str, root: Path | None = None) -> Lab:
    """The lab called ``lab_id``; a UsageError listing the known labs otherwise."""
    root = labs_root() if root is None else Path(root)
    if not LAB_ID.match(lab_id or ""):
        raise UsageError(f"invalid lab id {lab_id!r}: use lowercase letters, digits and dashes")
    folder = root / lab_id
    if not (folder / "lab.yaml").is_file():
        known = ", ".join(p.parent.name for p in sorted(root.glob("*/lab.yaml"))) or "none"
        raise UsageError(f"unknown lab {lab_id!r} (known labs: {known})")
    return load_lab(folder)


def load_lab(folder: Path) -> Lab:
    """Read and validate ``folder/lab.yaml``."""
    folder = Path(folder)
    path = folder / "lab.yaml"
    raw = load_mapping(path, what="lab file", max_bytes=MAX_LAB_FILE)
    v = _Validator(path)
    v.only(
        raw,
        "",
        {
            "id",
            "title",
            "tier",
            "minutes",
            "summary",
            "chapter",
            "backends",
            "backend_notes",
            "cluster",
            "grading",
            "solution",
        },
    )
    lab_id = v.string(raw, "id", pattern=LAB_ID, what="a lab id (lowercase, digits, dashes)")
    if lab_id != folder.name:
        v.fail("id", f"is {lab_id!r} but the folder is {folder.name!r}; they must match")
    tier = v.string(raw, "tier")
    if tier not in TIERS:
        v.fail("tier", f"is {tier!r}; expected one of {', '.join(TIERS)}")
    minutes = v.integer(raw, "minutes", low=1, high=600)
    chapter = v.string(raw, "chapter", required=False)
    backends, notes = _backends(v, raw)
    return Lab(
        id=lab_id,
        title=v.string(raw, "title"),
        tier=tier,
        minutes=minutes,
        summary=v.string(raw, "summary"),
        path=folder,
        chapter=chapter,
        backends=backends,
        backend_notes=notes,
        cluster=_cluster(v, raw.get("cluster", {}), folder),
        grading=_grading(v, raw.get("grading", {}), folder),
        solution=_solution(v, raw, folder),
    )


def _backends(v: _Validator, raw: dict) -> tuple[tuple[str, ...], dict[str, str]]:
    listed = raw.get("backends", list(BACKENDS))
    if not isinstance(listed, list) or not listed:
        v.fail("backends", f"must be a non-empty list of {', '.join(BACKENDS)}, not {listed!r}")
    for i, backend in enumerate(listed):
        if backend not in BACKENDS:
            v.fail(f"backends[{i}]", f"is {backend!r}; expected one of {', '.join(BACKENDS)}")
    if len(set(listed)) != len(listed):
        v.fail("backends", "lists a backend twice")
    notes = raw.get("backend_notes", {})
    v.mapping(notes, "backend_notes")
    for backend, note in notes.items():
        if backend not in BACKENDS or backend in listed:
            v.fail(f"backend_notes.{backend}", "explains a backend the lab does not list as unsupported")
        if not isinstance(note, str) or not note.strip():
            v.fail(f"backend_notes.{backend}", "must say why the lab cannot run there, and what to do instead")
    for backend in BACKENDS:
        if backend not in listed and backend not in notes:
            v.fail("backend_notes", f"must say why the lab cannot be done on the {backend} backend")
    order = [b for b in BACKENDS if b in listed]
    return tuple(order), {k: " ".join(str(n).split()) for k, n in notes.items()}


def _cluster(v: _Validator, raw: Any, folder: Path) -> ClusterNeeds:
    v.mapping(raw, "cluster")
    v.only(raw, "cluster", {"nodes", "addons", "namespaces", "images", "data", "manifests"})
    nodes = v.integer(raw, "nodes", prefix="cluster", low=1, high=8, default=1)
    addons = tuple(v.strings(raw, "addons", prefix="cluster", pattern=DNS_LABEL))
    namespaces = tuple(v.strings(raw, "namespaces", prefix="cluster", pattern=DNS_LABEL))
    images = []
    for i, item in enumerate(v.items(raw, "images", prefix="cluster")):
        where = f"cluster.images[{i}]"
        v.mapping(item, where)
        v.only(item, where, {"name", "build"})
        build = v.string(item, "build", prefix=where, required=False)
        if build is not None and not (folder / build / "Dockerfile").is_file():
            v.fail(f"{where}.build", f"{build!r} has no Dockerfile in {folder}")
        images.append(Image(name=v.string(item, "name", prefix=where), build=build))
    data = []
    for i, item in enumerate(v.items(raw, "data", prefix="cluster")):
        where = f"cluster.data[{i}]"
        v.mapping(item, where)
        v.only(item, where, {"claim", "namespace", "source", "size", "image"})
        source = v.string(item, "source", prefix=where)
        if not (folder / source).is_dir():
            v.fail(f"{where}.source", f"folder {source!r} does not exist in {folder}")
        size = v.string(item, "size", prefix=where, required=False) or "1Gi"
        if not QUANTITY.match(size):
            v.fail(f"{where}.size", f"{size!r} is not a Kubernetes quantity such as 1Gi")
        copy_image = v.string(item, "image", prefix=where)
        if not PINNED_IMAGE.match(copy_image):
            v.fail(f"{where}.image", f"{copy_image!r} must be pinned by digest: NAME:TAG@sha256:<64 hex>")
        if copy_image not in {i.name for i in images}:
            v.fail(f"{where}.image", f"{copy_image!r} must also be listed in cluster.images (start loads it)")
        data.append(
            DataVolume(
                claim=v.string(item, "claim", prefix=where, pattern=DNS_LABEL),
                namespace=v.string(item, "namespace", prefix=where, pattern=DNS_LABEL),
                source=source,
                size=size,
                image=copy_image,
            )
        )
    manifests = []
    for i, item in enumerate(v.items(raw, "manifests", prefix="cluster")):
        if not isinstance(item, str) or not (folder / item).is_file():
            v.fail(f"cluster.manifests[{i}]", f"{item!r} is not a file in {folder}")
        manifests.append(item)
    return ClusterNeeds(
        nodes=nodes,
        addons=addons,
        namespaces=namespaces,
        images=tuple(images),
        data=tuple(data),
        manifests=tuple(manifests),
    )


def _grading(v: _Validator, raw: Any, folder: Path) -> Grading:
    v.mapping(raw, "grading")
    v.only(raw, "grading", {"checks", "capture", "lint"})
    checks = v.string(raw, "checks", prefix="grading", required=False) or "checks.py"
    captures = []
    for i, item in enumerate(v.items(raw, "capture", prefix="grading")):
        where = f"grading.capture[{i}]"
        v.mapping(item, where)
        v.only(item, where, {"apiVersion", "kind", "namespace", "labelSelector"})
        captures.append(
            Capture(
                api_version=v.string(item, "apiVersion", prefix=where),
                kind=v.string(item, "kind", prefix=where),
                namespace=v.string(item, "namespace", prefix=where, required=False),
                label_selector=v.string(item, "labelSelector", prefix=where, required=False),
            )
        )
    lint = v.string(raw, "lint", prefix="grading", required=False)
    return Grading(checks=checks, capture=tuple(captures), lint=lint)


# Solution steps run only kubectl, only these verbs, and only against the rehearsal's sandbox.
SOLUTION_VERBS = ("apply", "create", "wait", "rollout", "delete", "label", "annotate", "patch", "scale")
_CLUSTER_FLAGS = ("--kubeconfig", "--context", "--cluster", "--server", "-s", "--token", "--user", "--as")
_DURATION = re.compile(r"^(\d+)(s|m|h)$")
DEFAULT_STEP_SECONDS = 600


def _solution(v: _Validator, raw: dict, folder: Path) -> tuple[str, ...]:
    import shlex

    steps = []
    for i, item in enumerate(v.items(raw, "solution")):
        where = f"solution[{i}]"
        if not isinstance(item, str):
            v.fail(where, "must be a kubectl command line (a string)")
        try:
            argv = shlex.split(item)
        except ValueError as err:
            v.fail(where, f"cannot be split into words: {err}")
        if len(argv) < 2 or argv[0] != "kubectl" or argv[1] not in SOLUTION_VERBS:
            v.fail(where, f"must be `kubectl VERB ...` with VERB one of {', '.join(SOLUTION_VERBS)}")
        for arg in argv[2:]:
            if arg.split("=", 1)[0] in _CLUSTER_FLAGS:
                v.fail(where, f"must not choose the cluster ({arg.split('=', 1)[0]}): rehearse uses its own sandbox")
        for path in _files_named(argv):
            # A file the notebook writes (starter/ or solution/ has it) or one of starter/ itself.
            beside = path.startswith("starter/") and (folder / path).exists()
            if not beside and not any((folder / part / path).exists() for part in ("starter", "solution")):
                v.fail(where, f"names {path!r}, which is in neither starter/ nor solution/ of {folder}")
        if step_timeout(argv) is None:
            v.fail(where, "has a --timeout that is not a duration such as 300s, 10m or 1h")
        steps.append(item)
    return tuple(steps)


def _files_named(argv: list[str]) -> list[str]:
    found = []
    for i, arg in enumerate(argv):
        for flag in ("-f", "--filename", "-k", "--kustomize"):
            if arg == flag and i + 1 < len(argv):
                found.append(argv[i + 1])
            elif arg.startswith(flag + "="):
                found.append(arg.split("=", 1)[1])
    return [f for f in found if f != "-"]


def step_timeout(argv: list[str]) -> float | None:
    """Seconds to let one solution step run: its own ``--timeout`` plus a minute, else the
    default; ``None`` for a ``--timeout`` that is not a duration."""
    for i, arg in enumerate(argv):
        value = (
            arg.split("=", 1)[1]
            if arg.startswith("--timeout=")
            else (argv[i + 1] if arg == "--timeout" and i + 1 < len(argv) else None)
        )
        if value is not None:
            match = _DURATION.match(value)
            if not match:
                return None
            return int(match.group(1)) * {"s": 1, "m": 60, "h": 3600}[match.group(2)] + 60
    return DEFAULT_STEP_SECONDS


class _Validator:
    """Field readers that raise UsageError naming the file and the dotted field path."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, field_path: str, problem: str) -> None:
        raise UsageError(f"{self.path}: field '{field_path}' {problem}")

    def mapping(self, value: Any, where: str) -> None:
        if not isinstance(value, dict):
            self.fail(where, f"must be a mapping, not {type(value).__name__}")

    def only(self, raw: dict, where: str, allowed: set[str]) -> None:
        unknown = sorted(set(raw) - allowed)
        if unknown:
            name = f"{where}.{unknown[0]}" if where else str(unknown[0])
            self.fail(name, f"is not a known field (known: {', '.join(sorted(allowed))})")

    def string(self, raw, key, *, prefix="", required=True, pattern=None, what=None):
        name = f"{prefix}.{key}" if prefix else key
        value = raw.get(key)
        if value is None:
            if required:
                self.fail(name, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(name, f"must be a non-empty string, not {value!r}")
        if pattern is not None and not pattern.match(value):
            self.fail(name, f"is {value!r}, not {what or 'a valid DNS label'}")
        return value

    def integer(self, raw, key, *, prefix="", low, high, default=None):
        name = f"{prefix}.{key}" if prefix else key
        value = raw.get(key, default)
        if value is None:
            self.fail(name, "is required")
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(name, f"must be a whole number from {low} to {high}, not {value!r}")
        return value

    def items(self, raw, key, *, prefix=""):
        value = raw.get(key, [])
        if not isinstance(value, list):
            self.fail(f"{prefix}.{key}" if prefix else key, f"must be a list, not {type(value).__name__}")
        return value

    def strings(self, raw, key, *, prefix="", pattern=None):
        values = self.items(raw, key, prefix=prefix)
        for i, value in enumerate(values):
            if not isinstance(value, str) or (pattern is not None and not pattern.match(value)):
                self.fail(f"{prefix}.{key}[{i}]", f"is {value!r}, not a valid DNS label")
        return values


__all__ = [
    "BACKENDS",
    "COURSE_FILE",
    "TIERS",
    "Capture",
    "ClusterNeeds",
    "DataVolume",
    "Grading",
    "Image",
    "Lab",
    "course_order",
    "discover",
    "find",
    "labs_root",
    "load_lab",
]
