# SPDX-License-Identifier: MIT
"""Counting the messages delivered into the Maildirs below a directory.

A message counts once its file is in the new/ directory of a Maildir
(the last step of a Maildir delivery: write to tmp/, fsync, link or
rename into new/). The layout of users below the root differs between
the systems, so any directory named new/ beside a cur/ and a tmp/ counts.

A Counter keeps the count of each new/ directory with its mtime and
lists the directory again only when the mtime changed, or when it is too
recent to be trusted (file times come from a coarse clock, so two
entries made within one tick may leave the same mtime). This keeps the
polling cheap when 20,000 files sit in the Maildirs.
"""

import os
import time

TRUST_AGE_S = 1.0


class Counter:
    def __init__(self, root):
        self.root = root
        self.cache = {}

    def count(self):
        """Number of files in the new/ directories below root (0 when
        root does not exist yet)."""
        total = 0
        for path in self._new_dirs():
            total += self._count_dir(path)
        return total

    def _new_dirs(self):
        todo, found = [self.root], []
        while todo:
            path = todo.pop()
            try:
                with os.scandir(path) as it:
                    dirs = [e.name for e in it
                            if e.is_dir(follow_symlinks=False)]
            except OSError:
                continue
            if {"new", "cur", "tmp"} <= set(dirs):
                found.append(os.path.join(path, "new"))
                dirs = [d for d in dirs if d not in ("new", "cur", "tmp")]
            todo.extend(os.path.join(path, d) for d in dirs)
        return found

    def _count_dir(self, path):
        now = time.time()
        try:
            mtime = os.stat(path).st_mtime_ns
        except OSError:
            return 0
        hit = self.cache.get(path)
        if hit and hit[0] == mtime and hit[1] - mtime / 1e9 > TRUST_AGE_S:
            return hit[2]
        n = 0
        try:
            with os.scandir(path) as it:
                for e in it:
                    if not e.name.startswith("."):
                        n += 1
        except OSError:
            return 0
        self.cache[path] = (mtime, now, n)
        return n

