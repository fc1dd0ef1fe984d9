#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 60) on a corpus seeded from
# tests/data, and prints libFuzzer's last status line of each (executions,
# coverage, corpus size). Needs a nightly toolchain and cargo-fuzz
# (`cargo install cargo-fuzz`). A crash leaves its input in
# fuzz/artifacts/TARGET/ and stops with the target's exit status.
#
#   fuzz/run.sh 1800                      # every target, 30 minutes each
#   fuzz/run.sh 60 "state calendar"       # some targets
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
targets=${2:-"read_records parse_values state calendar options"}
corpus=fuzz/corpus

# Seeds: the test inputs (a first byte chooses the format), typical values,
# saved states of the examples and a calendar.
mkdir -p "$corpus"/{read_records,parse_values,state,calendar,options}
for file in tests/data/*/surveys.* tests/data/*/events.*; do
  # Bit 0: JSON Lines; bit 1: events; the rest: the record limit.
  choice=$((252 + $([[ $file == *.jsonl ]] && echo 1 || echo 0) + $([[ $file == *events* ]] && echo 2 || echo 0)))
  { printf "\\$(printf %o $choice)"; cat "$file"; } > "$corpus/read_records/seed-$(echo "$file" | tr / -)"
done
for value in 2026-03-02T09:00:00Z 2026-03-02t09:00:00.123456789+05:30 9999-12-31T23:59:59-23:59 0001-01-01T00:00:00+00:01 +10 05 -0 18446744073709551616; do
  printf '%s' "$value" > "$corpus/parse_values/seed-$value"
done
state=$(mktemp -d)
cargo run --quiet --features cli -- ingest --events tests/data/business/events.csv --surveys tests/data/business/surveys.csv \
  --group-by agent --calendar tests/data/business/calendar.json --sla tests/data/business/sla.json --output "$corpus/state/seed-business"
cargo run --quiet --features cli -- ingest --events tests/data/tickets-edge/events.jsonl --bucket day --output "$corpus/state/seed-edge"
rm -rf "$state"
{ printf 'ABCDEFGHIJKLMNOPQRSTUVWX'  # three instants, 8 bytes each
  printf '{"zone":"Europe/Berlin","hours":[[[28800,64800]],[[28800,43200],[46800,64800]],[],[[0,86400]],[[28800,64800]],[],[]],"holidays":["2026-04-03","2100-12-25"]}'
} > "$corpus/calendar/seed-berlin"

# Option files: a first byte chooses calendar (0), SLA (1) or targets (2).
for kind in 0:calendar 1:sla 2:targets; do
  for file in tests/data/*/"${kind#*:}".json; do
    { printf "\\$(printf %o "${kind%%:*}")"; cat "$file"; } > "$corpus/options/seed-$(echo "$file" | tr / -)"
  done
done

for target in $targets; do
  echo "== $target, $seconds s"
  cargo +nightly fuzz run "$target" "$corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 -print_final_stats=1 2>&1 |
    grep -E '^#[0-9]+.*(DONE|pulse)|stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss|cov:' | tail -n 4
done
