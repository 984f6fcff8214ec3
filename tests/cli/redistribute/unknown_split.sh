$MEMPLAN redistribute nets/mcunet-like-r160.json --split nothing --patches 2x2
