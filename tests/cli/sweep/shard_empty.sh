# more shards than networks: a shard may have nothing to do
$MEMPLAN sweep nets/mobilenetv1-w0.25-r96-gray.json --budgets 64K --shard 2/2
