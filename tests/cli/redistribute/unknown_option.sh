$MEMPLAN redistribute nets/mcunet-like-r160.json --variants 3
