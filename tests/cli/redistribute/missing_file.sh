$MEMPLAN redistribute nets/nothing.json
