"""The add-on registry: what each add-on installs, pinned by version and sha256.

Instructors can point add-ons at a local mirror, or pin a checksum this release lacks, with
``$KUBECOURSE_HOME/addons.yaml``::

    argo-workflows:
      url: http://mirror.local/argo/v3.7.3/install.yaml   # replaces the first manifest's URL
      sha256: 0123...                                      # and its pinned checksum
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from coursecore.errors import UsageError
from coursecore.home import home
from coursecore.safeyaml import load_mapping
from coursecore.versions import ARGO_VERSION

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
OVERRIDES_FILE = "addons.yaml"


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """One file of Kubernetes manifests, fetched once and verified every time it is used."""

    url: str
    sha256: str | None
    """The checksum this release pins; ``None`` leaves pinning to the lock file
    (:mod:`sandbox.addons.lock`: recorded on first download, verified afterwards)."""
    filename: str
    """Name in the cache folder."""


@dataclass(frozen=True, kw_only=True)
class Probe:
    """A harmless write that the add-on's admission webhooks are called for: a collection to POST
    to and the object to send (as a dry run, so nothing is kept)."""

    path: str
    body: dict


@dataclass(frozen=True, kw_only=True)
class Addon:
    """An installable add-on."""

    name: str
    version: str
    namespace: str
    """Created first; the manifests are applied into it (objects without a namespace land here)."""
    manifests: tuple[Manifest, ...]
    deployments: tuple[str, ...] = ()
    """Deployments in :attr:`namespace` that must be Available before the add-on counts as ready."""
    images: tuple[str, ...] = ()
    """Images the add-on runs; ``prefetch`` pulls them and ``start`` loads them into the nodes."""
    homepage: str = ""
    probe: Probe | None = None
    """A write the add-on's webhooks check, sent as a server-side dry run until the webhook answers."""


# Kueue 0.15 introduced the v1beta2 API the job-queues lab and the book use; 0.17 dropped v1beta1.
KUEUE_VERSION = "v0.17.1"

# Upstream publishes these install manifests without checksums, and this machine cannot download
# them: sha256 None leaves the pin to the lock file (sandbox/addons/lock.py), which records the
# first download and verifies every later use. A release that knows a hash pins it here (or an
# instructor in $KUBECOURSE_HOME/addons.yaml, or in the course's addons.lock).
REGISTRY: dict[str, Addon] = {
    "argo-workflows": Addon(
        name="argo-workflows",
        version=ARGO_VERSION,
        namespace="argo",
        manifests=(
            Manifest(
                url=f"https://github.com/argoproj/argo-workflows/releases/download/{ARGO_VERSION}/install.yaml",
                sha256=None,
                filename="install.yaml",
            ),
        ),
        deployments=("workflow-controller", "argo-server"),
        images=(
            f"quay.io/argoproj/workflow-controller:{ARGO_VERSION}",
            f"quay.io/argoproj/argocli:{ARGO_VERSION}",
            f"quay.io/argoproj/argoexec:{ARGO_VERSION}",
        ),
        homepage="https://argo-workflows.readthedocs.io/",
    ),
    "kueue": Addon(
        name="kueue",
        version=KUEUE_VERSION,
        namespace="kueue-system",
        manifests=(
            Manifest(
                url=f"https://github.com/kubernetes-sigs/kueue/releases/download/{KUEUE_VERSION}/manifests.yaml",
                sha256=None,
                filename="manifests.yaml",
            ),
        ),
        deployments=("kueue-controller-manager",),
        images=(f"registry.k8s.io/kueue/kueue:{KUEUE_VERSION}",),
        homepage="https://kueue.sigs.k8s.io/",
        # Kueue's mresourceflavor/vresourceflavor webhooks are called for this; Kueue's own e2e
        # scripts likewise retry a dry-run ResourceFlavor before they trust the webhooks.
        probe=Probe(
            path="/apis/kueue.x-k8s.io/v1beta2/resourceflavors",
            body={
                "apiVersion": "kueue.x-k8s.io/v1beta2",
                "kind": "ResourceFlavor",
                "metadata": {"name": "kubecourse-webhook-probe"},
            },
        ),
    ),
}


def get(name: str) -> Addon:
    """The add-on ``name``, with the instructor's overrides applied."""
    registry = {**REGISTRY, **_overrides()}
    if name not in registry:
        raise UsageError(f"unknown add-on {name!r} (known add-ons: {', '.join(sorted(registry))})")
    return registry[name]


def _overrides() -> dict[str, Addon]:
    path = home() / OVERRIDES_FILE
    if not path.is_file():
        return {}
    raw = load_mapping(path, what="add-on overrides", max_bytes=64 * 1024)
    result = {}
    for name, entry in raw.items():
        if name not in REGISTRY:
            raise UsageError(f"{path}: unknown add-on {name!r} (known: {', '.join(sorted(REGISTRY))})")
        if not isinstance(entry, dict) or set(entry) - {"url", "sha256"}:
            raise UsageError(f"{path}: {name} must be a mapping with 'url' and/or 'sha256'")
        sha = entry.get("sha256")
        if sha is not None and not (isinstance(sha, str) and _SHA256.match(sha)):
            raise UsageError(f"{path}: {name}.sha256 must be 64 lowercase hex digits")
        url = entry.get("url")
        if url is not None and not (isinstance(url, str) and re.match(r"^(https?|file)://", url)):
            raise UsageError(f"{path}: {name}.url must be an http(s):// or file:// URL")
        addon = REGISTRY[name]
        first = replace(addon.manifests[0], url=url or addon.manifests[0].url, sha256=sha or addon.manifests[0].sha256)
        result[name] = replace(addon, manifests=(first, *addon.manifests[1:]))
    return result


__all__ = ["ARGO_VERSION", "KUEUE_VERSION", "OVERRIDES_FILE", "REGISTRY", "Addon", "Manifest", "Probe", "get"]
