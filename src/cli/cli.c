/* SPDX-License-Identifier: MIT */
/* cli.c - error printing, option value parsing and number formatting (module cli). */
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cli_fail(mp_cli *cli, const mp_error *err)
{
    fprintf(cli->err, "memplan: %s\n", err->msg[0] ? err->msg : "unknown error");
    return EXIT_FAIL;
}

void cli_warn_subgraphs(mp_cli *cli, const char *path, const mp_graph *g)
{
    if (g && g->n_subgraphs > 1)
        fprintf(cli->err,
                "memplan: %s: warning: %s has %u subgraphs (WHILE or IF bodies); only subgraph "
                "0 is analysed, the others' memory is not counted\n",
                cli->cmd, path, g->n_subgraphs);
}

mp_status cli_import(mp_cli *cli, const char *path, mp_graph **g, mp_error *err)
{
    MP_TRY(mp_import_file(path, g, err));
    cli_warn_subgraphs(cli, path, *g);
    return MP_OK;
}

void cli_prefix_file(mp_error *err, const char *path)
{
    size_t n = strlen(path);
    if (err->status != MP_OK && !(strncmp(err->msg, path, n) == 0 && err->msg[n] == ':'))
        mp_error_prefix(err, path);
}

int cli_usage_error(mp_cli *cli, const char *fmt, ...)
{
    va_list ap;
    fprintf(cli->err, "memplan: %s: ", cli->cmd);
    va_start(ap, fmt);
    vfprintf(cli->err, fmt, ap);
    va_end(ap);
    fprintf(cli->err, "\nTry 'memplan %s --help'.\n", cli->cmd);
    return EXIT_USAGE;
}

int cli_help(mp_cli *cli)
{
    fputs(cli->usage, cli->out);
    return EXIT_OK;
}

bool cli_parse_size(mp_cli *cli, const char *opt, const char *text, size_t *out)
{
    mp_error err;
    mp_error_init(&err);
    if (mp_parse_size(text, opt, out, &err) != MP_OK) {
        cli_usage_error(cli, "%s", err.msg);
        return false;
    }
    return true;
}

bool cli_parse_budget(mp_cli *cli, const char *opt, const char *text, size_t *out)
{
    if (!cli_parse_size(cli, opt, text, out))
        return false;
    if (*out == 0) {
        cli_usage_error(cli, "%s: a budget must be more than 0 bytes, got '%s'", opt, text);
        return false;
    }
    return true;
}

bool cli_parse_uint(mp_cli *cli, const char *opt, const char *text, unsigned long min,
                    unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || errno || v < min || v > max || text[0] == '-') {
        cli_usage_error(cli, "%s: expected an integer from %lu to %lu, got '%s'", opt, min, max,
                        text);
        return false;
    }
    *out = v;
    return true;
}

#define ROTATE 8
static char *rotating(void)
{
    static _Thread_local char bufs[ROTATE][48];
    static _Thread_local unsigned next;
    return bufs[next++ % ROTATE];
}

const char *cli_count(uint64_t n)
{
    char *b = rotating();
    return mp_format_count(n, b, 48);
}

const char *cli_factor(double f)
{
    char *b = rotating();
    snprintf(b, 48, "%.3gx", f);
    return b;
}

const char *cli_kib(uint64_t bytes)
{
    char *b = rotating();
    snprintf(b, 48, "%.1f KiB", (double)bytes / 1024.0);
    return b;
}

void cli_print_wrapped(FILE *f, const char *label, const char *text)
{
    enum { INDENT = 17, WIDTH = 80 };
    size_t col = (size_t)fprintf(f, "%-*s", INDENT, label);
    bool first = true;
    while (*text) {
        while (*text == ' ')
            text++;
        size_t len = strcspn(text, " ");
        if (len == 0)
            break;
        if (!first && col + 1 + len > WIDTH) {
            fprintf(f, "\n%*s", INDENT, "");
            col = INDENT;
        } else if (!first) {
            fputc(' ', f);
            col++;
        }
        fwrite(text, 1, len, f);
        col += len;
        text += len;
        first = false;
    }
    fputc('\n', f);
}

