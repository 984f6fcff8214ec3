# Wrong values of --kernels and --reserve (issue 17) are usage errors (exit 2) naming the
# command, the option and the value, in every command that takes them; a reserve larger
# than the budget is a schedule that does not fit (exit 1).
n=nets/mobilenetv1-w0.25-r96-gray.json
for c in "analyze $n --kernels cmsis" "plan $n --best --kernels arm" \
         "sweep $n --budgets 64K --kernels neon" "validate $n --kernels x" \
         "analyze $n --reserve 12Q" "plan $n --best --reserve -5" \
         "sweep $n --budgets 64K --reserve lots" "validate $n --reserve 1T"; do
  $MEMPLAN $c --no-db >/dev/null 2>"$SCRATCH/err"
  echo "exit $?: $(head -1 "$SCRATCH/err")"
done
$MEMPLAN analyze $n --reserve 300K --budget 256K --no-db | tail -1; echo "exit ${PIPESTATUS[0]}"
