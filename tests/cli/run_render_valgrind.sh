#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# memplan render and analyze --render under valgrind (memcheck; leaks are
# errors): every picture kind in every format, plus bad options and files.
# Graphviz's own leaks (and those of pango/fontconfig, which its cairo plugin
# loads) are suppressed by tests/valgrind-graphviz.supp, which says why;
# memplan's leaks are not.
#
#   run_render_valgrind.sh MEMPLAN ROOT
set -u
memplan=$1 root=$2
cd "$root" || exit 2
scratch=$(mktemp -d)
export MEMPLAN_DB="$scratch/memplan.db" # never the source tree's reports/
trap 'rm -rf "$scratch"' EXIT
vg="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect,possible --show-leak-kinds=definite,indirect,possible --suppressions=$root/tests/valgrind-graphviz.supp"
net=nets/mobilenetv1-w0.25-r96-gray.json
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
echo "render under valgrind: $count cases, $fail failed"
[ "$fail" -eq 0 ]
