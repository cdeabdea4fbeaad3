"""Noticing (and undoing) gradebook edits made behind the grader's back while kernels ran.

Grading kernels run learner code with the grader's own file permissions. Such code could open
``gradebook.db`` directly and, say, set a manual score for itself. The guard remembers every
score-bearing value of the assignment before grading, learns what the grader itself wrote for
each submission, and at the end compares the gradebook with that: any other change is reported
as tampering and put back. (It cannot see edits made after grading finishes; the book's trust
model says how to run grading so that kernels cannot write the course folder at all.)
"""

from __future__ import annotations

Key = tuple[str, str, str, str]  # student, notebook, cell (or "" for the notebook row), field
Rows = dict[Key, float | None]


def rows_of(gb, assignment: str, student: str | None = None) -> Rows:
    """Score-bearing values of one submission (or all) of ``assignment`` through ``gb``'s session."""
    rows: Rows = {}
    for submission in gb.assignment_submissions(assignment):
        if student is not None and submission.student_id != student:
            continue
        for notebook in submission.notebooks:
            base = (submission.student_id, notebook.name)
            rows[(*base, "", "late_submission_penalty")] = _num(notebook.late_submission_penalty)
            for grade in notebook.grades:
                for name in ("auto_score", "manual_score", "extra_credit"):
                    rows[(*base, grade.name, name)] = _num(getattr(grade, name))
    return rows


class GradebookGuard:
    """Snapshot before grading; :meth:`expect` what the grader wrote; :meth:`verify_and_restore`."""

    def __init__(self, db_url: str, course_id: str, assignment: str) -> None:
        self.db_url, self.course_id, self.assignment = db_url, course_id, assignment
        with self._open() as gb:
            self.expected: Rows = rows_of(gb, assignment)

    def expect(self, student: str, written: Rows) -> None:
        """The rows the grader committed for ``student`` replace what was there before."""
        self.expected = {k: v for k, v in self.expected.items() if k[0] != student}
        self.expected.update(written)

    def verify_and_restore(self) -> list[str]:
        """Put back every value that differs from what the grader knows; describe each one."""
        changed = []
        with self._open() as gb:
            actual = rows_of(gb, self.assignment)
            for key in sorted(set(actual) | set(self.expected)):
                want, got = self.expected.get(key), actual.get(key)
                if key not in self.expected or want != got:
                    changed.append(f"{'/'.join(filter(None, key[:3]))} {key[3]}: expected {want}, found {got}")
                    if key in self.expected and key in actual:
                        self._restore(gb, key, want)
            if changed:
                gb.db.commit()
        return changed

    def _restore(self, gb, key: Key, value) -> None:
        student, notebook, cell, name = key
        if not cell:
            gb.find_submission_notebook(notebook, self.assignment, student).late_submission_penalty = value
        else:
            setattr(gb.find_grade(cell, notebook, self.assignment, student), name, value)

    def _open(self):
        from nbgrader.api import Gradebook

        return Gradebook(self.db_url, self.course_id)


def _num(value) -> float | None:
    return None if value is None else float(value)


__all__ = ["GradebookGuard", "rows_of"]
