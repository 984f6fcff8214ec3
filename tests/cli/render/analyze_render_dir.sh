# analyze --render DIR writes the three pictures of the schedule it chose (DIR is created).
$MEMPLAN analyze nets/mobilenetv1-w0.25-r96-gray.json --inplace-dw --render "$SCRATCH/pics/v1" 2>&1 >/dev/null | sed "s|$SCRATCH|SCRATCH|"
ls "$SCRATCH/pics/v1"
grep -c 'patch stage: 6x6 tiles' "$SCRATCH/pics/v1/graph.svg"
