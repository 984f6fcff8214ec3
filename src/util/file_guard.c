/* SPDX-License-Identifier: MIT */
/*
 * file_guard.c - the process's inputs and temporary files (module util).
 *
 * Inputs: every file mp_file_read reads (and every database the store
 * opens) is remembered by device, inode and change time, under a mutex; the writer of an
 * output refuses a target that is one of them ("plan N -o N").
 *
 * Temporaries: a fixed table of atomic pointers to heap copies of their
 * paths. mp_file_remove_temporaries only loads the pointers and calls
 * unlink, so a signal handler may call it; a slot's string is freed only
 * after the slot was cleared.
 */
#include "file_guard.h"

#include "memplan/mp_util.h"

#include "alloc.h"
#include "checked.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>

#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

/* Device and inode name the file; the change time tells a file apart from a later one that
 * got the inode of a deleted input. */
typedef struct file_id {
    dev_t dev;
    ino_t ino;
    struct timespec ctime;
} file_id;

static bool same_file(const file_id *id, const struct stat *st)
{
    return id->dev == st->st_dev && id->ino == st->st_ino &&
           id->ctime.tv_sec == st->st_ctim.tv_sec && id->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

static pthread_mutex_t inputs_lock = PTHREAD_MUTEX_INITIALIZER;
static file_id *inputs;
static size_t n_inputs, cap_inputs;

void file_guard_note(const struct stat *st)
{
    pthread_mutex_lock(&inputs_lock);
    bool known = false;
    for (size_t i = 0; i < n_inputs && !known; i++)
        known = same_file(&inputs[i], st);
    if (!known && n_inputs == cap_inputs && cap_inputs < SIZE_MAX / 2 / sizeof *inputs) {
        size_t cap = cap_inputs ? cap_inputs * 2 : 16;
        file_id *p = realloc(inputs, cap * sizeof *p); /* process lifetime: libc, not tracked */
        if (p) { /* without memory the input is not remembered: writes still work */
            inputs = p;
            cap_inputs = cap;
        }
    }
    if (!known && n_inputs < cap_inputs)
        inputs[n_inputs++] = (file_id){st->st_dev, st->st_ino, st->st_ctim};
    pthread_mutex_unlock(&inputs_lock);
}

bool file_guard_is_input(const struct stat *st)
{
    pthread_mutex_lock(&inputs_lock);
    bool found = false;
    for (size_t i = 0; i < n_inputs && !found; i++)
        found = same_file(&inputs[i], st);
    pthread_mutex_unlock(&inputs_lock);
    return found;
}

mp_status mp_file_note_input(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return MP_E_IO;
    file_guard_note(&st);
    return MP_OK;
}

#define N_TEMPS 32
static _Atomic(char *) temps[N_TEMPS];

int file_guard_temp_add(const char *path)
{
    size_t n = strlen(path) + 1;
    char *copy = mp_malloc(n);
    if (!copy)
        return -1;
    memcpy(copy, path, n);
    for (int i = 0; i < N_TEMPS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&temps[i], &expected, copy))
            return i;
    }
    mp_free(copy);
    return -1;
}

void file_guard_temp_drop(int slot)
{
    if (slot < 0 || slot >= N_TEMPS)
        return;
    mp_free(atomic_exchange(&temps[slot], NULL));
}

void mp_file_remove_temporaries(void)
{
    for (int i = 0; i < N_TEMPS; i++) {
        char *p = atomic_load(&temps[i]);
        if (p)
            unlink(p);
    }
}

mp_status file_guard_temp_create(const char *path, char **tmp, int *fd, mp_error *err)
{
    static atomic_uint counter;
    size_t len = strlen(path), bytes;
    *fd = -1;
    if (!mp_add_size(len, 48, &bytes) || !(*tmp = mp_malloc(bytes)))
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory", path);
    for (int attempt = 0; attempt < 100; attempt++) {
        snprintf(*tmp, bytes, "%s.tmp.%ld.%u", path, (long)getpid(),
                 atomic_fetch_add(&counter, 1));
        *fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (*fd >= 0 || errno != EEXIST)
            break;
    }
    if (*fd < 0) {
        mp_status st = mp_errorf(err, MP_E_IO, "%s: cannot create a temporary file: %s", path,
                                 strerror(errno));
        mp_free(*tmp);
        *tmp = NULL;
        return st;
    }
    return MP_OK;
}

