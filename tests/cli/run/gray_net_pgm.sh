# a 96x96 gray PGM into the bundled gray MobileNetV1 (seeded)
{ printf 'P5\n96 96\n255\n'; head -c 9216 /dev/zero | tr '\0' '\200'; } >"$SCRATCH/mid.pgm"
$MEMPLAN run nets/mobilenetv1-w0.25-r96-gray.json --input "$SCRATCH/mid.pgm" --top 2
