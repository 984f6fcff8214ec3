# Import work is bounded by the file size (issue 18): tensor entries aliasing one table are
# refused; distinct tables sharing one 1 MB name or 1,000,000 scales are refused by the
# work budget (4 x the file size) in little time and memory (ulimit -v 300 MB; the probe's
# files took 2 GB and 21 s before).
command -v python3 >/dev/null || { echo "python3 missing"; exit 1; }
gen="$ROOT/tests/data/reliability/gen_fbalias.py"
cd "$SCRATCH" || exit 1
python3 "$gen" plain.tflite 40000 0 0 table
python3 "$gen" names.tflite 2000 1000000 0 table
python3 "$gen" shared_names.tflite 2000 1000000 0 shared
python3 "$gen" shared_scales.tflite 200 0 1000000 shared
python3 "$gen" few.tflite 3 10 4 shared
# (AddressSanitizer reserves terabytes of address space: no limit under it)
[ -n "${MEMPLAN_SANITIZED:-}" ] || ulimit -v 300000
for f in plain names shared_names shared_scales; do
  timeout $((${MEMPLAN_SANITIZED:+10*}20)) $MEMPLAN analyze $f.tflite --no-db --no-patch; echo "$f: exit $?"
done
# three tables sharing a short name and four scales: within the budget, imported
$MEMPLAN analyze few.tflite --no-db --no-patch | head -1; echo "few: exit ${PIPESTATUS[0]}"
