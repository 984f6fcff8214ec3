# The fuzzer's patch_macs_overflow input (reliability.md F2; formerly in tests/data/bad):
# some of its patch schedules count more than 2^64 MACs. No split can go below the
# per-layer peak (its input and split output are held whole), so the search skips them
# all on their bounds and reports per-layer: exit 0. The overflow itself is still refused
# when such a schedule is evaluated (test_search_cost: exhaustive search, MP_E_OVERFLOW).
timeout $((${MEMPLAN_SANITIZED:+10*}20)) $MEMPLAN analyze --no-db tests/data/scaling/patch_macs_overflow.json | grep -E '^(ops|per-layer peak|best)'
