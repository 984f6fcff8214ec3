# Errors of the executor name the model file first (issue 18), in run and validate.
head -c 768 /dev/zero >"$SCRATCH/in.raw"
$MEMPLAN run tests/data/tflite/unknown_ops.tflite --input "$SCRATCH/in.raw"; echo "run: exit $?"
$MEMPLAN validate tests/data/tflite/unknown_ops.tflite --no-db; echo "validate: exit $?"
