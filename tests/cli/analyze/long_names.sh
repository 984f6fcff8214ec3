# Layer names wider than the table's column: TFLite's fused names ("a;b;c") by their first
# part, other long names with "..." in the middle; --json keeps them whole
cat >"$SCRATCH/n.json" <<'NET'
{"format": "memplan-net", "version": 1, "name": "names", "input": {"name": "in", "shape": [8, 8, 3]},
 "layers": [
  {"name": "model/activation/Relu;model/batch_normalization/FusedBatchNormV3;model/conv2d/Conv2D",
   "op": "conv2d", "filters": 4, "kernel": 3, "padding": "same"},
  {"name": "a_layer_name_that_is_much_longer_than_the_column_of_the_table",
   "op": "depthwise_conv2d", "kernel": 3, "padding": "same"},
  {"name": "exactly_twenty_eight_chars__", "op": "mean"}]}
NET
$MEMPLAN analyze "$SCRATCH/n.json" --no-patch --no-db | sed -n '/^step/,/^$/p'
$MEMPLAN analyze "$SCRATCH/n.json" --no-patch --no-db --json | grep -o '"name": "a_layer[^"]*"' | head -1
