#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Concurrent writers into one database (issue 18): 8 sweeps and 2 merges at once, from a
# missing database. Every row of every writer must be there and the database intact.
#
#   writers.sh MEMPLAN ROOT [ROUNDS]      (ROUNDS default 1; the slow suite runs 20)
set -u
memplan=$1 root=$2 rounds=${3:-1}
command -v sqlite3 >/dev/null || { echo "sqlite3 not installed: skipped"; exit 77; }
net="$root/nets/mobilenetv1-w0.25-r96-gray.json"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
q() { sqlite3 "$1" "$2"; }
# two merge inputs: a sweep each, with keys of their own (budgets 1K and 2K)
for k in 1 2; do
  "$memplan" sweep "$net" --budgets "${k}K" --db "$scratch/in$k.db" >/dev/null || exit 1
done
want_runs=$(( 8 + $(q "$scratch/in1.db" "select count(*) from runs") +
              $(q "$scratch/in2.db" "select count(*) from runs") ))
want_results=$(( 8 + $(q "$scratch/in1.db" "select count(*) from sweep_results") +
                 $(q "$scratch/in2.db" "select count(*) from sweep_results") ))
fail=0
for round in $(seq "$rounds"); do
  db="$scratch/out.db"
  rm -f "$db" "$db-wal" "$db-shm"
  pids=()
  for i in $(seq 8); do   # budgets 11K .. 18K: eight sweeps with eight keys
    "$memplan" sweep "$net" --budgets "$((10 + i))K" --db "$db" >/dev/null 2>"$scratch/sweep$i.err" &
    pids+=($!)
  done
  for k in 1 2; do
    "$memplan" merge -o "$db" "$scratch/in$k.db" >/dev/null 2>"$scratch/merge$k.err" &
    pids+=($!)
  done
  bad=0
  for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
  runs=$(q "$db" "select count(*) from runs")
  results=$(q "$db" "select count(*) from sweep_results")
  sweeps=$(q "$db" "select count(*) from sweeps")
  check=$(q "$db" "pragma integrity_check")
  leftovers=$(ls "$scratch" | grep -c '\.tmp\.')
  if [ "$bad" -ne 0 ] || [ "$runs" != "$want_runs" ] || [ "$results" != "$want_results" ] ||
     [ "$sweeps" != 10 ] || [ "$check" != ok ] || [ "$leftovers" != 0 ]; then
    echo "round $round: $bad writers failed; runs $runs of $want_runs, results $results of" \
         "$want_results, sweeps $sweeps of 10, integrity '$check', $leftovers temporaries left"
    cat "$scratch"/*.err
    fail=$((fail + 1))
  fi
done
echo "$rounds rounds of 8 sweeps + 2 merges into one database: $fail failed"
[ "$fail" -eq 0 ]
