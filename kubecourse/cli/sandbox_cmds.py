"""``kubecourse up / ls / down / start / prefetch``: one learner's sandbox, from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.table import Table

from coursecore.errors import EXIT_FAILED, UsageError
from kubecourse.cli import _backend_options as options
from kubecourse.cli._lab_options import ADDONS_LOCK, OFFLINE_HELP, STRICT_ADDONS
from kubecourse.cli._output import err, next_step, out, print_json, progress
from sandbox import kind, lifecycle, state

NAME_HELP = "Sandbox name (lowercase letters, digits, dashes; at most 39). Default: your login name."


def up(
    name: str = typer.Option(None, "--name", "-n", help=NAME_HELP),
    nodes: int = typer.Option(1, "--nodes", min=1, max=8, help="Nodes: one control plane plus N-1 workers."),
    ttl: str = typer.Option(None, "--ttl", help="Delete after this long when reaped, e.g. 8h, 90m, 2d."),
    image: str = typer.Option(kind.DEFAULT_NODE_IMAGE, "--image", help="kind node image (pinned by digest)."),
    recreate: bool = typer.Option(False, "--recreate", help="Delete an existing sandbox first (broken or not)."),
    json_output: bool = typer.Option(False, "--json", help="Print the sandbox as JSON instead of the export line."),
    backend: str = options.BACKEND,
    kubeconfig: Path = options.KUBECONFIG,
    context: str = options.CONTEXT,
    settings: Path = options.SETTINGS,
) -> None:
    """Create your sandbox: a kind cluster `kubecourse-NAME` with its own kubeconfig.

    The credentials go to `$KUBECOURSE_HOME/sandboxes/NAME/kubeconfig` (mode 0600); your
    `~/.kube/config` is never touched. Waits until every node is Ready, then prints the
    `export KUBECONFIG=...` line to use it (`eval "$(kubecourse up)"` does both).

    Running `up` again reuses a healthy sandbox. A broken one is reported; `--recreate` replaces
    it. A failed or interrupted creation deletes whatever it had made.

    `--backend namespace` makes a namespace `kc-NAME` on an existing cluster instead (see
    `kubecourse class up --help`); its kubeconfig holds a token that expires.
    """
    from sandbox import backends  # the backends import both of them: only when a command runs

    chosen = backends.for_up(
        backend,
        name,
        nodes=nodes,
        image=image,
        recreate=recreate,
        kubeconfig=kubeconfig,
        context=context,
        settings=settings,
    )
    with lifecycle.sigterm_as_interrupt():
        made = chosen.up(name, ttl=state.parse_duration(ttl), progress=progress)
    if json_output:
        print_json(made.to_json())
    else:
        # Plain write: rich would wrap a long path, and this line is meant for `eval`.
        sys.stdout.write(made.export_line + "\n")
    err.print(made.summary(), markup=False)
    if made.next_step:
        next_step(made.next_step)


def ls(
    json_output: bool = typer.Option(False, "--json", help="Print the sandboxes as a JSON list."),
) -> None:
    """List sandboxes: name, cluster, status, age, TTL, lab.

    Status is checked against `kind get clusters`: running, missing (the cluster is gone),
    expired (its TTL passed), creating, or foreign (a `kubecourse-*` cluster this
    `$KUBECOURSE_HOME` did not make: on a shared host, another user's sandbox). `kubecourse down
    --expired` deletes expired and missing ones; foreign clusters only with `--include-foreign`.
    """
    from sandbox import inventory

    rows = inventory.list_sandboxes()
    if json_output:
        print_json([r.to_json() for r in rows])
        return
    table = Table(title=f"{len(rows)} sandbox{'es' * (len(rows) != 1)}", title_justify="left")
    for column in ("name", "backend", "cluster", "status", "age", "ttl", "expires in", "lab"):
        table.add_column(column)
    colours = {"running": "green", "creating": "cyan", inventory.FOREIGN: "yellow"}
    for r in rows:
        colour = colours.get(r.status, "red")
        table.add_row(
            r.name,
            r.backend,
            r.cluster,
            f"[{colour}]{r.status}[/{colour}]",
            state.format_duration(r.age),
            state.format_duration(r.ttl),
            state.format_duration(r.expires_in) if (r.expires_in or 0) > 0 else "-",
            r.lab or "-",
        )
    out.print(table)
    stale = [r for r in rows if r.status in inventory.REAPABLE]
    if stale:
        next_step(f"kubecourse down --expired   ({len(stale)} expired or missing)")
    elif not rows:
        next_step("kubecourse up")


def down(
    name: str = typer.Option(None, "--name", "-n", help=NAME_HELP),
    all_: bool = typer.Option(False, "--all", help="Delete every kubecourse sandbox on this host."),
    expired: bool = typer.Option(False, "--expired", help="Delete expired and missing sandboxes."),
    include_foreign: bool = typer.Option(
        False,
        "--include-foreign",
        help="With --all or --expired (or no name), also delete `kubecourse-*` clusters this "
        "$KUBECOURSE_HOME did not make (on a shared host: other users' sandboxes).",
    ),
    json_output: bool = typer.Option(False, "--json", help="Print what was deleted as JSON."),
) -> None:
    """Delete a sandbox: its kind cluster and its state (kubeconfig included).

    With no option, deletes your own sandbox (named after your login). Deleting a sandbox that
    does not exist succeeds. A cluster this `$KUBECOURSE_HOME` did not make (see `kubecourse
    ls`: foreign) is deleted only when named with `--name`, or with `--include-foreign`.
    """
    from sandbox import backends, inventory

    if sum(bool(x) for x in (name, all_, expired)) > 1:
        raise UsageError("give only one of --name, --all and --expired")
    if all_:
        results = inventory.down_all(include_foreign=include_foreign)
    elif expired:
        results = inventory.reap(include_foreign=include_foreign)
    else:
        # A name given explicitly is the user's decision, foreign or not.
        results = [backends.for_sandbox(name).down(name, include_foreign=include_foreign or bool(name))]
    if json_output:
        print_json([r.to_json() for r in results])
        return
    for r in results:
        out.print(f"deleted {r.name} ({r.what} {r.cluster}, {r.reason})", markup=False, highlight=False)
    if not results:
        out.print("nothing to delete")


def start(
    lab: str = typer.Argument(..., help="Lab id, as listed by `kubecourse labs`."),
    name: str = typer.Option(None, "--name", "-n", help=NAME_HELP),
    offline: bool = typer.Option(False, "--offline", help=OFFLINE_HELP),
    json_output: bool = typer.Option(False, "--json", help="Print what was prepared as JSON."),
    addons_lock: Path = ADDONS_LOCK,
    strict_addons: bool = STRICT_ADDONS,
) -> None:
    """Prepare a lab: create your sandbox if needed, then install what the lab asks for.

    Namespaces, add-ons (such as Argo Workflows, at a pinned release), the lab's images (built
    from its Dockerfile if missing, then loaded into the nodes) and its data (copied onto a
    PersistentVolumeClaim). Waits until all of it is ready. Running it again changes nothing.

    Add-on manifests are verified by sha256 against their pin. One that no release or lock pins
    is recorded in `$KUBECOURSE_HOME/addons.lock` on its first download (one line says so, with
    the hash to compare) and verified against it from then on; a changed file is refused.
    """
    from sandbox import backends
    from sandbox.addons import lock as addon_lock

    chosen = backends.for_sandbox(name)
    with lifecycle.sigterm_as_interrupt():
        result = chosen.start(
            lab, name, offline=offline, progress=progress, pins=addon_lock.current(addons_lock, strict=strict_addons)
        )
    if json_output:
        print_json(result.to_json())
    else:
        for item in result.steps:
            out.print(f"{item['step']}: {item['detail']}", markup=False, highlight=False)
        sys.stdout.write(result.sandbox.export_line + "\n")
    err.print(f"lab [bold]{result.lab}[/bold] ready in sandbox {result.sandbox.state.name} ({result.seconds:.1f} s)")
    next_step(f"open the lab notebook, then `kubecourse check {result.lab}`")


def prefetch(
    labs: list[str] = typer.Argument(None, help="Lab ids; default: every lab."),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object per item."),
    addons_lock: Path = ADDONS_LOCK,
    strict_addons: bool = STRICT_ADDONS,
) -> None:
    """Download and cache what labs need, so that they start offline later.

    Fetches the pinned kind node image, add-on manifests (verified against their pins and kept
    in `$KUBECOURSE_HOME/cache`), add-on images and lab images. Run it on the workshop host
    before the room fills up. A manifest no lock pins yet is recorded in
    `$KUBECOURSE_HOME/addons.lock` (status `pinned`): ship that file with the course so that every
    learner verifies against the same hashes. Exits 1 if any item failed (the others are still
    fetched).
    """
    from sandbox import prefetch as prefetch_mod  # its downloads' modules: not for up and ls
    from sandbox.addons import lock as addon_lock

    pins = addon_lock.current(addons_lock, strict=strict_addons)
    results = prefetch_mod.prefetch(labs or None, progress=progress, pins=pins)
    if json_output:
        print_json([r.to_json() for r in results])
    else:
        table = Table(title="prefetch", title_justify="left")
        for column in ("what", "name", "status", "detail"):
            table.add_column(column)
        for r in results:
            colour = "red" if not r.ok else "green"
            table.add_row(r.kind, r.name, f"[{colour}]{r.status}[/{colour}]", r.detail)
        out.print(table)
    if not all(r.ok for r in results):
        raise typer.Exit(EXIT_FAILED)
    next_step("kubecourse start LAB --offline")


def register(app: typer.Typer) -> None:
    app.command("up")(up)
    app.command("ls")(ls)
    app.command("down")(down)
    app.command("start")(start)
    app.command("prefetch")(prefetch)


__all__ = ["down", "ls", "prefetch", "register", "start", "up"]
