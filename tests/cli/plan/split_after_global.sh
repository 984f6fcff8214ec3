$MEMPLAN plan nets/mobilenetv2-w0.35-r144.json --split logits --patches 2x2
