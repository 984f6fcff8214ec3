# the lowest patch peak at any cost (--max-macs 4x: the search before the +10% policy)
$MEMPLAN redistribute nets/mcunet-like-r160.json --inplace-dw --max-macs 4x
