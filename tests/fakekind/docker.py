"""The fake ``docker`` program: just enough for image preparation (inspect, build, pull, save).

Images "present locally" are lines of ``$FAKE_KIND_STATE/docker-images.txt``. ``FAKE_DOCKER_FAIL``
names verbs that fail (``build``, ``pull``, ``info``). Invocations go to ``$FAKE_KIND_LOG`` with
``"tool": "docker"``.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def _images_file() -> Path:
    folder = Path(os.environ.get("FAKE_KIND_STATE") or Path.home() / ".fakekind")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "docker-images.txt"


def _images() -> list[str]:
    try:
        return [line for line in _images_file().read_text().splitlines() if line]
    except FileNotFoundError:
        return []


def _add(image: str) -> None:
    if image not in _images():
        with open(_images_file(), "a") as handle:
            handle.write(image + "\n")


def main(argv: list[str]) -> int:
    log = os.environ.get("FAKE_KIND_LOG")
    verb = argv[0] if argv else ""
    if verb == "image" and argv[1:2] == ["inspect"]:
        verb = "inspect"
    if log:
        line = json.dumps({"tool": "docker", "argv": argv, "verb": verb, "time": time.time()}) + "\n"
        fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        os.write(fd, line.encode())
        os.close(fd)
    if verb in os.environ.get("FAKE_DOCKER_FAIL", "").split(","):
        print(f"ERROR: fake docker {verb} failure", file=sys.stderr)
        return 1
    if verb == "info":
        print("29.0.0")
        return 0
    if verb == "inspect":
        image = argv[-1]
        if image in _images():
            print(json.dumps([{"Id": "sha256:0000", "RepoTags": [image]}]))
            return 0
        print(f"Error response from daemon: No such image: {image}", file=sys.stderr)
        return 1
    if verb == "build":
        tag = argv[argv.index("-t") + 1] if "-t" in argv else None
        context = Path(argv[-1])
        if not (context / "Dockerfile").is_file():
            print(f"ERROR: failed to read dockerfile: open {context}/Dockerfile: no such file", file=sys.stderr)
            return 1
        if tag:
            _add(tag)
        return 0
    if verb == "pull":
        _add(argv[-1])
        print(f"{argv[-1]}: Pulled")
        return 0
    print(f"docker: '{verb}' is not a docker command.", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
