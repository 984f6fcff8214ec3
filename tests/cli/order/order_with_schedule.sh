$MEMPLAN validate nets/darts-v2-c16-l8-cifar.json --schedule x.json --order best
