# Issue 18 item 6: a network name with "*/", a newline and #error, and layer names
# with "??/" (a trigraph), quotes and newlines, exported as C: every file of the
# package compiles as C99 (trigraphs on) with -Werror, and no name escapes its
# comment or string literal.
for net in export_c_comment_injection_name export_c_trigraph_layer_name; do
  f=tests/data/export/$net.json
  $MEMPLAN plan $f -o "$SCRATCH/$net.json" >/dev/null 2>&1 || exit 3
  $MEMPLAN export $f --schedule "$SCRATCH/$net.json" -o "$SCRATCH/$net" --prefix x >/dev/null || exit 4
  for src in x.c x_model.c; do
    cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$SCRATCH/$net" -I"$SCRATCH/$net/memplan_rt/include" \
        -c "$SCRATCH/$net/$src" -o "$SCRATCH/o.o" || exit 5
  done
  if grep -q '^#error' "$SCRATCH/$net"/*.[ch]; then echo "$net: injected #error"; exit 6; fi
  echo "$net: compiled"
done
grep -c 'a\\?\\?/' "$SCRATCH/export_c_trigraph_layer_name/x.c"
