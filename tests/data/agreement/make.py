#!/usr/bin/env python3
"""Regenerates the agreement corpus that tests/it/agreement.rs reads.

    python3 tests/data/agreement/make.py ../shared/bench/gen_corpus.py

runs the benchmark corpus generator (400 policies, 3,000 requests, fixed seed) into a temporary
directory and keeps, compactly, what the test needs: each policy a request names, minified
(policies.jsonl: {"name", "document"}), and each request's RAM form with the generator's
reference decision (requests.jsonl: {"id", "policy", "ram", "expected"}).
"""
import json
import os
import subprocess
import sys
import tempfile

ARGS = ["--files", "400", "--requests", "3000", "--seed", "20260101",
        "--mistake-frac", "0.1", "--subsets", "", "--tf", ""]


def main():
    generator = sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, generator, "--out", tmp, *ARGS], check=True,
                       stdout=subprocess.DEVNULL)
        requests = []
        with open(os.path.join(tmp, "requests.jsonl"), encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    requests.append({"id": r["id"], "policy": r["policy"], "ram": r["ram"],
                                     "expected": r["expected"]["ram"]})
        names = sorted({r["policy"] for r in requests})
        compact = {"separators": (",", ":"), "ensure_ascii": False}
        with open(os.path.join(here, "policies.jsonl"), "w", encoding="utf-8") as out:
            for name in names:
                with open(os.path.join(tmp, "ram", "all", name + ".json"), encoding="utf-8") as f:
                    document = json.load(f)
                out.write(json.dumps({"name": name, "document": document}, **compact) + "\n")
        with open(os.path.join(here, "requests.jsonl"), "w", encoding="utf-8") as out:
            for r in requests:
                out.write(json.dumps(r, **compact) + "\n")


if __name__ == "__main__":
    main()
