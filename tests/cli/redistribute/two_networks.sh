$MEMPLAN redistribute nets/mcunet-like-r160.json nets/mobilenetv2-w1.0-r224.json
