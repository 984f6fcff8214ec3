$MEMPLAN redistribute nets/mcunet-like-r160.json --min-kernel 2
