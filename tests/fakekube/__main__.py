"""Run a fake API server from the command line until interrupted.

    PYTHONPATH=tests python -m fakekube --port 0 --kubeconfig /tmp/kc [--node NAME] [--load FILE]

prints the server URL as its first line of output (then the kubeconfig path), so a wrapper
such as the fake ``kind`` can start one and read where it listens. SIGTERM and SIGINT stop it.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

import yaml

from .errors import ApiError
from .manifests import ready_node
from .server import FakeKubeServer


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m fakekube", description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0, help="TCP port on 127.0.0.1 (0: any free)")
    parser.add_argument("--kubeconfig", help="write a kubeconfig (mode 0600) for the server here")
    parser.add_argument("--context", default="fakekube", help="context/cluster/user name")
    parser.add_argument("--namespace", help="default namespace of the kubeconfig's context")
    parser.add_argument("--token", help="accepted bearer token (default: random)")
    parser.add_argument(
        "--plain-http",
        action="store_true",
        help="serve HTTP without TLS and allow anonymous requests (kubectl sends no token over plain HTTP)",
    )
    parser.add_argument("--node", action="append", default=[], help="create a Ready node with this name (repeatable)")
    parser.add_argument(
        "--load", action="append", default=[], help="create the objects of this YAML file at start (repeatable)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    server = FakeKubeServer(port=args.port, token=args.token, tls=not args.plain_http, allow_anonymous=args.plain_http)
    try:
        for name in args.node:
            server.create(ready_node(name))
        for path in args.load:
            with open(path, encoding="utf-8") as handle:
                for document in yaml.safe_load_all(handle):
                    if document:
                        server.create(document)
    except (OSError, yaml.YAMLError, ApiError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    server.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    kubeconfig = (
        server.write_kubeconfig(args.kubeconfig, context=args.context, namespace=args.namespace)
        if args.kubeconfig
        else None
    )
    print(server.url, flush=True)  # only once the kubeconfig is in place
    if kubeconfig:
        print(kubeconfig, flush=True)
    try:
        stop.wait()
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
