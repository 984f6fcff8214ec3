# A hand-edited schedule whose buffers overlap: drawn (the pair outlined in
# red, tooltips say OVERLAPS), then refused like export refuses it: exit 1.
$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json -o "$SCRATCH/s.json" >/dev/null 2>&1 || exit 3
sed -i '0,/"offset": [0-9]*/s//"offset": 5/' "$SCRATCH/s.json"
$MEMPLAN render nets/mobilenetv1-w0.25-r96-gray.json --schedule "$SCRATCH/s.json" --kind lifecycle -o "$SCRATCH/l.dot" 2>&1 | sed "s|$SCRATCH|SCRATCH|"
rc=${PIPESTATUS[0]}
grep -c 'tooltip="OVERLAPS' "$SCRATCH/l.dot"
exit $rc
