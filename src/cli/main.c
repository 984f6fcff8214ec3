/* SPDX-License-Identifier: MIT */
/*
 * main.c - memplan's command dispatch (module cli).
 *
 * `memplan <command> [options] <args>`. The table below lists every command;
 * see cli.h for the steps to add one. Exit codes: 0 success, 1 the operation
 * failed (bad input, schedule does not fit, validation mismatch), 2 usage.
 */
#include "cli.h"
#include "record.h"

#include <signal.h>
#include <string.h>

typedef struct command {
    const char *name;
    int (*run)(mp_cli *cli, int argc, char **argv);
    const char *usage;
    const char *summary;
} command;

static const command commands[] = {
    {"analyze", cmd_analyze, analyze_usage, "peak SRAM per layer and the best patch schedule"},
    {"plan", cmd_plan, plan_usage_head, "plan a schedule (arena offsets, patch regions); -o saves it"},
    {"validate", cmd_validate, validate_usage_head, "run a schedule in its arena, bit-exact against per-layer"},
    {"export", cmd_export, export_usage, "a firmware package (C + runtime), JSON or a planned .tflite"},
    {"run", cmd_run, run_usage, "one inference with the reference int8 executor"},
    {"convert", cmd_convert, convert_usage, "write a .tflite (or net.json) as memplan's net.json"},
    {"mcus", cmd_mcus, mcus_usage, "the MCU catalog: SRAM budget, total SRAM, flash"},
    {"sweep", cmd_sweep, sweep_usage, "which networks fit which SRAM budgets or MCUs, and how"},
    {"merge", cmd_merge, merge_usage, "combine databases (sweep shards) without duplicates"},
    {"report", cmd_report, report_usage, "runs, a network's schedules or a sweep from the database"},
    {"render", cmd_render, render_usage, "a picture of a schedule: graph, timeline or lifecycle"},
    {"redistribute", cmd_redistribute, redistribute_usage, "receptive-field redistribution: less patch overhead"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_overview(FILE *f)
{
    fprintf(f, "usage: memplan <command> [options] <args>\n\n"
               "memplan tells how much SRAM a CNN needs on a microcontroller and which\n"
               "execution schedule makes it fit.\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].summary);
    fprintf(f, "\n'memplan <command> --help' describes a command; 'memplan --version'\n"
               "prints the version.\n");
}

/* SIGINT/SIGTERM/SIGHUP: remove the temporary files being written, then die of the
 * signal as before (the exit status still says which). */
static void on_signal(int sig)
{
    mp_file_remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_signal_handlers(void)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        struct sigaction old;
        /* an ignored signal (nohup) stays ignored */
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
}

int main(int argc, char **argv)
{
    install_signal_handlers();
    mp_cli cli = {.out = stdout, .err = stderr, .cmd = "memplan", .usage = "",
                  .started_ms = record_now_ms()};
    if (argc < 2) {
        print_overview(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        print_overview(stdout);
        return EXIT_OK;
    }
    if (strcmp(name, "--version") == 0 || strcmp(name, "-V") == 0) {
        printf("memplan %s\n", mp_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            cli.cmd = commands[i].name;
            cli.usage = commands[i].usage;
            cli.out = cli_text_stream(stdout);
            cli.err = cli_text_stream(stderr);
            int rc = commands[i].run(&cli, argc - 1, argv + 1);
            if (cli.out != stdout)
                fclose(cli.out); /* flushed into stdout before stdout is */
            if (cli.err != stderr)
                fclose(cli.err);
            return rc;
        }
    }
    fprintf(stderr, "memplan: unknown command '%s'\nTry 'memplan --help'.\n", name);
    return EXIT_USAGE;
}
