# the best recompute schedule of the search, MCUNet accounting (docs/performance.md)
$MEMPLAN redistribute nets/mcunet-like-r160.json --inplace-dw
