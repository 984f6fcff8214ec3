$MEMPLAN redistribute nets/mcunet-like-r160.json --split s2_0_project
