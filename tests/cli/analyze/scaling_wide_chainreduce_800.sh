# Issue 18 item 7: 400 parallel 1x1 convolutions reduced by adds (findings'
# wide_chainreduce_800.json) took 39 s in the default analyze; the splits whose bounds
# cannot reach the front are skipped. Same answer; the timeout fails the old cost.
timeout $((${MEMPLAN_SANITIZED:+10*}20)) $MEMPLAN analyze --no-db tests/data/scaling/wide_chainreduce_800.json | grep -E '^(ops|per-layer peak|best|recommended|  )' | grep -v '^ *[0-9]'
