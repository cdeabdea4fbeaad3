"""The fake ``kind`` program: kind's verbs as kubecourse uses them, recorded and controllable.

Environment:

- ``FAKE_KIND_LOG``: JSON-lines file; one ``{"argv", "verb", "time", "pid", "outcome"}`` line per
  invocation (appended atomically, so parallel calls interleave whole lines).
- ``FAKE_KIND_STATE``: folder holding one ``<cluster>.json`` per cluster.
- ``FAKE_KIND_API_URL`` / ``FAKE_KIND_TOKEN`` / ``FAKE_KIND_CA`` (CA file): the fake API server
  the written kubeconfig points at and where ``create`` registers Nodes (``DELETE``\\ d again on
  ``delete``). Without a URL the kubeconfig points at ``https://127.0.0.1:6443`` and no Nodes are registered.
- ``FAKE_KIND_FAIL`` / ``FAKE_KIND_HANG``: comma-separated steps, each ``VERB`` or
  ``VERB@CLUSTER``, where VERB is one of :data:`VERBS`. A failing step prints kind's style of
  error and exits 1 (a failing ``create`` leaves nothing, as kind cleans up after itself unless
  ``--retain``); a hanging ``create`` first makes the cluster, then sleeps (a half-made cluster).
- ``FAKE_KIND_SLEEP``: ``VERB:SECONDS,...`` time to spend in a verb (for benchmarks).
- ``FAKE_KIND_VERSION``: what ``kind version`` prints (default: kind v0.31.0's line).
- ``FAKE_KIND_NOT_READY``: if set, Nodes are registered with ``Ready=False``;
  ``FAKE_KIND_READY_AFTER=SECONDS`` registers them NotReady and flips them Ready later.

Behaviour that follows kind v0.31.0's sources, because kubecourse broke on it on real hosts:

- The state folder is the container engine's daemon: ``get clusters`` lists **every** cluster
  in it, whoever made it (pkg/cluster/internal/providers/docker/provider.go ListClusters filters
  containers by the label ``io.x-k8s.kind.cluster`` only).
- ``create`` and ``delete`` take ``<kubeconfig>.lock`` with O_EXCL
  (pkg/cluster/internal/kubeconfig/internal/kubeconfig/lock.go). A leftover lock makes ``create``
  fail after the nodes exist (pkg/cluster/internal/create/create.go: the export is retried 4
  times, the nodes are kept) and ``delete`` delete the nodes and then exit 1
  (pkg/cluster/internal/delete/delete.go).
- ``create`` installs the storage kind ships (pkg/build/nodeimage/const_storage.go): StorageClass
  ``standard`` and ConfigMap ``local-path-storage/local-path-config`` whose helper pod runs
  ``kindest/local-path-helper``, an image with only sh, rm and mkdir
  (images/local-path-helper/Dockerfile).
- ``load docker-image`` always asks ``docker`` (pkg/cmd/kind/load/docker-image/docker-image.go),
  then imports a plain ``docker save`` with ``ctr ... import --all-platforms``
  (pkg/cluster/nodeutils/util.go), which fails for multi-platform images under Docker's
  containerd store (kind issue #3795); ``load image-archive`` imports an archive the same way,
  through the provider (Docker or Podman, ``KIND_EXPERIMENTAL_PROVIDER``).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

VERSION = "kind v0.31.0 go1.25.5 linux/amd64"
VERBS = ("version", "get-clusters", "get-nodes", "get-kubeconfig", "create", "delete", "load", "load-archive")
DEFAULT_IMAGE = "kindest/node:v1.35.0"
# pkg/build/nodeimage/const_storage.go at v0.31.0
HELPER_IMAGE = "docker.io/kindest/local-path-helper:v20251211-v0.29.0-alpha-100-g82a92c5d"
STORAGE = [
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "local-path-storage"}},
    {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": "standard",
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "rancher.io/local-path",
        "volumeBindingMode": "WaitForFirstConsumer",
        "reclaimPolicy": "Delete",
    },
    {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "local-path-config", "namespace": "local-path-storage"},
        "data": {
            "setup": '#!/bin/sh\nset -eu\nmkdir -m 0777 -p "$VOL_DIR"',
            "teardown": '#!/bin/sh\nset -eu\nrm -rf "$VOL_DIR"',
            "helperPod.yaml": "apiVersion: v1\nkind: Pod\nmetadata:\n  name: helper-pod\nspec:\n"
            "  priorityClassName: system-node-critical\n  containers:\n  - name: helper-pod\n"
            f"    image: {HELPER_IMAGE}\n    imagePullPolicy: IfNotPresent\n",
        },
    },
]


def main(argv: list[str]) -> int:
    verb, opts, positional = _parse(argv)
    cluster = opts.get("name", "kind")
    started = time.time()
    outcome = "ok"
    try:
        if verb is None:
            print(f'ERROR: unknown command {" ".join(argv)!r} for "kind"', file=sys.stderr)
            outcome = "usage"
            return 1
        _sleep(verb)
        if _wants("FAKE_KIND_FAIL", verb, cluster):
            outcome = "fail"
            return _fail(verb, cluster, opts, positional)
        handler = HANDLERS[verb]
        return handler(cluster, opts, positional)
    finally:
        _record(argv, verb, outcome, started)


def _parse(argv: list[str]):
    words, opts, i = [], {}, 0
    flags_without_value = {"--retain"}
    while i < len(argv):
        arg = argv[i]
        if arg.startswith("--"):
            key, eq, value = arg[2:].partition("=")
            if eq:
                opts[key] = value
            elif arg in flags_without_value:
                opts[key] = "true"
            else:
                opts[key] = argv[i + 1] if i + 1 < len(argv) else ""
                i += 1
        else:
            words.append(arg)
        i += 1
    table = {
        ("version",): "version",
        ("get", "clusters"): "get-clusters",
        ("get", "nodes"): "get-nodes",
        ("get", "kubeconfig"): "get-kubeconfig",
        ("create", "cluster"): "create",
        ("delete", "cluster"): "delete",
        ("load", "docker-image"): "load",
        ("load", "image-archive"): "load-archive",
    }
    for prefix, verb in table.items():
        if tuple(words[: len(prefix)]) == prefix:
            return verb, opts, words[len(prefix) :]
    return None, opts, words


def _wants(variable: str, verb: str, cluster: str) -> bool:
    for item in filter(None, (s.strip() for s in os.environ.get(variable, "").split(","))):
        step, _, only = item.partition("@")
        if step == verb and (not only or only == cluster):
            return True
    return False


def _sleep(verb: str) -> None:
    for item in filter(None, os.environ.get("FAKE_KIND_SLEEP", "").split(",")):
        step, _, seconds = item.partition(":")
        if step.strip() == verb:
            time.sleep(float(seconds))


def _record(argv, verb, outcome, started) -> None:
    log = os.environ.get("FAKE_KIND_LOG")
    if not log:
        return
    line = (
        json.dumps(
            {
                "argv": argv,
                "verb": verb,
                "outcome": outcome,
                "time": started,
                "duration": time.time() - started,
                "pid": os.getpid(),
            }
        )
        + "\n"
    )
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def _state_dir() -> Path:
    folder = Path(os.environ.get("FAKE_KIND_STATE") or Path.home() / ".fakekind")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _load(cluster: str) -> dict | None:
    try:
        return json.loads((_state_dir() / f"{cluster}.json").read_text())
    except FileNotFoundError:
        return None


def _save(data: dict) -> None:
    path = _state_dir() / f"{data['name']}.json"
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=1))
    os.replace(tmp, path)


def _fail(verb: str, cluster: str, opts: dict, positional: list[str]) -> int:
    messages = {
        "create": f"ERROR: failed to create cluster: failed to init node with kubeadm: command "
        f'"docker exec --privileged {cluster}-control-plane kubeadm init --skip-phases=preflight '
        f'--config=/kind/kubeadm.conf --skip-token-print --v=6" failed with error: exit status 1',
        "delete": f'ERROR: failed to delete cluster "{cluster}": failed to delete nodes: '
        'command "docker rm -f -v" failed with error: exit status 1',
        "load": f'ERROR: image: "{(positional or ["?"])[0]}" not present locally',
    }
    if verb == "create":
        print(f'Creating cluster "{cluster}" ...', file=sys.stderr)
        print(" ✗ Starting control-plane 🕹️", file=sys.stderr)
        if "retain" in opts:
            _make_cluster(cluster, opts)
    print(messages.get(verb, f"ERROR: failed to {verb}: fake failure"), file=sys.stderr)
    return 1


# --- verbs ---------------------------------------------------------------------------------


def _version(cluster, opts, positional) -> int:
    print(os.environ.get("FAKE_KIND_VERSION") or VERSION)
    return 0


def _get_clusters(cluster, opts, positional) -> int:
    names = sorted(p.stem for p in _state_dir().glob("*.json"))
    if not names:
        print("No kind clusters found.", file=sys.stderr)
    for name in names:
        print(name)
    return 0


def _get_nodes(cluster, opts, positional) -> int:
    data = _load(cluster)
    if not data:
        print(f'No kind nodes found for cluster "{cluster}".', file=sys.stderr)
        return 0
    for node in data["nodes"]:
        print(node)
    return 0


def _get_kubeconfig(cluster, opts, positional) -> int:
    if not _load(cluster):
        print(
            f'ERROR: could not locate any control plane nodes for cluster named "{cluster}". '
            "Use the --name option to select a different cluster",
            file=sys.stderr,
        )
        return 1
    sys.stdout.write(json.dumps(_kubeconfig(cluster), indent=2) + "\n")  # JSON is YAML
    return 0


def _create(cluster, opts, positional) -> int:
    if _load(cluster):
        print(
            f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{cluster}"',
            file=sys.stderr,
        )
        return 1
    if opts.get("config") and not Path(opts["config"]).is_file():
        print(
            f"ERROR: failed to create cluster: error reading file: open {opts['config']}: no such file or directory",
            file=sys.stderr,
        )
        return 1
    print(f'Creating cluster "{cluster}" ...', file=sys.stderr)
    print(f" ✓ Ensuring node image ({opts.get('image', DEFAULT_IMAGE)}) 🖼", file=sys.stderr)
    target = _kubeconfig_target(opts)
    if _locked(target):  # the nodes are made, then exporting the credentials fails: kept nodes
        _make_cluster(cluster, opts, export=False)
        print(" ✓ Starting control-plane 🕹️", file=sys.stderr)
        print(f"ERROR: failed to lock config file: open {target}.lock: file exists", file=sys.stderr)
        return 1
    data = _make_cluster(cluster, opts)
    if _wants("FAKE_KIND_HANG", "create", cluster):
        print(" • Starting control-plane 🕹️  ...", file=sys.stderr, flush=True)
        time.sleep(3600)
    print(" ✓ Starting control-plane 🕹️", file=sys.stderr)
    print(f'Set kubectl context to "kind-{cluster}"', file=sys.stderr)
    print(
        f"You can now use your cluster with:\n\nkubectl cluster-info --context kind-{cluster}"
        + (f" --kubeconfig {opts['kubeconfig']}" if "kubeconfig" in opts else ""),
        file=sys.stderr,
    )
    return 0 if data else 1


def _make_cluster(cluster: str, opts: dict, *, export: bool = True) -> dict:
    roles = ["control-plane"]
    if opts.get("config"):
        import yaml  # only here and for existing kubeconfigs: keeps the common calls quick

        config = yaml.safe_load(Path(opts["config"]).read_text()) or {}
        roles = [n.get("role", "control-plane") for n in config.get("nodes", [])] or roles
    nodes, workers = [], 0
    for role in roles:
        if role == "control-plane":
            nodes.append(f"{cluster}-control-plane")
        else:
            workers += 1
            nodes.append(f"{cluster}-worker" + (str(workers) if workers > 1 else ""))
    kubeconfig = _kubeconfig_target(opts)
    data = {
        "name": cluster,
        "nodes": nodes,
        "roles": roles,
        "image": opts.get("image", DEFAULT_IMAGE),
        "kubeconfig": str(kubeconfig),
        "images": [],
        "node_images": {node: [] for node in nodes},
        "provider": _provider(),
        "created": time.time(),
    }
    _save(data)
    if export:
        _merge_kubeconfig(kubeconfig, _kubeconfig(cluster))
    _register_nodes(nodes, roles)
    _install_storage()
    return data


def _engine():
    """The fake engine module (this file also runs as a script, outside the tests' sys.path)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fakekind import docker

    return docker


def _wipe_cluster_content() -> None:
    """Deleting a real cluster deletes everything in it. Every fake cluster shares one API
    server, so once the last one is gone its namespaces, custom resource definitions and webhook
    configurations go too (a next cluster must not find the last one's objects)."""
    if not os.environ.get("FAKE_KIND_API_URL"):
        return
    kept = {"default", "kube-system", "kube-public", "kube-node-lease"}
    gone = []
    for ns in (_api("GET", "/api/v1/namespaces") or {}).get("items") or []:
        name = ns["metadata"]["name"]
        if name not in kept:
            _api("DELETE", f"/api/v1/namespaces/{name}")
            gone.append(name)
    for crd in (_api("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions") or {}).get("items") or []:
        _api("DELETE", f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd['metadata']['name']}")
    for kind in ("mutatingwebhookconfigurations", "validatingwebhookconfigurations"):  # an add-on's, cluster-wide
        collection = f"/apis/admissionregistration.k8s.io/v1/{kind}"
        for hook in (_api("GET", collection) or {}).get("items") or []:
            _api("DELETE", f"{collection}/{hook['metadata']['name']}")
    deadline = time.time() + 10
    while gone and time.time() < deadline:
        gone = [n for n in gone if _api("GET", f"/api/v1/namespaces/{n}") is not None]
        time.sleep(0.1)


def _provider() -> str:
    """kind's choice (pkg/internal/runtime/runtime.go, pkg/cluster/provider.go)."""
    requested = os.environ.get("KIND_EXPERIMENTAL_PROVIDER", "")
    if requested in ("docker", "podman"):
        return requested
    if shutil.which("docker"):
        return "docker"
    return "podman" if shutil.which("podman") else "docker"


def _locked(kubeconfig: Path) -> bool:
    """kind's O_EXCL lock, tried 4 times as create.go does; True when a leftover holds it."""
    lock = Path(str(kubeconfig) + ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)  # lock.go makes the folder first
    for pause in (0, 0.001, 0.05, 0.1):
        time.sleep(pause)
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL, 0)
        except FileExistsError:
            continue
        os.close(fd)
        lock.unlink()
        return False
    return True


