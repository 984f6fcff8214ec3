/* SPDX-License-Identifier: MIT */
/*
 * file.c - whole-file reads with a size limit (regular files only, never
 * blocking on a FIFO; every file read is remembered as an input, see
 * file_guard.c), mkdir -p. Writes are in file_write.c. Module: util.
 */
#include "memplan/mp_util.h"

#include "alloc.h"
#include "checked.h"
#include "file_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

/* Open path for reading without blocking on a FIFO or a device (O_NONBLOCK), and refuse
 * anything but a regular file before reading a byte. */
static mp_status open_regular(const char *path, int *fd, struct stat *st, mp_error *err)
{
    *fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (*fd < 0)
        return mp_errorf(err, MP_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (fstat(*fd, st) != 0 || !S_ISREG(st->st_mode)) {
        bool dir = S_ISDIR(st->st_mode);
        close(*fd);
        *fd = -1;
        return mp_errorf(err, MP_E_IO, "%s: %s", path,
                         dir ? "is a directory"
                             : "not a regular file (a FIFO, device or socket is not read)");
    }
    return MP_OK;
}

static mp_status read_fd(int fd, char *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return MP_E_IO;
        got += (size_t)r;
    }
    return MP_OK;
}

mp_status mp_file_read(const char *path, size_t max_bytes, char **data, size_t *size,
                       mp_error *err)
{
    *data = NULL;
    *size = 0;
    int fd;
    struct stat st;
    MP_TRY(open_regular(path, &fd, &st, err));
    if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        close(fd);
        return mp_errorf(err, MP_E_LIMIT, "%s: file is %lld bytes, the limit is %zu bytes", path,
                         (long long)st.st_size, max_bytes);
    }
    file_guard_note(&st);
    size_t n = (size_t)st.st_size;
    char *buf = mp_malloc(n + 1);
    if (!buf) {
        close(fd);
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    mp_status rc = read_fd(fd, buf, n);
    close(fd);
    if (rc != MP_OK) {
        mp_free(buf);
        return mp_errorf(err, MP_E_IO, "%s: read error (the file changed while read?)", path);
    }
    buf[n] = '\0';
    *data = buf;
    *size = n;
    return MP_OK;
}

void mp_file_free(char *data)
{
    mp_free(data);
}

mp_status mp_mkdir_p(const char *path, mp_error *err)
{
    size_t len = strlen(path);
    char *p = mp_malloc(len + 1);
    if (!p)
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory", path);
    memcpy(p, path, len + 1);
    mp_status st = MP_OK;
    for (size_t i = 1; i <= len && st == MP_OK; i++) {
        if (p[i] != '/' && p[i] != '\0')
            continue;
        char saved = p[i];
        p[i] = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            st = mp_errorf(err, MP_E_IO, "%s: cannot create directory: %s", p, strerror(errno));
        p[i] = saved;
    }
    struct stat sb;
    if (st == MP_OK && (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)))
        st = mp_errorf(err, MP_E_IO, "%s: not a directory", path);
    mp_free(p);
    return st;
}
