# plan -> export C -> the header and source compile as C99 with -Werror
# (and for a Cortex-M4 when arm-none-eabi-gcc is installed).
$MEMPLAN plan nets/mobilenetv1-w0.25-r96-gray.json --split b2_pw --patches 3x3 --halo cache \
    --inplace-dw --input stream --summary -o "$SCRATCH/person.json" >/dev/null 2>&1 || exit 3
$MEMPLAN export nets/mobilenetv1-w0.25-r96-gray.json --schedule "$SCRATCH/person.json" \
    -o "$SCRATCH/out" | sed "s|$SCRATCH|SCRATCH|"
cc -std=c99 -Wall -Wextra -Werror -pedantic -c "$SCRATCH/out/person.c" -o "$SCRATCH/p.o" || exit 4
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
  arm-none-eabi-gcc -std=c99 -mcpu=cortex-m4 -mthumb -Os -Wall -Wextra -Werror \
      -c "$SCRATCH/out/person.c" -o "$SCRATCH/p_m4.o" || exit 5
fi
grep -c "^#define PERSON_" "$SCRATCH/out/person.h"
# the memplan_rt package: the model tables and the runtime compile as C99 too, and
# the runtime needs nothing of libc but memcpy/memset/memmove, and floating point (libgcc's
# soft-float helpers) only in mprt_convert.c, the float32 quantize/dequantize
for src in "$SCRATCH"/out/person_model.c "$SCRATCH"/out/memplan_rt/*.c; do
  cc -std=c99 -Wall -Wextra -Werror -pedantic -I"$SCRATCH/out" -I"$SCRATCH/out/memplan_rt/include" \
      -c "$src" -o "$SCRATCH/rt.o" || exit 6
done
if command -v arm-none-eabi-gcc >/dev/null 2>&1; then
  for src in "$SCRATCH"/out/memplan_rt/*.c; do
    arm-none-eabi-gcc -std=c99 -mcpu=cortex-m4 -mthumb -mfloat-abi=soft -Os -Wall -Wextra -Werror \
        -I"$SCRATCH/out/memplan_rt/include" -c "$src" -o "$SCRATCH/$(basename "$src").o" || exit 7
  done
  objs=("$SCRATCH"/mprt_*.o)
  defined=$(arm-none-eabi-nm --defined-only "${objs[@]}" | awk 'NF == 3 {print $3}' | sort -u)
  undef=$(arm-none-eabi-nm -u "${objs[@]}" | awk 'NF == 2 {print $2}' | sort -u |
          grep -v -x -e memcpy -e memset -e memmove -e '__aeabi_[a-z0-9]*' | grep -v -x -F "$defined")
  [ -z "$undef" ] || { echo "the runtime needs: $undef"; exit 8; }
  # floating point (libgcc's soft-float helpers) only at the float boundary: mprt_convert
  fp=$(for o in "${objs[@]}"; do [ "$(basename "$o")" = mprt_convert.c.o ] ||
         arm-none-eabi-nm -u "$o" | grep -o '__aeabi_[fd][a-z0-9]*\|__aeabi_[iu]2[fd]'; done)
  [ -z "$fp" ] || { echo "floating point outside mprt_convert: $fp"; exit 9; }
  arm-none-eabi-nm -u "$SCRATCH/mprt_convert.c.o" | grep -q __aeabi_fdiv || { echo "no float division?"; exit 10; }
fi
echo "the runtime needs memcpy, memset, memmove; floating point in mprt_convert only"