def _install_storage() -> None:
    for obj in STORAGE:
        path = "/api/v1/namespaces" if obj["kind"] == "Namespace" else None
        if obj["kind"] == "StorageClass":
            path = "/apis/storage.k8s.io/v1/storageclasses"
        elif obj["kind"] == "ConfigMap":
            path = "/api/v1/namespaces/local-path-storage/configmaps"
        _api("POST", path, obj)


def cluster_of_node(node: str) -> dict | None:
    """The cluster a node container belongs to (for the fake engine's ``exec``)."""
    for path in sorted(_state_dir().glob("*.json")):
        data = json.loads(path.read_text())
        if node in data.get("nodes", []):
            return data
    return None


def record_images(cluster: str, names: list[str], *, nodes: list[str] | None = None) -> None:
    """Mark images as present on ``nodes`` (default: all) of ``cluster``."""
    data = _load(cluster)
    if data is None:
        return
    per_node = data.setdefault("node_images", {n: [] for n in data["nodes"]})
    for node in nodes or data["nodes"]:
        per_node.setdefault(node, [])
        per_node[node] += [n for n in names if n not in per_node[node]]
    data["images"] += [n for n in names if n not in data["images"]]
    _save(data)


def _delete(cluster, opts, positional) -> int:
    print(f'Deleting cluster "{cluster}" ...', file=sys.stderr)
    data = _load(cluster)
    target = _kubeconfig_target(opts)
    lock_error = ""
    try:  # delete.go: the kubeconfig entry first (under its lock), the nodes anyway, then the error
        fd = os.open(str(target) + ".lock", os.O_CREAT | os.O_EXCL, 0)
        os.close(fd)
        try:
            if target.is_file():
                _remove_from_kubeconfig(target, f"kind-{cluster}")
        finally:
            os.unlink(str(target) + ".lock")
    except FileExistsError:
        lock_error = f"failed to lock config file: open {target}.lock: file exists"
        print(f"ERROR: failed to update kubeconfig: {lock_error}", file=sys.stderr)
    except FileNotFoundError:
        pass  # the folder is gone: nothing to lock or update
    if data:
        for node in data["nodes"]:
            _api("DELETE", f"/api/v1/nodes/{node}")
        (_state_dir() / f"{cluster}.json").unlink(missing_ok=True)
        print(f"Deleted nodes: {json.dumps(data['nodes'])}", file=sys.stderr)
        if not list(_state_dir().glob("*.json")):
            _wipe_cluster_content()
    if lock_error:
        print(f'ERROR: failed to delete cluster "{cluster}": {lock_error}', file=sys.stderr)
        return 1
    return 0


