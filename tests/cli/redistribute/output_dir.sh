# every variant as net.json; read back, each has the hash --json reported (the first two
# hashes there are the network's and the original row's)
$MEMPLAN redistribute tests/data/redistribute/blocks.json --split s --patches 2x1 --min-kernel 1 \
    -o "$SCRATCH/v" --json >"$SCRATCH/r.json" 2>"$SCRATCH/err" || exit 1
sed "s|$SCRATCH|SCRATCH|" "$SCRATCH/err"
ls "$SCRATCH/v"
grep -o "\"hash\": \"[0-9a-f]*\"" "$SCRATCH/r.json" | tail -n +3 >"$SCRATCH/want"
for f in "$SCRATCH"/v/*.json; do
  $MEMPLAN analyze "$f" --no-patch --json --no-db | grep -o "\"hash\": \"[0-9a-f]*\""
done >"$SCRATCH/got"
cmp "$SCRATCH/want" "$SCRATCH/got" && echo "hashes match"
cat "$SCRATCH/v/blocks-m1k0.json"
