$MEMPLAN redistribute nets/mcunet-like-r160.json --split logits --patches 2x2
