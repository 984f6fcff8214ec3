# Issue 18 item 7: a chain of 400 1x1 convolutions (findings' tests/data/scaling/deep_conv1x1_400.json) took
# 55 s with --fused (every block i..j built, ~cubic); blocks whose stage peak bound is above
# the per-layer peak are skipped. Same front; the timeout fails the old cost.
timeout $((${MEMPLAN_SANITIZED:+10*}20)) $MEMPLAN analyze --no-db --fused tests/data/scaling/deep_conv1x1_400.json 2>&1 | grep -E '^(per-layer peak|fused best|fused tiling)'
