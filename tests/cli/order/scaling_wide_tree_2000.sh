# Issue 18 item 7: 1,000 convolutions of one input reduced by a tree of adds (findings'
# wide_tree_2000.json) took 26 s with --order best (the beam built ~1,000 successors per
# state); successors that can never rank into the beam are dropped before they are built.
# Same order and peak; the timeout fails the old cost.
timeout $((${MEMPLAN_SANITIZED:+10*}30)) $MEMPLAN analyze --no-db --no-patch --order best tests/data/scaling/wide_tree_2000.json | grep -E '^(ops|per-layer peak|operator order)'
