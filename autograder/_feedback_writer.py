"""Writing each learner's feedback pages after their grades are recorded.

One page per notebook of the assignment (:mod:`autograder.feedback_page`), with the recorded
scores (manual ones included), any late penalty, the check results and the instructor's
comments; a folder per student replaced whole. A page that cannot be written is reported, and
the others are still written: the grades are already recorded.
"""

from __future__ import annotations

from autograder._course_files import Layout, replace_folder
from autograder._gradebook_guard import Baseline
from autograder._gradebook_writer import Stored
from autograder._grader import Outcome, Progress


def write_feedback(
    layout: Layout,
    assignment: str,
    baseline: Baseline,
    outcomes: list[Outcome],
    stored: dict[str, Stored],
    progress: Progress,
) -> list[str]:
    """Write ``feedback/<student>/<assignment>/<notebook>.html``; return the failures, one line each."""
    from autograder import feedback_page

    failures = []
    for outcome in outcomes:
        if outcome.status == "refused":
            continue
        record = stored.get(outcome.student)
        try:
            pages = {}
            for notebook in baseline.notebooks:
                done = outcome.notebooks.get(notebook.name)
                cell_scores = {
                    cell: v for (nb, cell), v in (record.cells if record else {}).items() if nb == notebook.name
                }
                comments = {
                    cell: m.comment
                    for (student, nb, cell), m in baseline.manual.items()
                    if student == outcome.student and nb == notebook.name and m.comment
                }
                problem = outcome.problem or ("" if done is not None else f"{notebook.name}.ipynb was not submitted")
                pages[notebook.name] = feedback_page.render(
                    feedback_page.Page(
                        student=outcome.student,
                        assignment=assignment,
                        notebook=notebook.name,
                        score=record.score if record else 0.0,
                        max_score=record.max_score if record else 0.0,
                        late_penalty=record.late_penalty if record else 0.0,
                        timestamp=outcome.timestamp_text,
                        problem=problem,
                        checks=tuple(feedback_page.check_line(r) for r in outcome.results.values())
                        if done is not None
                        else (),
                        notebook_node=done.notebook if done is not None else None,
                        cell_scores=cell_scores,
                        comments=comments,
                    )
                )
            replace_folder(layout.feedback / outcome.student / assignment, {f"{n}.html": t for n, t in pages.items()})
        except Exception as error:  # noqa: BLE001 - one page must not stop the others; grades are recorded
            failures.append(f"{outcome.student}: {type(error).__name__}: {error}")
        progress("feedback", outcome.student, len(outcomes))
    return failures


__all__ = ["write_feedback"]