def _load_image(cluster, opts, positional) -> int:
    engine = _engine()

    # docker-image.go: the image ID comes from `docker image inspect`, whatever the provider.
    store = engine.load_store("docker") if shutil.which("docker") else {}
    entries = []
    for image in positional:
        entry = engine.find(store, image)
        if entry is None:
            print(f'ERROR: image: "{image}" not present locally', file=sys.stderr)
            return 1
        entries.append((image, entry))
    data = _load(cluster)
    if not data:
        print(f'ERROR: no nodes found for cluster "{cluster}"', file=sys.stderr)
        return 1
    for image, entry in entries:
        print(
            f'Image: "{image}" with ID "{entry["id"]}" not yet present on node "{data["nodes"][0]}", loading...',
            file=sys.stderr,
        )
    # `docker save` (plain) then `ctr ... import --all-platforms --digests` on each node.
    containerd_store = os.environ.get("FAKE_DOCKER_STORE", "containerd") == "containerd"
    archive = {
        "format": "fake-image-archive",
        "images": [
            {
                "name": image,
                "platforms": entry["platforms"] if containerd_store else entry["content"],
                "content": entry["content"],
            }
            for image, entry in entries
        ],
    }
    return _import_everywhere(data, json.dumps(archive), provider="docker")


def _load_archive(cluster, opts, positional) -> int:
    for path in positional:
        if not Path(path).is_file():
            print(f"ERROR: stat {path}: no such file or directory", file=sys.stderr)
            return 1
    data = _load(cluster)
    if not data:
        print(f'ERROR: no nodes found for cluster "{cluster}"', file=sys.stderr)
        return 1
    for path in positional:
        code = _import_everywhere(data, Path(path).read_text(errors="replace"), provider=_provider())
        if code:
            return code
    return 0


