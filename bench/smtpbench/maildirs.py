# SPDX-License-Identifier: MIT
"""Counting the messages delivered into the Maildirs below a directory.

A message counts once its file is in the new/ directory of a Maildir
(the last step of a Maildir delivery: write to tmp/, fsync, link or
rename into new/). The layout of users below the root differs between
the systems, so any directory named new/ beside a cur/ and a tmp/ counts.
"""

import os


def count_new(root):
    """Number of files in the new/ directories of the Maildirs below
    root (0 when root does not exist yet)."""
    total = 0
    todo = [root]
    while todo:
        path = todo.pop()
        try:
            entries = list(os.scandir(path))
        except OSError:
            continue
        names = {e.name for e in entries}
        is_maildir = {"new", "cur", "tmp"} <= names
        for e in entries:
            if not e.is_dir(follow_symlinks=False):
                continue
            if is_maildir and e.name == "new":
                total += _count_files(e.path)
            elif is_maildir and e.name in ("cur", "tmp"):
                continue
            else:
                todo.append(e.path)
    return total


def _count_files(path):
    n = 0
    try:
        with os.scandir(path) as it:
            for e in it:
                if not e.name.startswith("."):
                    n += 1
    except OSError:
        pass
    return n
