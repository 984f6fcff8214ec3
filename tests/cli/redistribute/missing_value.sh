$MEMPLAN redistribute nets/mcunet-like-r160.json --max-moves
