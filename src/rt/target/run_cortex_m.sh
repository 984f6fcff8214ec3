#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# run_cortex_m.sh PKG PREFIX INPUT OUT_HEX RAM_BYTES [CPU] [STACK_BYTES]
#
# Build a memplan export package (PKG: NAME_model.h/.c + memplan_rt/) for a
# Cortex-M (CPU: cortex-m4 on QEMU's mps2-an386, default, or cortex-m7 on
# mps2-an500) with a linker script whose RAM region is RAM_BYTES (the SRAM
# budget: the link fails if arena + stack + data do not fit), run it under
# qemu-system-arm with -icount and semihosting, and print:
#   target cpu=.. board=.. bit_output=OUT_HEX-file
#   text_bytes rt_text_bytes weights_bytes ram_bytes stack_bytes instructions status
# INPUT: the raw input bytes (the inputs back to back). The output bytes go
# to OUT_HEX as hex. Exit 0 when the firmware ran, 1 when it failed (link,
# run), 77 when the tools are missing.
set -u
pkg=$1 prefix=$2 input=$3 out=$4 ram=$5 cpu=${6:-cortex-m4} stack=${7:-8192}
here=$(cd "$(dirname "$0")" && pwd)
for tool in arm-none-eabi-gcc arm-none-eabi-size qemu-system-arm; do
  command -v $tool >/dev/null 2>&1 || { echo "missing $tool" >&2; exit 77; }
done
case $cpu in
  cortex-m4) board=mps2-an386 rom2=0x21000000 ;;
  cortex-m7) board=mps2-an500 rom2=0x60000000 ;;
  *) echo "unknown cpu $cpu (cortex-m4, cortex-m7)" >&2; exit 2 ;;
esac
P=$(echo "$prefix" | tr a-z A-Z)
b="$pkg/.build-$cpu"
rm -rf "$b" && mkdir -p "$b" || exit 1
cat >"$b/harness_cfg.h" <<CFG
#include "${prefix}_model.h"
#define H_ARENA_BYTES ${P}_ARENA_BYTES
#define H_INPUT_BYTES ${P}_INPUT_BYTES
#define H_OUTPUT_BYTES ${P}_OUTPUT_BYTES
#define H_INVOKE ${prefix}_invoke
#define H_MODEL ${prefix}_model
CFG
n=$(stat -c %s "$input")
{ echo '#include <stdint.h>'
  echo "const int8_t h_input[$n] = {"
  od -An -v -t d1 -w32 "$input" | sed 's/\([-0-9][0-9]*\)/\1,/g'
  echo '};'; } >"$b/input.c"
cat >"$b/cortex_m.ld" <<LD
/* RAM = the SRAM budget: arena + data + bss + stack must fit in it. */
MEMORY {
  FLASH (rx) : ORIGIN = 0x00000000, LENGTH = 4M
  FLASH2 (r) : ORIGIN = $rom2, LENGTH = 16M
  RAM (rw)   : ORIGIN = 0x20000000, LENGTH = $ram
}
ENTRY(Reset_Handler)
SECTIONS {
  .text : { KEEP(*(.isr_vector)) *(.text*) } > FLASH
  .rodata : { *(.rodata*) } > FLASH2
  .data : { __data_start = .; *(.data*) . = ALIGN(4); __data_end = .; } > RAM AT > FLASH
  __data_load = LOADADDR(.data);
  .bss (NOLOAD) : { . = ALIGN(4); __bss_start = .; *(.bss*) *(COMMON) . = ALIGN(4); __bss_end = .; } > RAM
  .stack (NOLOAD) : { . = ALIGN(8); __stack_bottom = .; . += $stack; __stack_top = .; } > RAM
  /DISCARD/ : { *(.ARM.exidx*) *(.ARM.attributes) *(.comment) }
}
LD
cflags="-std=c99 -mcpu=$cpu -mthumb -mfloat-abi=soft -O2 -Wall -Wextra -Werror -ffunction-sections -fstack-usage"
inc="-I$b -I$pkg -I$pkg/memplan_rt/include"
objs=()
for src in "$pkg"/memplan_rt/*.c "$pkg/${prefix}_model.c" "$here/cortex_m_main.c" "$b/input.c"; do
  o="$b/$(basename "${src%.c}").o"
  arm-none-eabi-gcc $cflags $inc -c "$src" -o "$o" 2>"$b/cc.log" || { cat "$b/cc.log" >&2; exit 1; }
  objs+=("$o")
done
if ! arm-none-eabi-gcc -mcpu=$cpu -mthumb -mfloat-abi=soft -nostartfiles -T "$b/cortex_m.ld" \
     -Wl,--gc-sections "${objs[@]}" -lc -lgcc -o "$b/fw.elf" 2>"$b/ld.log"; then
  echo "link failed for RAM = $ram bytes:" >&2; grep -i "overflow\|error" "$b/ld.log" | head -5 >&2
  exit 1
fi
rt_text=0
for o in "$b"/mprt_*.o; do
  t=$(arm-none-eabi-size -A "$o" | awk '$1 ~ /^\.text/ {s += $2} END {print s + 0}')
  rt_text=$((rt_text + t))
done
weights=$(arm-none-eabi-size -A "$b/${prefix}_model.o" | awk '$1 ~ /^\.rodata/ {s += $2} END {print s + 0}')
ramuse=$(arm-none-eabi-size -A "$b/fw.elf" | awk '$1 == ".data" || $1 == ".bss" || $1 == ".stack" {s += $2} END {print s + 0}')
log=$(timeout 1200 qemu-system-arm -M $board -cpu $cpu -nographic -monitor none -serial none \
      -icount shift=0 -semihosting-config enable=on,target=native -kernel "$b/fw.elf" 2>&1)
rc=$?
echo "$log" | sed -n 's/^OUTPUT //p' >"$out"
stats=$(echo "$log" | grep '^STATUS')
if [ $rc -ne 0 ] || [ -z "$stats" ]; then
  echo "the firmware failed (qemu exit $rc): $log" | head -5 >&2; exit 1
fi
stack_used=$(echo "$stats" | awk "{print \$10}")
insns=$(echo "$stats" | awk '{print $4}')
echo "target cpu=$cpu board=$board ram_budget=$ram ram_used=$ramuse rt_text=$rt_text weights=$weights stack=$stack_used instructions=$insns $(echo "$stats" | awk '{print "patches=" $12 " ops=" $14 " ticks=" $6 " calib=" $8}')"