def _import_everywhere(data: dict, archive: str, *, provider: str) -> int:
    engine = _engine()

    names, error = engine.ctr_import(archive, all_platforms=True, wanted=None)
    if error:
        node = data["nodes"][0]
        print(
            f'ERROR: failed to load image: command "{provider} exec --privileged -i {node} ctr --namespace=k8s.io '
            'images import --all-platforms --digests --snapshotter=overlayfs -" failed with error: exit status 1',
            file=sys.stderr,
        )
        print(f"Command Output: {error}", file=sys.stderr)
        return 1
    record_images(data["name"], names)
    return 0


HANDLERS = {
    "version": _version,
    "get-clusters": _get_clusters,
    "get-nodes": _get_nodes,
    "get-kubeconfig": _get_kubeconfig,
    "create": _create,
    "delete": _delete,
    "load": _load_image,
    "load-archive": _load_archive,
}


# --- kubeconfig and API ----------------------------------------------------------------------


def _kubeconfig_target(opts: dict) -> Path:
    # kind's own precedence: --kubeconfig, then $KUBECONFIG (first entry), then ~/.kube/config.
    if opts.get("kubeconfig"):
        return Path(opts["kubeconfig"])
    env = os.environ.get("KUBECONFIG", "").split(os.pathsep)[0]
    return Path(env) if env else Path.home() / ".kube" / "config"


