"""``sandbox.images.SavedArchives``: one save per image and flavour however many clusters ask at
once, and a failed save not remembered."""

import threading
import time

import pytest

from sandbox.errors import CommandFailed
from sandbox.images import SavedArchives, saved_archives


def test_concurrent_callers_share_one_save_per_image_and_flavour(tmp_path):
    archives = SavedArchives(tmp_path)
    saves: list[str] = []

    def save(path):
        saves.append(path.name)
        time.sleep(0.05)  # the others arrive while the first save runs
        path.write_text("archive")

    got: list = []
    threads = [
        threading.Thread(target=lambda image=image, flavour=flavour: got.append(archives.get(image, flavour, save)))
        for image in ("a:1", "b:1")
        for flavour in ("linux/amd64", "all")
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(saves) == 4 and len(set(saves)) == 4  # one per (image, flavour), each its own file
    assert len(got) == 16 and len(set(got)) == 4 and all(p.parent == tmp_path for p in got)


def test_a_failed_save_is_tried_again_by_the_next_caller(tmp_path):
    archives = SavedArchives(tmp_path)
    tries = []

    def save(path):
        tries.append(path)
        if len(tries) == 1:
            raise CommandFailed("`docker image save` failed (exit 1): no space left on device")
        path.write_text("archive")

    with pytest.raises(CommandFailed):
        archives.get("a:1", "all", save)
    assert archives.get("a:1", "all", save).read_text() == "archive"
    assert archives.get("a:1", "all", save) == tries[1] and len(tries) == 2


def test_saved_archives_removes_its_folder():
    with saved_archives() as archives:
        archives.get("a:1", "all", lambda path: path.write_text("x"))
        folder = archives.folder
        assert folder.is_dir()
    assert not folder.exists()
