# SPDX-License-Identifier: MIT
"""The benchmark's output: a table of figures per system and
concurrency, the ratios Postern / anchor, and the results file."""

import os
import platform
import subprocess
import time

ANCHORS = ("postfix-dovecot", "postfix-virtual")

COLUMNS = (("msg/s", "rate", "{:.1f}"),
           ("CPU ms/msg", "cpu_ms", "{:.2f}"),
           ("peak PSS MB", "pss_mb", "{:.1f}"),
           ("peak RSS MB", "rss_mb", "{:.1f}"),
           ("procs", "procs", "{:d}"),
           ("client CPU ms/msg", "client_cpu_ms", "{:.2f}"))

RATIOS = (("msg/s", "rate"), ("CPU ms/msg", "cpu_ms"),
          ("peak PSS", "pss_mb"))


def figure_rows(results, labels):
    """Rows [system, sessions, messages, seconds, figures...] of the
    figures table; a run that failed has its reason instead."""
    rows = []
    for (key, sessions), r in results.items():
        if isinstance(r, str):
            rows.append([labels[key], str(sessions),
                         f"not measured: {r}"])
            continue
        rows.append([labels[key], str(sessions), str(r["messages"]),
                     f"{r['seconds']:.1f}"]
                    + [fmt.format(r[k]) for _, k, fmt in COLUMNS])
    return rows


def ratio_rows(results, labels):
    """Rows [anchor, sessions, ratio...] of Postern / anchor."""
    rows = []
    for (key, sessions), anchor in results.items():
        if key not in ANCHORS:
            continue
        ours = results.get(("postern", sessions))
        name = f"Postern / {labels[key]}"
        if ours is None:
            continue
        if isinstance(ours, str) or isinstance(anchor, str):
            rows.append([name, str(sessions), "n/a (a run failed)"])
            continue
        rows.append([name, str(sessions)]
                    + [f"{ours[k] / anchor[k]:.2f}" if anchor[k] else "n/a"
                       for _, k in RATIOS])
    return rows


FIG_HEAD = (["system", "sessions", "messages", "seconds"]
            + [c[0] for c in COLUMNS])
RATIO_HEAD = ["ratio", "sessions"] + [c[0] for c in RATIOS]


def text_table(head, rows):
    """Columns padded to their widest cell; a short row (a failure) runs
    on in its last cell."""
    widths = [len(h) for h in head]
    for row in rows:
        cells = row if len(row) == len(head) else row[:-1]
        widths = [max(w, len(c)) for w, c in zip(widths, cells)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths)).rstrip()]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:-1], widths)] + [row[-1]]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def md_table(head, rows):
    out = ["| " + " | ".join(head) + " |",
           "|" + "---|" * len(head)]
    for row in rows:
        row = row + [""] * (len(head) - len(row))
        out.append("| " + " | ".join(c.replace("|", "\\|") for c in row)
                   + " |")
    return "\n".join(out)


def print_report(results, labels):
    print()
    print(text_table(FIG_HEAD, figure_rows(results, labels)))
    rows = ratio_rows(results, labels)
    if rows:
        print()
        print("Postern / anchor (msg/s: above 1 is faster; CPU and memory:"
              " below 1 is leaner)")
        print(text_table(RATIO_HEAD, rows))


def _cmd(argv):
    try:
        return subprocess.run(argv, capture_output=True, text=True,
                              timeout=10).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def _proc_field(path, name):
    """The value of the first "name: value" line of a /proc file."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(name):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


def machine(tmpdir):
    """Lines describing the machine the figures come from."""
    mem = _proc_field("/proc/meminfo", "MemTotal")
    cpu = _proc_field("/proc/cpuinfo", "model name") or platform.machine()
    fs = _cmd(["df", "--output=fstype,source", tmpdir]).splitlines()[-1:]
    return [f"CPU: {os.cpu_count()} cores ({cpu})",
            f"Memory: {mem}",
            f"Kernel: {platform.release()}",
            f"Instance directories: {tmpdir} ({' '.join(fs).strip()})"]


def write_results(path, results, labels, versions, opts, notes):
    """Write the results file (Markdown)."""
    full = opts.count == 20000 and opts.sessions == [10, 50]
    lines = [f"# SMTP benchmark results, {time.strftime('%Y-%m-%d %H:%M')}",
             ""]
    if not full:
        lines += ["**Smoke run, not the benchmark load**: "
                  f"{opts.count} messages, sessions {opts.sessions}.", ""]
    lines += ["Produced by `bench/run-smtp-bench` (see bench/README.md for"
              " what is measured and how).", "", "## Machine and versions",
              ""]
    lines += [f"- {x}" for x in machine(opts.tmpdir) + versions]
    lines += ["", "## Load", "",
              f"- {opts.count} messages of about {opts.size} bytes to "
              f"{opts.users} users, {opts.per_connection} message(s) per "
              f"connection, sessions {opts.sessions}, after a warm-up of "
              f"{opts.warmup} messages",
              "- server CPU measured from: " + ", ".join(sorted(
                  {r["cpu_method"] for r in results.values()
                   if not isinstance(r, str)})),
              "", "## Figures", "",
              md_table(FIG_HEAD, figure_rows(results, labels)), ""]
    rows = ratio_rows(results, labels)
    if rows:
        lines += ["## Ratios Postern / anchor", "",
                  "msg/s above 1: Postern is faster; CPU and peak PSS "
                  "below 1: Postern is leaner.", "",
                  md_table(RATIO_HEAD, rows), ""]
    if notes:
        lines += ["## Notes", ""] + [f"- {n}" for n in notes] + [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
