# --kernels cmsis-nn counts each op's CMSIS-NN scratch (a 5x5 depthwise needs C*25 int16,
# convolutions two im2col columns), --reserve adds headroom: both in the schedule table
$MEMPLAN analyze nets/mcunet-like-r160.json --kernels cmsis-nn --reserve 8K --budget 256K --no-db | sed -n '/^network/,$p'
