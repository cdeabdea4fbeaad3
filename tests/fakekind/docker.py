"""The fake container engine: ``docker`` (or ``podman``, by the name it is called with), the verbs
image preparation and loading use, with the image store behaviour that breaks ``kind load``.

Images live in ``$FAKE_KIND_STATE/engine/<tool>-images.json`` (``{ref: {"id", "platforms", "content",
"digests"}}``): ``platforms`` is what the image's index lists, ``content`` the platforms whose
blobs are really in the store. A pulled image is multi-platform with only this machine's
platform's content, as Docker and Podman pull; a built one has one platform.

What follows the real engines:

- ``docker -v`` prints "Docker version ...", ``podman -v`` "podman version ..." (kind detects its
  provider from these, pkg/cluster/internal/providers/{docker,podman}/util.go IsAvailable).
- ``image save`` (docker/cli, moby's containerd image store): under the **containerd store**
  (``FAKE_DOCKER_STORE=containerd``, the default of new Docker installs) a plain save writes the
  whole index, other platforms' manifests included though their content is absent; under the
  classic store (``overlay2``) and with Podman it writes this platform only. ``--platform P``
  writes P only (Docker >= 28; ``FAKE_DOCKER_OLD=1`` answers "unknown flag: --platform").
- ``exec [-i] NODE ctr --namespace=k8s.io images import [--all-platforms|--platform P] -``
  (containerd's ctr, kind's pkg/cluster/nodeutils/util.go LoadImageArchive): with
  ``--all-platforms`` an archive whose index names content it lacks fails with "ctr: content
  digest sha256:...: not found" (kind issue #3795); with ``--platform P`` only P is imported.
  The node must be a container of this engine (a fake kind cluster made with its provider).
- ``exec NODE containerd config dump`` prints a version 3 config with the overlayfs snapshotter.

``FAKE_DOCKER_FAIL`` names verbs that fail (``build``, ``pull``, ``info``, ``save``, ``exec``);
``FAKE_DOCKER_SLEEP`` (``VERB:SECONDS,...``) is time to spend in a verb (for benchmarks).
Invocations go to ``$FAKE_KIND_LOG`` with ``"tool": "docker"`` (or ``podman``).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import sys
import time
from pathlib import Path

ARCH = {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower(), "amd64")
HOST_PLATFORM = f"linux/{ARCH}"
UPSTREAM_PLATFORMS = ["linux/amd64", "linux/arm64", "linux/arm/v7"]


def _tool() -> str:
    return os.environ.get("FAKE_ENGINE_TOOL") or "docker"


def _state() -> Path:
    folder = Path(os.environ.get("FAKE_KIND_STATE") or Path.home() / ".fakekind")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store_file(tool: str) -> Path:
    folder = _state() / "engine"
    folder.mkdir(exist_ok=True)
    return folder / f"{tool}-images.json"


def load_store(tool: str) -> dict:
    try:
        return json.loads(store_file(tool).read_text())
    except FileNotFoundError:
        return {}


def save_store(tool: str, store: dict) -> None:
    path = store_file(tool)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(store, indent=1))
    os.replace(tmp, path)


def digest_of(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def _repo(ref: str) -> str:
    name = ref.split("@", 1)[0]
    last = name.rsplit("/", 1)[-1]
    return name.rsplit(":", 1)[0] if ":" in last else name


def add_image(tool: str, ref: str, *, platforms: list[str] | None = None, digest: str | None = None) -> dict:
    """Put ``ref`` into ``tool``'s store (what a pull or a build leaves behind)."""
    store = load_store(tool)
    platforms = platforms or [HOST_PLATFORM]
    entry = {
        "id": digest_of("id:" + ref),
        "platforms": platforms,
        "content": [HOST_PLATFORM] if HOST_PLATFORM in platforms else platforms[:1],
        "digests": [f"{_repo(ref)}@{digest}"] if digest else [],
    }
    store[ref] = entry
    if digest:
        store[f"{_repo(ref)}@{digest}"] = entry
    save_store(tool, store)
    return entry


def find(store: dict, ref: str) -> dict | None:
    if ref in store:
        return store[ref]
    # A reference with both a tag and a digest is looked up by its digest, as engines do.
    if "@" in ref:
        return store.get(f"{_repo(ref)}@{ref.split('@', 1)[1]}")
    if "/" not in ref.split(":")[0] and f"docker.io/library/{ref}" in store:
        return store[f"docker.io/library/{ref}"]
    return None


def main(argv: list[str]) -> int:
    tool = _tool()
    log = os.environ.get("FAKE_KIND_LOG")
    verb = argv[0] if argv else ""
    if verb == "image" and argv[1:2]:
        verb, argv = argv[1], argv[1:]
    if log:
        line = json.dumps({"tool": tool, "argv": argv, "verb": verb, "time": time.time()}) + "\n"
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(fd, line.encode())
        os.close(fd)
    for item in filter(None, os.environ.get("FAKE_DOCKER_SLEEP", "").split(",")):
        step, _, seconds = item.partition(":")
        if step.strip() == verb:
            time.sleep(float(seconds))
    if verb in os.environ.get("FAKE_DOCKER_FAIL", "").split(","):
        print(f"ERROR: fake {tool} {verb} failure", file=sys.stderr)
        return 1
    handler = HANDLERS.get(verb)
    if handler is None:
        print(f"{tool}: '{verb}' is not a {tool} command.", file=sys.stderr)
        return 125 if tool == "podman" else 1
    return handler(tool, argv[1:])


def _version(tool: str, args: list[str]) -> int:
    print("podman version 5.4.0" if tool == "podman" else "Docker version 29.0.0, build 3d4129b")
    return 0


def _info(tool: str, args: list[str]) -> int:
    print("5.4.0" if tool == "podman" else "29.0.0")
    return 0


