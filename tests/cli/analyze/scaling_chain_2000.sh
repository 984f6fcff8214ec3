# Issue 18 item 7: a 2,000-layer chain of 1x1 convolutions (generated) took 26.6 s in
# analyze (every split's patch schedules built); now every split is skipped on its bounds
# (input + split output held whole >= the per-layer peak). The timeout fails the old cost.
{
  printf '{"format":"memplan-net","version":1,"name":"chain2000","input":{"name":"input","shape":[32,32,8]},"layers":['
  for i in $(seq 0 1999); do
    [ "$i" -gt 0 ] && printf ','
    printf '{"name":"c%d","op":"conv2d","filters":8,"kernel":1}' "$i"
  done
  printf ']}\n'
} > "$SCRATCH/chain2000.json"
timeout $((${MEMPLAN_SANITIZED:+10*}20)) $MEMPLAN analyze --no-db "$SCRATCH/chain2000.json" | grep -E '^(ops|per-layer peak|per-layer  |best)'
