/* SPDX-License-Identifier: MIT */
/*
 * cortex_m_main.c - a bare-metal Cortex-M harness for a memplan_rt package
 * (QEMU mps2 boards; run_cortex_m.sh builds and runs it).
 *
 * The arena is a static buffer of exactly ARENA_BYTES in the RAM region (the
 * MCU's SRAM budget, see cortex_m.ld), the input a const array in flash. The
 * stack is painted before the inference and scanned after it (deepest use),
 * and SysTick, which QEMU's -icount drives from the executed instructions,
 * counts the instructions of the inference (scaled by a calibration loop of
 * known length). The outputs are read where the runtime leaves them, in the
 * arena (mp_model_invoke with output NULL), so RAM holds the arena, the stack
 * and a few bytes. Output and figures go to the host through semihosting:
 *   OUTPUT <hex bytes>
 *   STATUS <mprt_status> INSTRUCTIONS <n> STACK <bytes> PATCHES <n> OPS <n>
 * No libc beyond memcpy/memset/memmove (the runtime's), no heap.
 */
#include "harness_cfg.h"

#include <stdint.h>

extern const int8_t h_input[H_INPUT_BYTES];
static uint8_t arena[H_ARENA_BYTES];
static volatile uint32_t systick_wraps;

extern uint32_t __stack_bottom[], __stack_top[], __data_load[], __data_start[], __data_end[],
    __bss_start[], __bss_end[];

#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define PAINT 0xC0DEC0DEu

static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void puts_host(const char *s)
{
    semihost(0x04, s); /* SYS_WRITE0 */
}

static void put_u32(char **p, uint32_t v)
{
    char tmp[12];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10u);
        v /= 10u;
    } while (v);
    while (n)
        *(*p)++ = tmp[--n];
}

static void put_u64(char **p, uint64_t v)
{
    if (v >= 1000000000u) {
        put_u64(p, v / 1000000000u);
        uint32_t lo = (uint32_t)(v % 1000000000u);
        for (uint32_t d = 100000000u; d; d /= 10u)
            *(*p)++ = (char)('0' + lo / d % 10u);
        return;
    }
    put_u32(p, (uint32_t)v);
}

static void put_str(char **p, const char *s)
{
    while (*s)
        *(*p)++ = *s++;
}

void SysTick_Handler(void);
void SysTick_Handler(void)
{
    systick_wraps++;
}

static uint64_t ticks(void)
{
    uint32_t w, v;
    do {
        w = systick_wraps;
        v = SYST_CVR;
    } while (w != systick_wraps);
    return (uint64_t)w * 0x1000000u + (0xFFFFFFu - v);
}

/* 2 instructions per iteration (subs, bne). */
static void spin(uint32_t n)
{
    __asm__ volatile("1: subs %0, %0, #1\n bne 1b" : "+r"(n) : : "cc");
}

int main(void);
int main(void)
{
    SYST_RVR = 0xFFFFFFu;
    SYST_CVR = 0;
    SYST_CSR = 7u; /* enable, interrupt, processor clock */
    spin(1000u); /* the counter starts from the reload value */
    uint64_t c0 = ticks();
    spin(1000000u);
    uint64_t calib = ticks() - c0;
    mprt_ctx ctx;
    mprt_ctx_init(&ctx);
    uint64_t t0 = ticks();
    int st = H_INVOKE(&ctx, arena, h_input, 0); /* outputs stay in the arena */
    uint64_t t1 = ticks();
    uint32_t *w = __stack_bottom;
    while (w < __stack_top && *w == PAINT)
        w++;
    char line[160];
    char *p = line;
    static const char hex[] = "0123456789abcdef";
    puts_host("OUTPUT ");
    for (int32_t k = 0; st == 0 && k < H_MODEL.n_outputs; k++) {
        const uint8_t *o = mprt_output_data(&H_MODEL, arena, k);
        for (uint32_t i = 0; i < H_MODEL.outputs[k].bytes; i++) {
            *p++ = hex[o[i] >> 4];
            *p++ = hex[o[i] & 15];
            if (p - line >= 128) {
                *p = '\0';
                puts_host(line);
                p = line;
            }
        }
    }
    put_str(&p, "\nSTATUS ");
    put_u32(&p, (uint32_t)st);
    put_str(&p, " INSTRUCTIONS ");
    put_u64(&p, calib ? (t1 - t0) * 2000000u / calib : 0);
    put_str(&p, " TICKS ");
    put_u64(&p, t1 - t0);
    put_str(&p, " CALIB ");
    put_u64(&p, calib);
    put_str(&p, " STACK ");
    put_u32(&p, (uint32_t)((uintptr_t)__stack_top - (uintptr_t)w));
    put_str(&p, " PATCHES ");
    put_u32(&p, ctx.patches);
    put_str(&p, " OPS ");
    put_u32(&p, ctx.op_runs);
    put_str(&p, "\n");
    *p = '\0';
    puts_host(line);
    return st;
}

/* ---- start-up ----------------------------------------------------------------------- */

void Reset_Handler(void);
void Default_Handler(void);

void Default_Handler(void)
{
    puts_host("FAULT\n");
    static const uint32_t args[2] = {0x20024u, 1u}; /* ADP_Stopped_InternalError */
    semihost(0x20, args); /* SYS_EXIT_EXTENDED */
    for (;;)
        ;
}

void Reset_Handler(void)
{
    uint32_t *s = __data_load, *d = __data_start;
    while (d < __data_end)
        *d++ = *s++;
    for (d = __bss_start; d < __bss_end; d++)
        *d = 0;
    uint32_t sp;
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (d = __stack_bottom; (uintptr_t)d < sp - 64u; d++)
        *d = PAINT;
    int rc = main();
    static uint32_t args[2] = {0x20026u, 0u}; /* ADP_Stopped_ApplicationExit */
    args[1] = (uint32_t)rc;
    semihost(0x20, args); /* SYS_EXIT_EXTENDED */
    for (;;)
        ;
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)__stack_top, Reset_Handler, Default_Handler, Default_Handler,
    Default_Handler, Default_Handler, Default_Handler, 0, 0, 0, 0, Default_Handler,
    Default_Handler, 0, Default_Handler, SysTick_Handler,
};
