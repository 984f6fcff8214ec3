# net.json in, net.json out: the same network (hash and figures).
$MEMPLAN convert nets/mobilenetv1-w0.25-r96-gray.json -o "$SCRATCH/m.json" || exit 1
a=$($MEMPLAN analyze --json nets/mobilenetv1-w0.25-r96-gray.json | sed 's/"source": "[^"]*"//')
b=$($MEMPLAN analyze --json "$SCRATCH/m.json" | sed 's/"source": "[^"]*"//')
[ "$a" = "$b" ] && echo identical
