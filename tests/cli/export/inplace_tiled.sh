# Issue 15: in-place for ops of tiled segments comes from the schedule, not the
# per-layer step: MobileNetV2-0.35 --fused --inplace-ops, b3_add writes its own
# buffer (it was exported in-place while its output buffer sits elsewhere).
f=nets/mobilenetv2-w0.35-r144.json
$MEMPLAN plan $f --fused --inplace-ops -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export $f --schedule "$SCRATCH/s.json" -o "$SCRATCH/out" --prefix m >/dev/null || exit 4
grep -F '{"b3_add", ' "$SCRATCH/out/m.c" | grep -F '_in,' |
    awk -F', ' '{print "b3_add inplace", $4, "segment", $5, "n_in", $6, "output buffer", $8}'
