/* SPDX-License-Identifier: MIT */
/*
 * target.c - memplan_rt packages on disk and on QEMU (module cli).
 *
 * The run builds the package with the harness it carries
 * (memplan_rt/target/run_cortex_m.sh and cortex_m_main.c) in a temporary
 * directory, which is removed afterwards.
 */
#define _GNU_SOURCE
#include "target.h"

#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int write_one(mp_cli *cli, const char *path, const char *text, size_t n, bool quiet)
{
    mp_error err;
    mp_error_init(&err);
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    if ((slash && mp_mkdir_p(dir, &err) != MP_OK) ||
        mp_file_write_atomic(path, text, n, &err) != MP_OK)
        return cli_fail(cli, &err);
    if (!quiet)
        fprintf(cli->out, "wrote %s\n", path);
    return EXIT_OK;
}

int target_write_package(mp_cli *cli, const mp_rt_tables *t, const char *dir, const char *prefix,
                         bool quiet)
{
    mp_error err;
    mp_error_init(&err);
    mp_strbuf h, c;
    mp_strbuf_init(&h);
    mp_strbuf_init(&c);
    char header[96], path[4096];
    snprintf(header, sizeof header, "%s_model.h", prefix);
    int rc = EXIT_OK;
    if (mp_rt_export_c(t, prefix, header, &h, &c, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    if (rc == EXIT_OK) {
        snprintf(path, sizeof path, "%s/%s", dir, header);
        rc = write_one(cli, path, h.buf, h.len, quiet);
    }
    if (rc == EXIT_OK) {
        snprintf(path, sizeof path, "%s/%s_model.c", dir, prefix);
        rc = write_one(cli, path, c.buf, c.len, quiet);
    }
    size_t n;
    const mp_rt_source *src = mp_rt_sources(&n);
    for (size_t i = 0; rc == EXIT_OK && i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, src[i].name);
        rc = write_one(cli, path, src[i].text, strlen(src[i].text), quiet);
    }
    mp_strbuf_release(&h);
    mp_strbuf_release(&c);
    return rc;
}

/* ---- running on QEMU ----------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* Run argv, its stdout into out (NUL-terminated, truncated to n - 1), stderr
 * to ours. Returns the exit status, or -1. */
static int run_capture(char *const argv[], char *out, size_t n)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    size_t len = 0;
    ssize_t k;
    char sink[512];
    while ((k = read(fd[0], len + 1 < n ? out + len : sink,
                     len + 1 < n ? n - 1 - len : sizeof sink)) > 0)
        if (len + 1 < n)
            len += (size_t)k;
    out[len] = '\0';
    close(fd[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
        return -1;
    return WEXITSTATUS(status);
}

static uint64_t field(const char *line, const char *key)
{
    const char *p = strstr(line, key);
    return p ? strtoull(p + strlen(key), NULL, 10) : 0;
}

static void word(const char *line, const char *key, char *dst, size_t n)
{
    const char *p = strstr(line, key);
    size_t k = 0;
    if (p)
        for (p += strlen(key); *p && *p != ' ' && *p != '\n' && k + 1 < n; p++)
            dst[k++] = *p;
    dst[k] = '\0';
}

static int fail_msg(mp_cli *cli, const char *msg)
{
    mp_error err;
    mp_error_init(&err);
    mp_errorf(&err, MP_E_IO, "--target: %s", msg);
    return cli_fail(cli, &err);
}

/* Decode the hex the firmware printed into r->output; compare with expected. */
static bool same_bytes(const char *hex, const int8_t *expected, size_t n, target_result *r)
{
    if (strlen(hex) < 2 * n || !(r->output = calloc(n ? n : 1, 1)))
        return false;
    bool same = true;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1)
            return false;
        r->output[i] = (int8_t)(uint8_t)v;
        same = same && (uint8_t)expected[i] == v;
    }
    return same;
}

static int build_and_run(mp_cli *cli, const char *dir, const char *cpu, size_t ram_bytes,
                         size_t stack_bytes, const int8_t *expected, size_t expected_bytes,
                         target_result *r)
{
    char script[4200], in[4200], out[4200], ram[32], stack[32], line[1024];
    char bash[] = "bash", name[] = "target", cpu_arg[32], dir_arg[4096];
    snprintf(cpu_arg, sizeof cpu_arg, "%s", cpu);
    snprintf(dir_arg, sizeof dir_arg, "%s", dir);
    snprintf(script, sizeof script, "%s/memplan_rt/target/run_cortex_m.sh", dir);
    snprintf(in, sizeof in, "%s/input.bin", dir);
    snprintf(out, sizeof out, "%s/output.hex", dir);
    snprintf(ram, sizeof ram, "%zu", ram_bytes);
    snprintf(stack, sizeof stack, "%zu", stack_bytes);
    char *argv[] = {bash, script, dir_arg, name, in, out, ram, cpu_arg, stack, NULL};
    int rc = run_capture(argv, line, sizeof line);
    if (rc == 77)
        return fail_msg(cli, "needs arm-none-eabi-gcc and qemu-system-arm (scripts/install-deps.sh)");
    if (rc != 0 || !strstr(line, "target "))
        return fail_msg(cli, "the firmware did not build or run (messages above)");
    r->ran = true;
    word(line, "cpu=", r->cpu, sizeof r->cpu);
    word(line, "board=", r->board, sizeof r->board);
    r->ram_bytes = ram_bytes;
    r->ram_used = field(line, "ram_used=");
    r->text_bytes = field(line, "rt_text=");
    r->weights_bytes = field(line, "weights=");
    r->stack_bytes = field(line, "stack=");
    r->instructions = field(line, "instructions=");
    mp_error err;
    mp_error_init(&err);
    char *hex = NULL;
    size_t n = 0;
    if (mp_file_read(out, (size_t)1 << 24, &hex, &n, &err) != MP_OK)
        return cli_fail(cli, &err);
    r->bit_exact = same_bytes(hex, expected, expected_bytes, r);
    mp_file_free(hex);
    return EXIT_OK;
}

int target_run(mp_cli *cli, const mp_rt_tables *t, const char *cpu, size_t ram_bytes,
               size_t stack_bytes, const int8_t *input, size_t input_bytes,
               const int8_t *expected, size_t expected_bytes, target_result *r)
{
    memset(r, 0, sizeof *r);
    r->arena_bytes = mp_rt_tables_arena_bytes(t);
    const char *tmp = getenv("TMPDIR");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/memplan-target-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir))
        return fail_msg(cli, "cannot create a temporary directory");
    char in[4200];
    snprintf(in, sizeof in, "%s/input.bin", dir);
    mp_error err;
    mp_error_init(&err);
    int rc = target_write_package(cli, t, dir, "target", true);
    if (rc == EXIT_OK && mp_file_write_atomic(in, input, input_bytes, &err) != MP_OK)
        rc = cli_fail(cli, &err);
    if (rc == EXIT_OK)
        rc = build_and_run(cli, dir, cpu, ram_bytes, stack_bytes, expected, expected_bytes, r);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    return rc;
}
