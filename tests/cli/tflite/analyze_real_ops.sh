# The op set of real exports: float input and quantize (the caller's buffer, outside the
# arena), a PAD folded into the stem convolution, sub, logistic, SE-style mean/mul,
# maximum, transpose conv, depth/space rearrangements, bilinear resize, strided slice,
# split_v, hard swish, transpose, fc keep_num_dims, leaky relu, dequantize; then the same
# with the float input counted; then the patch search through the patchable prefix.
$MEMPLAN analyze --no-patch tests/data/tflite/real_ops.tflite
$MEMPLAN analyze --no-patch --float-input-in-arena tests/data/tflite/real_ops.tflite | grep -E '^ +0 |^per-layer peak|^boundary input'
$MEMPLAN analyze --json tests/data/tflite/real_ops.tflite | grep -E '"boundary"|"folded_pads"'