const char *cli_short_name(const char *name, size_t width)
{
    char *b = rotating();
    if (width > 47)
        width = 47;
    if (width < 3)
        width = 3;
    size_t full = strlen(name), len = strcspn(name, ";"); /* TFLite: "a/Relu;a/BiasAdd;..." */
    if (full <= width) {
        snprintf(b, 48, "%s", name);
    } else if (len + 3 <= width) {
        snprintf(b, 48, "%.*s...", (int)len, name);
    } else {
        size_t tail = width / 3, head = width - 3 - tail;
        snprintf(b, 48, "%.*s...%.*s", (int)head, name, (int)tail, name + full - tail);
    }
    return b;
}

uint32_t cli_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 8 ? 8 : (uint32_t)n;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool cli_progress_start(mp_cli *cli, const char *what, cli_progress_bar *pr)
{
    /* the bar draws with carriage returns: written to the terminal itself */
    fflush(cli->err);
    *pr = (cli_progress_bar){.f = stderr, .cmd = cli->cmd, .what = what,
                             .start_ms = mono_ms()};
    return isatty(fileno(stderr));
}

void cli_progress(void *ctx, uint32_t done, uint32_t total)
{
    cli_progress_bar *pr = ctx;
    enum { WIDTH = 30 };
    if (done >= total) {
        if (pr->drawn)
            fprintf(pr->f, "\r\033[K");
        fflush(pr->f);
        pr->drawn = false;
        return;
    }
    if (!pr->drawn && mono_ms() - pr->start_ms < 300)
        return;
    uint32_t fill = total ? (uint32_t)((uint64_t)done * WIDTH / total) : WIDTH;
    uint32_t pct = (uint32_t)((uint64_t)done * 100 / (total ? total : 1));
    if (pr->drawn && !pr->what && fill == pr->last_fill && pct == pr->last_pct)
        return; /* the same line */
    pr->last_fill = fill;
    pr->last_pct = pct;
    char bar[WIDTH + 1];
    for (uint32_t i = 0; i < WIDTH; i++)
        bar[i] = i < fill ? '#' : '.';
    bar[WIDTH] = '\0';
    if (pr->what)
        fprintf(pr->f, "\rmemplan: %s: [%s] %u/%u %s", pr->cmd, bar, done, total, pr->what);
    else
        fprintf(pr->f, "\rmemplan: %s: [%s] %3u%%", pr->cmd, bar, (unsigned)pct);
    fflush(pr->f);
    pr->drawn = true;
}

int cli_parse_order(mp_cli *cli, const char *text, bool *best)
{
    if (strcmp(text, "file") != 0 && strcmp(text, "best") != 0)
        return cli_usage_error(cli, "--order: expected file or best, got '%s'", text);
    *best = strcmp(text, "best") == 0;
    return EXIT_OK;
}

int cli_best_order(mp_cli *cli, const mp_graph *g, const mp_plan_opts *po, mp_order_result *r)
{
    mp_error err;
    mp_order_opts oo;
    mp_error_init(&err);
    mp_order_opts_init(&oo);
    if (mp_plan_best_order(g, po, &oo, r, &err) != MP_OK)
        return cli_fail(cli, &err);
    return EXIT_OK;
}

int cli_parse_input_mode(mp_cli *cli, const char *text, mp_input_mode *out)
{
    if (strcmp(text, "sram") == 0)
        *out = MP_INPUT_SRAM;
    else if (strcmp(text, "stream") == 0)
        *out = MP_INPUT_STREAM;
    else
        return cli_usage_error(cli, "--input: expected sram or stream, got '%s'", text);
    return EXIT_OK;
}

int cli_parse_halo_modes(mp_cli *cli, const char *text, uint32_t *halos)
{
    if (strcmp(text, "all") == 0) {
        *halos = MP_HALO_ALL;
        return EXIT_OK;
    }
    uint32_t mask = 0;
    const char *p = text;
    for (;;) { /* a comma-separated list of modes */
        char name[32];
        size_t n = strcspn(p, ",");
        mp_halo h;
        if (n >= sizeof name)
            n = sizeof name - 1;
        memcpy(name, p, n);
        name[n] = '\0';
        if (!mp_halo_parse(name, &h))
            return cli_usage_error(cli,
                                   "--halo: expected recompute, cache, cache-cols, a comma-"
                                   "separated list of them or all, got '%s'",
                                   text);
        mask |= MP_HALO_BIT(h);
        p += strcspn(p, ",");
        if (*p == '\0')
            break;
        p++;
    }
    *halos = mask;
    return EXIT_OK;
}
