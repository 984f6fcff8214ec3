$MEMPLAN render nets/mobilenetv2-w0.35-r144.json --split b3_add --patches 2x2 --halo recompute,cache -o x.dot
