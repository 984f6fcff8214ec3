# Names never drive the terminal (issue 18): ESC and other control characters of names are
# printed as \xNN by analyze, sweep and report (the probe's terminal_escape_names.json).
net="$ROOT/tests/data/reliability/terminal_escape_names.json"
$MEMPLAN analyze "$net" --no-patch --db "$SCRATCH/n.db" >"$SCRATCH/a" 2>&1
$MEMPLAN sweep "$net" --budgets 64K --db "$SCRATCH/n.db" >"$SCRATCH/s" 2>&1
$MEMPLAN report --db "$SCRATCH/n.db" --run 1 >"$SCRATCH/r" 2>&1
for f in a s r; do
  printf '%s: %s raw ESC bytes, %s escaped\n' "$f" "$(tr -cd '\033' <"$SCRATCH/$f" | wc -c)" \
    "$(grep -o '\\x1B' "$SCRATCH/$f" | wc -l)"
done