def _inspect(tool: str, args: list[str]) -> int:
    fmt = None
    refs = []
    i = 0
    while i < len(args):
        if args[i] in ("--format", "-f"):
            fmt, i = args[i + 1], i + 2
            continue
        refs.append(args[i])
        i += 1
    store = load_store(tool)
    entries = []
    for ref in refs:
        entry = find(store, ref)
        if entry is None:
            print(f"Error response from daemon: No such image: {ref}", file=sys.stderr)
            return 1
        entries.append((ref, entry))
    for ref, entry in entries:
        if fmt and "RepoDigests" in fmt:
            print(json.dumps(entry["digests"]))
        elif fmt and ".Id" in fmt:
            print(entry["id"])
        else:
            print(json.dumps([{"Id": entry["id"], "RepoTags": [ref], "RepoDigests": entry["digests"]}]))
    return 0


def _build(tool: str, args: list[str]) -> int:
    tag = args[args.index("-t") + 1] if "-t" in args else None
    context = Path(args[-1])
    if not (context / "Dockerfile").is_file():
        print(f"ERROR: failed to read dockerfile: open {context}/Dockerfile: no such file", file=sys.stderr)
        return 1
    if tag:
        add_image(tool, tag)
    return 0


def _pull(tool: str, args: list[str]) -> int:
    ref = args[-1]
    digest = ref.split("@", 1)[1] if "@" in ref else digest_of("registry:" + ref)
    add_image(tool, ref, platforms=list(UPSTREAM_PLATFORMS), digest=digest)
    print(f"{ref}: Pulled")
    return 0


def _tag(tool: str, args: list[str]) -> int:
    source, target = args[-2], args[-1]
    store = load_store(tool)
    entry = find(store, source)
    if entry is None:
        print(f"Error response from daemon: No such image: {source}", file=sys.stderr)
        return 1
    store[target] = entry
    save_store(tool, store)
    return 0


def _save(tool: str, args: list[str]) -> int:
    out, wanted, refs, i = None, None, [], 0
    while i < len(args):
        if args[i] in ("-o", "--output"):
            out, i = args[i + 1], i + 2
        elif args[i] == "--platform":
            if os.environ.get("FAKE_DOCKER_OLD") and tool == "docker":
                print("unknown flag: --platform\nSee 'docker image save --help'.", file=sys.stderr)
                return 125
            wanted, i = args[i + 1], i + 2
        else:
            refs.append(args[i])
            i += 1
    store = load_store(tool)
    containerd_store = tool == "docker" and os.environ.get("FAKE_DOCKER_STORE", "containerd") == "containerd"
    images = []
    for ref in refs:
        entry = find(store, ref)
        if entry is None:
            print(f"Error response from daemon: No such image: {ref}", file=sys.stderr)
            return 1
        if wanted is not None:
            if wanted not in entry["content"]:
                print(
                    f"Error response from daemon: image {ref} was found but does not provide the specified "
                    f"platform ({wanted})",
                    file=sys.stderr,
                )
                return 1
            platforms, content = [wanted], [wanted]
        elif containerd_store:
            platforms, content = entry["platforms"], entry["content"]
        else:
            platforms = content = entry["content"]
        images.append({"name": ref, "id": entry["id"], "platforms": platforms, "content": content})
    if out is None:
        print("cowardly refusing to save to a terminal", file=sys.stderr)
        return 1
    Path(out).write_text(json.dumps({"format": "fake-image-archive", "images": images}))
    return 0


def read_archive(text: str) -> list[dict] | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data.get("images") if isinstance(data, dict) and data.get("format") == "fake-image-archive" else None


def ctr_import(archive_text: str, *, all_platforms: bool, wanted: str | None) -> tuple[list[str], str]:
    """What containerd's ``ctr images import`` does with an archive: (image names, error)."""
    images = read_archive(archive_text)
    if images is None:
        return [], "ctr: unrecognized image format"
    names = []
    for image in images:
        if all_platforms:
            missing = [p for p in image["platforms"] if p not in image["content"]]
            if missing:
                return [], f"ctr: content digest {digest_of(image['name'] + missing[0])}: not found"
        else:
            target = wanted or HOST_PLATFORM
            if target not in image["content"]:
                return [], "ctr: image might be filtered out"
        names.append(image["name"])
    return names, ""


def _exec(tool: str, args: list[str]) -> int:
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 1
    node, command = args[i], args[i + 1 :]
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from fakekind import kind as fake_kind

    cluster = fake_kind.cluster_of_node(node)
    if cluster is None or cluster.get("provider", "docker") != tool:
        print(f"Error response from daemon: No such container: {node}", file=sys.stderr)
        return 1
    if command[:3] == ["containerd", "config", "dump"]:
        print('version = 3\n\n[plugins]\n  [plugins."io.containerd.cri.v1.images"]\n    snapshotter = "overlayfs"')
        return 0
    if command[:1] == ["ctr"] and "import" in command:
        wanted = command[command.index("--platform") + 1] if "--platform" in command else None
        names, error = ctr_import(sys.stdin.read(), all_platforms="--all-platforms" in command, wanted=wanted)
        if error:
            print(error, file=sys.stderr)
            return 1
        fake_kind.record_images(cluster["name"], names, nodes=[node])
        for name in names:
            print(f"unpacking {name} (sha256:...)...done")
        return 0
    print(f'OCI runtime exec failed: exec: "{command[0]}": executable file not found in $PATH', file=sys.stderr)
    return 126


HANDLERS = {
    "-v": _version,
    "--version": _version,
    "info": _info,
    "inspect": _inspect,
    "build": _build,
    "pull": _pull,
    "tag": _tag,
    "save": _save,
    "exec": _exec,
}


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
