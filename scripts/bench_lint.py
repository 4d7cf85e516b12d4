#!/usr/bin/env python3
"""Lint speed beside the read+parse floor, measured in paired runs.

    python3 scripts/bench_lint.py                 # 10,000 files, 7 pairs
    python3 scripts/bench_lint.py --files 1000 --check benches/lint-ratio.json   # the CI gate

Builds the release binary and the `serde_baseline` example (read every file and parse it with
serde_json on every core: the floor, since every byte must be read and parsed once), builds a
corpus, then runs `ramguard lint --format json` and the baseline alternately, PAIRS times each,
in two configurations:

- `none`: `--config /dev/null`;
- `config`: a `ramguard.toml` with `exclude` globs and `[lint.kinds]` patterns that match
  nothing in the corpus, so both runs lint the same files and pay for matching every path.

Wall time is measured around each child; CPU time (user + system) and peak RSS come from the
child's rusage. Prints medians, the spread (min-max) and the ratios, wall and CPU.

The corpus is `../shared/bench/gen_corpus.py` (seed 20260101, 10% mistakes) when it is beside
the checkout, else the project's own: the agreement policies of `tests/data/agreement`, copied
round-robin (each copy gets its own `Sid`s so no two files are identical bytes).

`--check FILE` compares a ratio with the one recorded in FILE and exits 1 when it is more than
25% above it; `--record FILE` writes the ratios. Where valgrind is installed the gate compares
instruction counts (callgrind, one run of each program, `none` configuration): they are the same
on every run, whatever the load, and nearly the same on every x86_64 CPU, where the CPU-time
ratio of the same binary was 2.8x on an AMD EPYC and 3.4-3.6x on an Intel Xeon. Without valgrind
it compares the ratio of CPU medians (user + system of the child), never wall time: on a shared
2-core machine the wall time of a one-second run swings by 2x with the load.
"""
import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED_GEN = os.path.join(ROOT, "..", "shared", "bench", "gen_corpus.py")
TOLERANCE = 1.25

CONFIG = """\
[lint]
exclude = ["**/vendor/**", "**/*.generated.json", "fixtures/broken/**"]

[lint.kinds]
"**/control/**" = "control"
"**/session/**" = "session"
"**/trust/**" = "trust"
"**/*.control.json" = "control"
"**/*.session.json" = "session"
"**/*.trust.json" = "trust"
"""


