# A TFLite model with several subgraphs (WHILE bodies) is analysed on subgraph 0 with a
# warning saying so (issue 18).
$MEMPLAN analyze tests/data/reliability/while_two_subgraphs.tflite --no-db >/dev/null
echo "exit $?"
