/* SPDX-License-Identifier: MIT */
/*
 * file_guard.h - what the output-writing routine needs to know about the
 * process (module util, private): the files read as inputs (by device and
 * inode, so no output is written over one of them) and the temporary files
 * being written (removed by mp_file_remove_temporaries on a signal).
 */
#ifndef MEMPLAN_UTIL_FILE_GUARD_H
#define MEMPLAN_UTIL_FILE_GUARD_H

#include "memplan/mp_error.h"

#include <stdbool.h>
#include <sys/stat.h>

/* Remember st (an input's fstat) as an input of this process. */
void file_guard_note(const struct stat *st);
/* Whether st is the file of a remembered input. */
bool file_guard_is_input(const struct stat *st);

/* Create PATH.tmp.PID.N exclusively (mode 0666: the umask applies), open for writing;
 * *tmp is freed with mp_free. */
mp_status file_guard_temp_create(const char *path, char **tmp, int *fd, mp_error *err);

/* Register path (copied) as a temporary file to remove on a signal; returns a slot or -1
 * when the table is full (the file is then only removed by its writer). */
int file_guard_temp_add(const char *path);
/* The writer removed or renamed its temporary: forget the slot (-1 is ignored). */
void file_guard_temp_drop(int slot);

#endif
