#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# memplan under valgrind (memcheck; leaks are errors), one group of commands:
#
#   run_valgrind.sh MEMPLAN ROOT render|commands
#
# render    memplan render and analyze --render: every picture kind in every
#           format, plus bad options and files. Graphviz's own leaks (and
#           those of pango/fontconfig, which its cairo plugin loads) are
#           suppressed by tests/valgrind-graphviz.supp, which says why;
#           memplan's leaks are not.
# commands  plan (per-layer, patches, --best, --fused, -o), export (C and
#           JSON), validate (JSON net and .tflite, a saved schedule), sweep
#           (budgets, MCUs with a catalog, two jobs, shards), merge, report,
#           mcus, convert, and failures of each (bad schedule, unwritable
#           output, bad catalog), --order best, the cache-cols halo,
#           redistribute: small networks, so the group takes about a minute. (analyze of every bad input and bundled network is
#           cli-valgrind, memplan run is cli-run-valgrind.)
set -u
memplan=$1 root=$2 group=$3
cd "$root" || exit 2
scratch=$(mktemp -d)
export MEMPLAN_DB="$scratch/memplan.db" # never the source tree's reports/
trap 'rm -rf "$scratch"' EXIT
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible --suppressions=$root/tests/valgrind-graphviz.supp"
fail=0 count=0
run() { # expected-exit args...
  local want=$1
  shift
  count=$((count + 1))
  $vg "$memplan" "$@" >/dev/null 2>"$scratch/err"
  local rc=$?
  if [ "$rc" != "$want" ]; then
    echo "FAIL valgrind: memplan $* : exit $rc, expected $want"; head -40 "$scratch/err"
    fail=$((fail + 1))
  fi
}

render() {
  local net=nets/mobilenetv1-w0.25-r96-gray.json
  for kind in graph timeline lifecycle; do
    for ext in dot svg png pdf; do
      run 0 render $net --inplace-dw --budget 32K --kind $kind -o "$scratch/$kind.$ext"
    done
  done
  run 0 analyze $net --render "$scratch/pics"
  run 1 render $net --budget 1K -o "$scratch/t.svg"
  run 1 render does/not/exist.json -o "$scratch/x.svg"
  run 1 render $net -o "$scratch/no/such/dir/x.png"
  run 2 render $net --kind pie -o "$scratch/x.svg"
}

commands() {
  local net=nets/mobilenetv1-w0.25-r96-gray.json small=tests/data/fuzz/net_fz.json
  local tfl=tests/data/tflite/tiny_net.tflite s="$scratch/s.json"
  run 0 plan $net
  run 0 plan $net --split b4_dw --patches 3x3 --halo cache --inplace-dw --input stream -o "$s"
  run 0 plan $net --best --budget 48K --json
  run 0 plan $net --fused --max-macs 1.2x
  run 1 plan $net --split b4_dw --patches 2x2 -o "$scratch/no/such/dir/s.json"
  run 0 export $net --schedule "$s" --prefix mbv1 -o "$scratch/out"
  run 0 export $net --schedule "$s" --format json -o "$scratch/out"
  run 1 export $small --schedule tests/data/bad/schedule_overlapping_offsets.json -o "$scratch/out"
  run 1 export $small --schedule tests/data/bad/schedule_edited_region.json -o "$scratch/out"
  run 0 validate $net --schedule "$s"
  run 0 validate $small --split add --patches 2x2 --halo cache
  run 0 validate $tfl --json
  run 0 sweep $net $small --budgets 16K,64K --jobs 2
  run 0 sweep $net $small --mcus all --catalog tests/data/catalogs/good.json
  run 0 sweep $net $small $tfl --budgets 32K --shard 1/2 --db "$scratch/a.db"
  run 0 sweep $net $small $tfl --budgets 32K --shard 2/2 --db "$scratch/b.db"
  run 0 merge "$scratch/a.db" "$scratch/b.db" -o "$scratch/m.db"
  run 0 report --db "$scratch/m.db" --sweep 1 --format json
  run 0 report
  run 1 sweep $net --mcus all --catalog tests/data/bad/catalog_size_suffix.json
  run 0 mcus --catalog tests/data/catalogs/good.json --json
  run 0 convert $tfl -o "$scratch/tiny.json"
  local darts=nets/darts-v2-c16-l8-cifar.json rf=nets/mcunet-like-r160.json
  run 0 analyze $darts --order best --no-patch --json
  run 0 plan $small --order best --best -o "$scratch/o.json"
  run 0 validate $small --schedule "$scratch/o.json"
  run 0 validate $net --split b4_dw --patches 3x2 --halo cache-cols
  run 0 redistribute $rf --inplace-dw --halo recompute -o "$scratch/rd"
  run 1 redistribute $rf --split no_such_tensor --patches 2x2
}

case "$group" in
  render) render ;;
  commands) commands ;;
  *) echo "run_valgrind.sh: unknown group '$group'"; exit 2 ;;
esac
echo "$group under valgrind: $count cases, $fail failed"
[ "$count" -gt 0 ] && [ "$fail" -eq 0 ]
