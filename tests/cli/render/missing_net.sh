$MEMPLAN render does/not/exist.json -o "$SCRATCH/x.svg"
