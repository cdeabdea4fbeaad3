"""``kubecourse class up / down``: one sandbox per learner of a roster, for a workshop room."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from coursecore.errors import EXIT_FAILED
from kubecourse.cli import _backend_options as options
from kubecourse.cli._lab_options import ADDONS_LOCK, STRICT_ADDONS
from kubecourse.cli._output import err, next_step, out, print_json, progress
from sandbox import kind, lifecycle, state
from sandbox.class_progress import LiveProgress
from sandbox.class_run import DEFAULT_PARALLEL, ClassReport

class_app = typer.Typer(
    name="class",
    help="Prepare a room: one sandbox per learner of a roster (CSV with a `name` column).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
ROSTER_HELP = "CSV file with a `name` column, one learner per line."


@class_app.command("up")
def class_up(
    roster: Path = typer.Option(..., "--roster", help=ROSTER_HELP),
    output: Path = typer.Option(
        Path("kubeconfigs"), "--output", "-o", help="Folder for the learners' kubeconfig files (NAME.kubeconfig)."
    ),
    parallel: int = typer.Option(
        DEFAULT_PARALLEL, "--parallel", "-p", help="Sandboxes created (and prepared) at once."
    ),
    nodes: int = typer.Option(
        1, "--nodes", min=1, max=8, help="Nodes per sandbox (with --lab, at least as many as the lab needs)."
    ),
    ttl: str = typer.Option(None, "--ttl", help="Reapable after this long, e.g. 8h."),
    image: str = typer.Option(kind.DEFAULT_NODE_IMAGE, "--image", help="kind node image."),
    force: bool = typer.Option(False, "--force", help="Go beyond this host's estimated capacity."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    backend: str = options.BACKEND,
    kubeconfig: Path = options.KUBECONFIG,
    context: str = options.CONTEXT,
    settings: Path = options.SETTINGS,
    lab: str = options.LAB,
    offline: bool = typer.Option(
        False, "--offline", help="kind backend, with --lab: use only what `kubecourse prefetch` cached."
    ),
    addons_lock: Path = ADDONS_LOCK,
    strict_addons: bool = STRICT_ADDONS,
) -> None:
    """Create one sandbox per roster line, `--parallel` at a time, with a live progress display.

    Each learner's kubeconfig is written to `--output` as `NAME.kubeconfig` (mode 0600). Learners
    whose sandbox already runs keep it. A failure does not stop the others; the summary lists
    every learner and the command exits 1 if any failed. Refuses to start when the roster needs
    more sandboxes than `kubecourse doctor` estimates this host can hold, unless `--force`.

    With `--lab LAB`, every sandbox is also prepared for that lab exactly as `kubecourse start
    LAB` prepares one (namespaces, add-ons verified against their pins, images loaded into the
    nodes, data copied), and a kubeconfig is handed out only once its sandbox is ready. The lab is
    checked before anything is made; what the host needs once (add-on manifests, building or
    pulling the lab's images) is done once for the whole room. Run `kubecourse prefetch` first on
    a poor network, then use `--offline`.

    With `--backend namespace`, each learner gets a namespace `kc-NAME` on the cluster of
    `--kubeconfig`/`--context` instead (quota, limits, Pod Security, network isolation, a token
    that expires); running it again refreshes objects and tokens. There `--lab` checks that the
    instructor installed the lab's add-ons and copies the lab's data into each namespace.
    """
    from sandbox import backends  # the backends import both of them: only when a command runs

    chosen = backends.new(
        backend, nodes=nodes, image=image, force=force, kubeconfig=kubeconfig, context=context, settings=settings
    )
    pins = None
    if lab:
        from sandbox.addons import lock as addon_lock

        pins = addon_lock.current(addons_lock, strict=strict_addons)
    with lifecycle.sigterm_as_interrupt():
        report = chosen.class_up(
            roster,
            output=output,
            parallel=parallel,
            ttl=state.parse_duration(ttl),
            lab=lab,
            offline=offline,
            pins=pins,
            progress=progress,
            observer=LiveProgress(err, chosen.making),
        )
    _render(report, json_output)
    next_step(
        f"hand out the files in {output}/ (each learner: export KUBECONFIG=NAME.kubeconfig"
        + (f", then `kubecourse check {report.lab}`)" if report.lab else ")")
    )


@class_app.command("down")
def class_down(
    roster: Path = typer.Option(..., "--roster", help=ROSTER_HELP),
    output: Path = typer.Option(None, "--output", "-o", help="Also delete the handed-out kubeconfigs here."),
    parallel: int = typer.Option(DEFAULT_PARALLEL, "--parallel", "-p", help="Deletions at once."),
    json_output: bool = typer.Option(False, "--json", help="Print the summary as JSON."),
    backend: str = options.BACKEND,
    kubeconfig: Path = options.KUBECONFIG,
    context: str = options.CONTEXT,
    settings: Path = options.SETTINGS,
) -> None:
    """Delete the sandbox of every roster learner (missing ones count as deleted).

    With `--backend namespace`, deletes each learner's namespace, and only one labelled as made
    by kubecourse for that learner and course (`course` in `--settings`).
    """
    from sandbox import backends

    chosen = backends.new(backend, kubeconfig=kubeconfig, context=context, settings=settings)
    report = chosen.class_down(roster, output=output, parallel=parallel, observer=LiveProgress(err, "deleting"))
    _render(report, json_output)


def _render(report: ClassReport, json_output: bool) -> None:
    if json_output:
        print_json(report.to_json())
    else:
        table = Table(
            title=f"class {report.action}: "
            + ", ".join(f"{v} {k}" for k, v in report.counts().items())
            + (
                f"; lab {report.lab} ready in {sum(r.ok for r in report.results)} of {len(report.results)}"
                if report.lab
                else ""
            )
            + f" in {report.seconds:.1f} s",
            title_justify="left",
        )
        columns = ("name", "status", "seconds") + (("lab",) if report.lab else ()) + ("kubeconfig / error",)
        for column in columns:
            table.add_column(column, justify="right" if column == "seconds" else "left")
        for r in report.results:
            colour = "green" if r.ok else "red"
            lab = (f"ready, {len(r.steps)} step{'s' * (len(r.steps) != 1)}" if r.ok else "-",) if report.lab else ()
            table.add_row(
                r.name, f"[{colour}]{r.status}[/{colour}]", f"{r.seconds:.1f}", *lab, r.kubeconfig or r.error or ""
            )
        out.print(table)
    if not report.ok:
        raise typer.Exit(EXIT_FAILED)


def register(app: typer.Typer) -> None:
    from kubecourse.cli import class_watch_cmd

    class_watch_cmd.register(class_app)
    app.add_typer(class_app, name="class")


__all__ = ["class_app", "register"]
