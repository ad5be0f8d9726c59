# SPDX-License-Identifier: MIT
"""The IMAP/POP3 benchmark's output: one row per figure with Postern's
value, Dovecot's, the ratio Postern / Dovecot and issue 5's target; the
same as a Markdown results file."""

import time

from smtpbench.report import machine, md_table, text_table


def head(opts):
    d = "Dovecot (hibernating)" if opts.dovecot_hibernate else "Dovecot"
    return ["figure", "Postern", d, "Postern/Dovecot", "target"]


def rows_for(key, opts):
    """(label, figure key, format, target) rows of measurement key."""
    if key.startswith("mixed"):
        n = key[5:]
        return [(f"mixed, {n} sessions: commands/s", "rate", "{:.0f}",
                 ">= 1.2x"),
                (f"mixed, {n} sessions: server CPU ms/command", "cpu_ms",
                 "{:.3f}", ""),
                (f"mixed, {n} sessions: client CPU ms/command",
                 "client_cpu_ms", "{:.3f}", "")]
    return {
        "logins": [("logins/s (connect, LOGIN, SELECT, LOGOUT)", "rate",
                    "{:.1f}", ">= 2x"),
                   ("server CPU ms/login", "cpu_ms", "{:.2f}", "")],
        "idle": [(f"PSS KiB per IDLE session ({opts.idle_sessions})",
                  "pss_kb_session", "{:.1f}", "<= 16 KiB"),
                 ("PSS MB, all server processes, sessions in IDLE",
                  "pss_mb", "{:.1f}", ""),
                 ("server processes with sessions in IDLE", "procs", "{:d}",
                  "")],
        "select": [(f"SELECT of {opts.big_messages} messages, ms (median)",
                    "select_ms", "{:.1f}", "< 50 ms"),
                   ("first SELECT (index build), s", "first_s", "{:.2f}",
                    "")],
        "pop3": [(f"POP3 drain of {opts.pop3_messages}, s", "seconds",
                  "{:.3f}", "<= 0.5x"),
                 ("POP3 drain, server CPU ms", "cpu_ms", "{:.0f}", "")],
    }[key]


def cell(result, fig, fmt):
    if isinstance(result, str):
        return "not measured: " + result.splitlines()[0][:100]
    return fmt.format(result[fig])


def rows(results, opts, keys):
    out = []
    ours, theirs = results.get("postern", {}), results.get("dovecot", {})
    for key in keys:
        a, b = ours.get(key, "not run"), theirs.get(key, "not run")
        for label, fig, fmt, target in rows_for(key, opts):
            ratio = "n/a"
            if not isinstance(a, str) and not isinstance(b, str) and b[fig]:
                ratio = f"{a[fig] / b[fig]:.2f}"
            out.append([label, cell(a, fig, fmt), cell(b, fig, fmt), ratio,
                        target])
    return out


def reply_times(results):
    """Lines "system, mixed N: NAME ms ..." (mean reply time per
    command, slowest first) of the mixed runs that were measured."""
    return [f"{system}, {key[5:]} sessions: {r['reply_ms']}"
            for system, rs in results.items() for key, r in rs.items()
            if key.startswith("mixed") and not isinstance(r, str)]


def print_report(results, opts, keys):
    print()
    print(text_table(head(opts), rows(results, opts, keys)))
    waits = reply_times(results)
    if waits:
        print("\nMean reply time per command of the mixed runs, ms:")
        print("\n".join("  " + w for w in waits))


def write_results(path, results, opts, keys, versions, full):
    lines = [f"# IMAP/POP3 benchmark results, "
             f"{time.strftime('%Y-%m-%d %H:%M')}", ""]
    if not full:
        lines += ["**Smoke run, not the benchmark load** (see the options "
                  "below).", ""]
    lines += ["Produced by `bench/run-imap-bench` (bench/README.md says "
              "what is measured and how).", "", "## Machine and versions",
              ""]
    lines += [f"- {x}" for x in machine(opts.tmpdir) + versions]
    lines += ["", "## Load", "", f"- {opts.describe}", "",
              "## Figures", "",
              "Ratios are Postern / Dovecot: above 1 is more for rates, "
              "below 1 is less for times, CPU and memory.", "",
              md_table(head(opts), rows(results, opts, keys)), ""]
    waits = reply_times(results)
    if waits:
        lines += ["## Mean reply time per command of the mixed runs, ms",
                  ""] + [f"- {w}" for w in waits] + [""]
    with open(path, "w") as f:
        f.write("\n".join(lines))
