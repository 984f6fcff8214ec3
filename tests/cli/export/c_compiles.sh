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
