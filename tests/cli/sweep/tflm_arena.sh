# A .tflite gets TFLite Micro's whole arena beside memplan's schedule: ops_net needs
# 3,168 B on a Cortex-M (docs/tflm.md), so it misses 3K by 96 B (+1 KiB) and fits 4K.
$MEMPLAN sweep tests/data/tflite/ops_net.tflite --budgets 3K,4K
$MEMPLAN sweep tests/data/tflite/ops_net.tflite --budgets 3K --json | grep -o '"tflm_[a-z_]*": [0-9a-z]*'
$MEMPLAN sweep tests/data/tflite/ops_net.tflite --budgets 3K --kernels cmsis-nn --json |
  grep -o '"options": "[^"]*"'