def _kubeconfig(cluster: str) -> dict:
    context = f"kind-{cluster}"
    server = os.environ.get("FAKE_KIND_API_URL") or "https://127.0.0.1:6443"
    cluster_entry = {"server": server}
    if os.environ.get("FAKE_KIND_CA"):
        cluster_entry["certificate-authority-data"] = base64.b64encode(
            Path(os.environ["FAKE_KIND_CA"]).read_bytes()
        ).decode()
    elif server.startswith("https"):
        cluster_entry["insecure-skip-tls-verify"] = True
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": context, "cluster": cluster_entry}],
        "contexts": [{"name": context, "context": {"cluster": context, "user": context}}],
        "current-context": context,
        "preferences": {},
        "users": [{"name": context, "user": {"token": os.environ.get("FAKE_KIND_TOKEN", "fake-kind-token")}}],
    }


def _merge_kubeconfig(path: Path, new: dict) -> None:
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = ""
    old = {}
    if text.strip():
        import yaml

        old = yaml.safe_load(text) or {}
    merged = dict(new)
    for key in ("clusters", "contexts", "users"):
        keep = [e for e in old.get(key) or [] if e["name"] not in {n["name"] for n in new[key]}]
        merged[key] = keep + new[key]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(merged, handle, indent=2)


def _remove_from_kubeconfig(path: Path, context: str) -> None:
    import yaml

    data = yaml.safe_load(path.read_text()) or {}
    for key in ("clusters", "contexts", "users"):
        data[key] = [e for e in data.get(key) or [] if e.get("name") != context]
    if data.get("current-context") == context:
        data["current-context"] = ""
    path.write_text(json.dumps(data, indent=2))