def build():
    subprocess.run(["cargo", "build", "--release", "--locked", "--quiet", "--bin", "ramguard",
                    "--example", "serde_baseline"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
    release = os.path.join(target, "release")
    return os.path.join(release, "ramguard"), os.path.join(release, "examples", "serde_baseline")


def make_corpus(out, files):
    """Writes FILES policies into OUT/ram; returns a description of the source."""
    if os.path.isfile(SHARED_GEN):
        subprocess.run([sys.executable, SHARED_GEN, "--out", out, "--files", str(files),
                        "--requests", "10", "--seed", "20260101", "--mistake-frac", "0.1",
                        "--subsets", "", "--tf", ""], check=True, stdout=subprocess.DEVNULL)
        return os.path.join(out, "ram", "all"), "../shared/bench/gen_corpus.py"
    docs = []
    with open(os.path.join(ROOT, "tests", "data", "agreement", "policies.jsonl"),
              encoding="utf-8") as f:
        for line in f:
            if line.strip():
                docs.append(json.loads(line)["document"])
    dest = os.path.join(out, "ram")
    os.makedirs(dest)
    for i in range(files):
        doc = json.loads(json.dumps(docs[i % len(docs)]))
        statements = doc.get("Statement")
        if isinstance(statements, list):
            for j, s in enumerate(statements):
                if isinstance(s, dict):
                    s["Sid"] = f"S{i}x{j}"
        with open(os.path.join(dest, f"policy_{i:05d}.json"), "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=2)
    return dest, "tests/data/agreement (round-robin copies)"


def run(argv, cwd):
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"{' '.join(argv)} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def measure(pairs, lint_argv, base_argv, cwd):
    lint, base = [], []
    run(lint_argv, cwd)  # warm the page cache for both
    run(base_argv, cwd)
    for _ in range(pairs):
        lint.append(run(lint_argv, cwd))
        base.append(run(base_argv, cwd))
    return lint, base


def instructions(argv, cwd):
    """The user-space instructions ARGV executes, all threads, counted by callgrind."""
    proc = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"] + argv,
                          cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode not in (0, 1) or not found:
        sys.exit(f"callgrind failed on {' '.join(argv)}:\n{proc.stderr[-2000:]}")
    return int(found.group(1))


def summary(samples):
    walls = [s[0] for s in samples]
    cpus = [s[1] for s in samples]
    rss = max(s[2] for s in samples)
    return {
        "wall_median": statistics.median(walls), "wall_min": min(walls), "wall_max": max(walls),
        "cpu_median": statistics.median(cpus), "cpu_min": min(cpus), "cpu_max": max(cpus),
        "max_rss_mb": rss,
    }


def cpu_model():
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--files", type=int, default=10000)
    ap.add_argument("--pairs", type=int, default=7)
    ap.add_argument("--check", metavar="FILE")
    ap.add_argument("--record", metavar="FILE")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions with callgrind (always with --check/--record)")
    args = ap.parse_args()

    ramguard, baseline = build()
    tmp = tempfile.mkdtemp(prefix="ramguard-bench-")
    try:
        corpus, source = make_corpus(tmp, args.files)
        with open(os.path.join(tmp, "ramguard.toml"), "w", encoding="utf-8") as f:
            f.write(CONFIG)
        def lint_argv(config):
            return [ramguard, "lint", "--format", "json", "--fail-on", "never",
                    "--config", config, corpus]

        results = {}
        counts = None
        if shutil.which("valgrind") and (args.check or args.record or args.instructions):
            counts = (instructions(lint_argv("/dev/null"), tmp),
                      instructions([baseline, corpus], tmp))
        for name, config in (("none", "/dev/null"), ("config", os.path.join(tmp, "ramguard.toml"))):
            lint, base = measure(args.pairs, lint_argv(config), [baseline, corpus], tmp)
            l, b = summary(lint), summary(base)
            results[name] = {"lint": l, "baseline": b,
                             "wall_ratio": l["wall_median"] / b["wall_median"],
                             "cpu_ratio": l["cpu_median"] / b["cpu_median"]}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    machine = f"{os.cpu_count()} cores, {cpu_model()}"
    report = {"files": args.files, "pairs": args.pairs, "corpus": source, "machine": machine,
              "results": results}
    if counts:
        report["instructions"] = {"lint": counts[0], "baseline": counts[1],
                                  "ratio": counts[0] / counts[1]}
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{args.files} files from {source}; {args.pairs} pairs; {machine}")
        for name, r in results.items():
            l, b = r["lint"], r["baseline"]
            print(f"[{name}] lint     wall {l['wall_median']:.3f} s ({l['wall_min']:.3f}-"
                  f"{l['wall_max']:.3f})  cpu {l['cpu_median']:.3f} s  rss {l['max_rss_mb']:.0f} MB")
            print(f"[{name}] baseline wall {b['wall_median']:.3f} s ({b['wall_min']:.3f}-"
                  f"{b['wall_max']:.3f})  cpu {b['cpu_median']:.3f} s  rss {b['max_rss_mb']:.0f} MB")
            print(f"[{name}] ratio    wall {r['wall_ratio']:.2f}x  cpu {r['cpu_ratio']:.2f}x")
        if counts:
            print(f"[none] instructions lint {counts[0] / 1e6:.0f} M  baseline "
                  f"{counts[1] / 1e6:.0f} M  ratio {counts[0] / counts[1]:.2f}x")

    cpu_ratio = results["none"]["cpu_ratio"]
    instr_ratio = counts[0] / counts[1] if counts else None
    if args.record:
        recorded = {"files": args.files, "cpu_ratio": round(cpu_ratio, 3),
                    "wall_ratio": round(results["none"]["wall_ratio"], 3),
                    "machine": machine, "corpus": source}
        if instr_ratio:
            recorded["instructions_ratio"] = round(instr_ratio, 3)
        with open(args.record, "w", encoding="utf-8") as f:
            json.dump(recorded, f, indent=2)
            f.write("\n")
    if args.check:
        with open(args.check, encoding="utf-8") as f:
            recorded = json.load(f)
        if recorded.get("corpus") != source:
            print(f"check skipped: {args.check} was recorded on {recorded.get('corpus')}, "
                  f"this run used {source}")
            return
        if instr_ratio and "instructions_ratio" in recorded:
            what, ratio, base = "instruction ratio", instr_ratio, recorded["instructions_ratio"]
        else:
            what, ratio, base = "CPU ratio", cpu_ratio, recorded["cpu_ratio"]
        limit = base * TOLERANCE
        verdict = "ok" if ratio <= limit else "REGRESSION"
        print(f"{what} {ratio:.2f}x against recorded {base:.2f}x (limit {limit:.2f}x): {verdict}")
        if ratio > limit:
            sys.exit(1)


if __name__ == "__main__":
    main()
