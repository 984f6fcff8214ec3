#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Golden-file CLI tests (after zstd's tests/cli-tests).
#
#   run.sh MEMPLAN ROOT AREA [--update]
#
# Every case tests/cli/AREA/NAME.sh is a short bash script run from ROOT
# (the source tree) with these variables set:
#   MEMPLAN  the binary under test (possibly wrapped by $MEMPLAN_WRAPPER)
#   ROOT     the source tree
#   SCRATCH  an empty temporary directory of the case, removed afterwards
#   MEMPLAN_DB  $SCRATCH/memplan.db, so runs are recorded there and never in
#            the source tree's reports/ (docs/database.md)
#   MEMPLAN_SANITIZED  (from tests/cli/meson.build) 1 for an ASan/UBSan build:
#            cases with a timeout or ulimit relax it ($((${MEMPLAN_SANITIZED:+10*}20)))
# Expectations beside it (all optional):
#   NAME.exit    expected exit status (default 0)
#   NAME.stdout  exact expected standard output
#   NAME.stderr  exact expected standard error
# --update rewrites .stdout/.stderr/.exit files from the current behaviour
# (review the diff before committing).
set -u
memplan=$1 root=$2 area=$3 update=${4:-}
dir="$root/tests/cli/$area"
fail=0 count=0
for case in "$dir"/*.sh; do
  [ -e "$case" ] || continue
  name=${case%.sh}
  base=$(basename "$name")
  scratch=$(mktemp -d)
  out="$scratch/.stdout" err="$scratch/.stderr"
  (cd "$root" && MEMPLAN="${MEMPLAN_WRAPPER:-} $memplan" ROOT="$root" SCRATCH="$scratch" \
     MEMPLAN_DB="$scratch/memplan.db" bash "$case" >"$out" 2>"$err")
  rc=$?
  count=$((count + 1))
  if [ "$update" = "--update" ]; then
    if [ "$rc" -ne 0 ]; then echo "$rc" >"$name.exit"; else rm -f "$name.exit"; fi
    cp "$out" "$name.stdout"
    cp "$err" "$name.stderr"
    [ -s "$name.stderr" ] || rm -f "$name.stderr"
  else
    want_rc=0
    [ -f "$name.exit" ] && want_rc=$(cat "$name.exit")
    if [ "$rc" != "$want_rc" ]; then
      echo "FAIL $area/$base: exit $rc, expected $want_rc"; sed 's/^/  stderr: /' "$err" | head -20
      fail=$((fail + 1))
    elif [ -f "$name.stdout" ] && ! diff -u "$name.stdout" "$out" >"$scratch/.diff"; then
      echo "FAIL $area/$base: stdout differs"; head -40 "$scratch/.diff"
      fail=$((fail + 1))
    elif [ -f "$name.stderr" ] && ! diff -u "$name.stderr" "$err" >"$scratch/.diff"; then
      echo "FAIL $area/$base: stderr differs"; head -40 "$scratch/.diff"
      fail=$((fail + 1))
    elif [ ! -f "$name.stderr" ] && [ -s "$err" ] && [ "$want_rc" = 0 ]; then
      echo "FAIL $area/$base: unexpected stderr"; head -20 "$err"
      fail=$((fail + 1))
    fi
  fi
  rm -rf "$scratch"
done
echo "$area: $count cases, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