def _api(method: str, path: str, body: dict | None = None) -> dict | None:
    base = os.environ.get("FAKE_KIND_API_URL")
    if not base:
        return None
    request = urllib.request.Request(
        base.rstrip("/") + path,
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {os.environ.get('FAKE_KIND_TOKEN', '')}",
        },
    )
    context = None
    if base.startswith("https"):
        ca = os.environ.get("FAKE_KIND_CA")
        context = ssl.create_default_context(cafile=ca) if ca else ssl._create_unverified_context()
    try:
        with urllib.request.urlopen(request, timeout=10, context=context) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as err:
        if err.code in (404, 409):
            return None
        raise


def node_object(name: str, role: str, ready: bool) -> dict:
    labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    if role == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {"name": name, "labels": labels},
        "spec": {},
        "status": node_status(ready),
    }


def node_status(ready: bool) -> dict:
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return {
        "conditions": [
            {
                "type": "Ready",
                "status": "True" if ready else "False",
                "reason": "KubeletReady" if ready else "KubeletNotReady",
                "message": "kubelet is posting ready status" if ready else "container runtime network not ready",
                "lastHeartbeatTime": now,
                "lastTransitionTime": now,
            }
        ],
        "nodeInfo": {
            "kubeletVersion": "v1.35.0",
            "containerRuntimeVersion": "containerd://2.2.0",
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


def set_ready(name: str, ready: bool) -> None:
    current = _api("GET", f"/api/v1/nodes/{name}")
    if current is None:
        return
    current["status"] = node_status(ready)
    _api("PUT", f"/api/v1/nodes/{name}/status", current)


def _register_nodes(nodes: list[str], roles: list[str]) -> None:
    if not os.environ.get("FAKE_KIND_API_URL"):
        return
    later = os.environ.get("FAKE_KIND_READY_AFTER")
    ready = not (os.environ.get("FAKE_KIND_NOT_READY") or later)
    for name, role in zip(nodes, roles, strict=True):
        made = _api("POST", "/api/v1/nodes", node_object(name, role, ready))
        conditions = ((made or {}).get("status") or {}).get("conditions") or []
        if made is not None and not conditions:
            set_ready(name, ready)  # a server that drops status on create, like a real one
    if later:
        subprocess.Popen(
            [sys.executable, "-m", "fakekind.kind", "__ready__", later, *nodes],
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )


if __name__ == "__main__":
    if sys.argv[1:2] == ["__ready__"]:
        time.sleep(float(sys.argv[2]))
        for node in sys.argv[3:]:
            set_ready(node, True)
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
