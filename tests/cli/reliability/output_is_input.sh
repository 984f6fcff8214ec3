# An output that names an input is refused and the input kept (issue 18): convert, plan,
# run --output, render -o, also through a symbolic link.
cd "$SCRATCH" || exit 1
cp "$ROOT/tests/data/tflite/tiny_net.tflite" m.tflite
cp "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" n.json
sum0=$(cksum m.tflite n.json)
ln -s n.json link.json
$MEMPLAN convert m.tflite -o m.tflite; echo "convert: exit $?"
$MEMPLAN plan n.json --no-db -o n.json >/dev/null; echo "plan: exit $?"
$MEMPLAN plan n.json --no-db -o link.json >/dev/null; echo "plan via a link: exit $?"
head -c 768 /dev/zero >in.raw
sum0="$sum0 $(cksum in.raw)"
$MEMPLAN run m.tflite --input in.raw --output m.tflite >/dev/null; echo "run (model): exit $?"
$MEMPLAN run m.tflite --input in.raw --output in.raw >/dev/null; echo "run (input): exit $?"
ln -s n.json pic.svg
$MEMPLAN render n.json --no-patch -o pic.svg; echo "render: exit $?"
[ "$sum0" = "$(cksum m.tflite n.json) $(cksum in.raw)" ] && echo "inputs unchanged"
ls
