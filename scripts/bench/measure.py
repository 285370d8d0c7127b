#!/usr/bin/python3
"""Runs labelled commands side by side, several times each, and prints the median wall
time, the median CPU time (user + system), the median peak resident memory and the ratio
to a baseline.

usage: measure.py --runs N --baseline LABEL [--setup CMD] LABEL=CMD ...
Each CMD runs under /usr/bin/time; --setup runs before every repetition (e.g. removing
the previous output) and is not timed.
"""
import argparse
import statistics
import subprocess
import sys
import tempfile


def run_once(cmd):
    with tempfile.NamedTemporaryFile(mode="r") as t:
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M %U %S", "-o", t.name, "bash", "-c", cmd],
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0:
            sys.exit(f"failed ({r.returncode}): {cmd}\n{r.stderr}")
        wall, rss_kb, user, system = t.read().split()[-4:]
        return float(wall), int(rss_kb) / 1024.0, float(user) + float(system)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--baseline", required=True)
    p.add_argument("--setup", default="true")
    p.add_argument("--title", default="")
    p.add_argument("jobs", nargs="+")
    a = p.parse_args()
    jobs = [j.split("=", 1) for j in a.jobs]
    results = {}
    for rep in range(a.runs):
        for label, cmd in jobs:  # interleaved, so drift hits every tool alike
            subprocess.run(["bash", "-c", a.setup], check=True)
            results.setdefault(label, []).append(run_once(cmd))
    base = statistics.median(r[0] for r in results[a.baseline])
    if a.title:
        print(f"## {a.title}")
    print(f"{'tool':<28} {'median s':>9} {'cpu s':>7} {'peak MiB':>9} {'time vs ' + a.baseline:>24}")
    for label, _ in jobs:
        w = statistics.median(r[0] for r in results[label])
        m = statistics.median(r[1] for r in results[label])
        c = statistics.median(r[2] for r in results[label])
        print(f"{label:<28} {w:>9.2f} {c:>7.2f} {m:>9.1f} {w / base:>23.2f}x")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
