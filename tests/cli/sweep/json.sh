# one JSON document: targets, and per network the result of every target
$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json nets/mobilenetv2-w1.0-r224.json --budgets 64K,320K --max-grid 4 --json
