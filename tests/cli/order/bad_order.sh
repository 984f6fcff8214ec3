$MEMPLAN analyze nets/darts-v2-c16-l8-cifar.json --order fastest
