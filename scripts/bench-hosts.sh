#!/usr/bin/env bash
# Extraction cost: lint 10,000 policies written as heredocs in 1,000 .tf files, and the same
# 10,000 policies as .json files, and print both times and their ratio.
# Usage: scripts/bench-hosts.sh [path/to/ramguard]   (default: target/release/ramguard)
set -euo pipefail
bin=${1:-target/release/ramguard}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/tf" "$dir/json"
policy() {
  printf '{\n  "Version": "1",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Action": ["dbs:DescribeBackupPlanList", "dbs:StartBackupPlan"],\n      "Resource": "acs:dbs:*:*:backupplan/plan%s"\n    }\n  ]\n}\n' "$1"
}
for f in $(seq 1 1000); do
  {
    for p in $(seq 1 10); do
      n=$((f * 10 + p))
      printf 'resource "alicloud_ram_policy" "p%s" {\n  policy_name     = "p%s"\n  policy_document = <<EOF\n' "$n" "$n"
      policy "$n"
      printf 'EOF\n}\n\n'
      policy "$n" > "$dir/json/p$n.json"
    done
  } > "$dir/tf/f$f.tf"
done
t() { local s e; s=$(date +%s.%N); "$bin" lint --fail-on never "$1" > /dev/null; e=$(date +%s.%N); echo "$e - $s" | bc; }
"$bin" lint --fail-on never "$dir/json" > /dev/null # warm the page cache
json=$(t "$dir/json"); tf=$(t "$dir/tf")
echo "10,000 policies as .json: ${json}s; in 1,000 .tf files: ${tf}s; ratio $(echo "scale=2; $tf / $json" | bc)"
