$MEMPLAN redistribute nets/mcunet-like-r160.json --cuts balanced
