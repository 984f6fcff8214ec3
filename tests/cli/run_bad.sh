#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Malformed inputs: every file tests/data/bad/NAME.* (except .err) must make
# memplan exit 1 with exactly the one line in NAME.err on stderr and nothing
# on stdout. The command depends on the format, told by the name:
#   schedule_*.json  memplan export tests/data/fuzz/net_fz.json --schedule FILE
#                    (a schedule JSON for that small network; export reads it,
#                    checks it against the network and refuses unsound layouts)
#   catalog_*.json   memplan mcus --catalog FILE (an MCU catalog)
#   anything else    memplan analyze FILE (net.json or .tflite)
#
#   run_bad.sh MEMPLAN ROOT [--valgrind] [--update]
#
# --valgrind runs each case under valgrind (memcheck, leaks = errors) and,
# in addition, analyze of every bundled network, expecting no error.
set -u
memplan=$1 root=$2 mode=${3:-}
cd "$root" || exit 2
# analyze records its runs: keep them out of the source tree
db_dir=$(mktemp -d)
export MEMPLAN_DB="$db_dir/memplan.db"
trap 'rm -rf "$db_dir"' EXIT
wrap=""
if [ "$mode" = "--valgrind" ]; then
  wrap="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible"
fi
fail=0 count=0
for f in tests/data/bad/*; do
  case "$f" in *.err) continue ;; esac
  name=${f%.*}
  count=$((count + 1))
  case "$(basename "$f")" in
    schedule_*) cmd=(export tests/data/fuzz/net_fz.json --schedule "$f" -o "$db_dir/export") ;;
    catalog_*) cmd=(mcus --catalog "$f") ;;
    *) cmd=(analyze "$f") ;;
  esac
  out=$($wrap "$memplan" "${cmd[@]}" 2>/tmp/memplan-bad.$$)
  rc=$?
  err=$(cat /tmp/memplan-bad.$$)
  if [ "$mode" = "--update" ]; then
    printf '%s\n' "$err" >"$name.err"
    continue
  fi
  if [ "$rc" != 1 ]; then
    echo "FAIL $f: exit $rc, expected 1"; echo "$err" | head -20; fail=$((fail + 1))
  elif [ -n "$out" ]; then
    echo "FAIL $f: printed to stdout"; fail=$((fail + 1))
  elif [ "$mode" != "--valgrind" ] && [ "$err" != "$(cat "$name.err" 2>/dev/null)" ]; then
    echo "FAIL $f: stderr"; echo "  got:      $err"; echo "  expected: $(cat "$name.err" 2>/dev/null)"
    fail=$((fail + 1))
  fi
done
rm -f /tmp/memplan-bad.$$
if [ "$mode" = "--valgrind" ]; then
  for f in nets/*.json tests/data/tflite/*.tflite; do
    count=$((count + 1))
    if ! $wrap "$memplan" analyze "$f" >/dev/null; then
      echo "FAIL valgrind: analyze $f"; fail=$((fail + 1))
    fi
  done
fi
echo "bad inputs: $count cases, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
