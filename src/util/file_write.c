/* SPDX-License-Identifier: MIT */
/*
 * file_write.c - the one routine that writes an output file (module util).
 *
 * Policy (docs/reliability.md, "Writing outputs"):
 *   "-"              standard output, written as is (a terminal or a pipe)
 *   an input         refused: the target is a file this process read (same
 *                    device and inode, see file_guard.c), e.g. "plan N -o N"
 *   a symbolic link  followed: the file it names is replaced, the link stays;
 *                    a dangling link is refused
 *   not regular      refused (directory, device, FIFO, socket): "-o /dev/null"
 *                    never replaces the device
 *   regular          a temporary file beside it (PATH.tmp.PID.N) is written,
 *                    fsynced and renamed over it: readers see the old or the
 *                    new content. It takes the old file's mode (and, where
 *                    permitted, owner and group); a new file is created 0666
 *                    less the umask.
 * The temporary is registered with file_guard.c, so a SIGINT/SIGTERM handler
 * calling mp_file_remove_temporaries (the CLI installs one) leaves nothing.
 */
#include "memplan/mp_util.h"

#include "alloc.h"
#include "checked.h"
#include "file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static mp_status write_all(int fd, const void *data, size_t size)
{
    const unsigned char *p = data;
    while (size) {
        ssize_t w = write(fd, p, size);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return MP_E_IO;
        }
        p += w;
        size -= (size_t)w;
    }
    return MP_OK;
}

/* The file to replace: path itself, or what its symbolic link names. *real is NULL when
 * path is used as given. */
static mp_status resolve_target(const char *path, char **real, struct stat *st, bool *exists,
                                mp_error *err)
{
    *real = NULL;
    *exists = false;
    struct stat lst;
    if (lstat(path, &lst) != 0) {
        if (errno == ENOENT)
            return MP_OK;
        return mp_errorf(err, MP_E_IO, "%s: cannot write: %s", path, strerror(errno));
    }
    if (S_ISLNK(lst.st_mode)) {
        if (stat(path, st) != 0)
            return mp_errorf(err, MP_E_IO, "%s: a symbolic link to a missing file: not written",
                             path);
        *real = realpath(path, NULL); /* libc's malloc: freed with free() */
        if (!*real)
            return mp_errorf(err, MP_E_IO, "%s: cannot resolve the link: %s", path,
                             strerror(errno));
    } else {
        *st = lst;
    }
    *exists = true;
    if (S_ISDIR(st->st_mode))
        return mp_errorf(err, MP_E_IO, "%s: is a directory: give a file name", path);
    if (!S_ISREG(st->st_mode))
        return mp_errorf(err, MP_E_IO,
                         "%s: not a regular file (a device, FIFO or socket is never replaced); "
                         "use '-' for standard output",
                         path);
    if (file_guard_is_input(st))
        return mp_errorf(err, MP_E_IO,
                         "%s: is an input of this command: not overwritten (write to another "
                         "file)",
                         path);
    return MP_OK;
}

/* Give the temporary the old file's owner, group (where permitted) and mode. */
static mp_status keep_mode(int fd, const struct stat *old, const char *path, mp_error *err)
{
    if (fchown(fd, old->st_uid, old->st_gid) != 0 && fchown(fd, (uid_t)-1, old->st_gid) != 0) {
        /* not permitted: the new file is ours, as any file we create */
    }
    if (fchmod(fd, old->st_mode & 07777) != 0)
        return mp_errorf(err, MP_E_IO, "%s: cannot keep the mode: %s", path, strerror(errno));
    return MP_OK;
}

static mp_status write_replace(const char *path, const struct stat *old, bool exists,
                               const void *data, size_t size, mp_error *err)
{
    char *tmp = NULL;
    int fd = -1;
    MP_TRY(file_guard_temp_create(path, &tmp, &fd, err));
    int slot = file_guard_temp_add(tmp);
    mp_status st = MP_OK;
    if (exists)
        st = keep_mode(fd, old, path, err);
    if (st == MP_OK && (write_all(fd, data, size) != MP_OK || fsync(fd) != 0))
        st = mp_errorf(err, MP_E_IO, "%s: write failed: %s", path, strerror(errno));
    if (close(fd) != 0 && st == MP_OK)
        st = mp_errorf(err, MP_E_IO, "%s: close failed: %s", path, strerror(errno));
    if (st == MP_OK && rename(tmp, path) != 0)
        st = mp_errorf(err, MP_E_IO, "%s: cannot rename the temporary file: %s", path,
                       strerror(errno));
    if (st != MP_OK)
        unlink(tmp);
    file_guard_temp_drop(slot);
    mp_free(tmp);
    return st;
}

mp_status mp_file_write_atomic(const char *path, const void *data, size_t size, mp_error *err)
{
    if (strcmp(path, "-") == 0) {
        fflush(NULL); /* text already printed (through any stream) goes first */
        if (write_all(STDOUT_FILENO, data, size) != MP_OK)
            return mp_errorf(err, MP_E_IO, "standard output: write failed: %s",
                             strerror(errno));
        return MP_OK;
    }
    char *real;
    struct stat old;
    bool exists;
    mp_status st = resolve_target(path, &real, &old, &exists, err);
    if (st == MP_OK)
        st = write_replace(real ? real : path, &old, exists, data, size, err);
    free(real);
    return st;
}
