cd "$SCRATCH" || exit 1
$MEMPLAN analyze "$ROOT/nets/mobilenetv1-w0.25-r96-gray.json" --no-patch --db m.db >/dev/null || exit 1
$MEMPLAN report --db m.db --network nothing
