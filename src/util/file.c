/* SPDX-License-Identifier: MIT */
/*
 * file.c - whole-file reads with a size limit, atomic writes (temporary file
 * in the target directory + fsync + rename), mkdir -p. Module: util.
 */
#include "memplan/mp_util.h"

#include "alloc.h"
#include "checked.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

mp_status mp_file_read(const char *path, size_t max_bytes, char **data, size_t *size,
                       mp_error *err)
{
    *data = NULL;
    *size = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mp_errorf(err, MP_E_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return mp_errorf(err, MP_E_IO, "%s: not a regular file", path);
    }
    if ((unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        fclose(f);
        return mp_errorf(err, MP_E_LIMIT, "%s: file is %lld bytes, the limit is %zu bytes", path,
                         (long long)st.st_size, max_bytes);
    }
    size_t n = (size_t)st.st_size;
    char *buf = mp_malloc(n + 1);
    if (!buf) {
        fclose(f);
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory reading %zu bytes", path, n);
    }
    size_t got = n ? fread(buf, 1, n, f) : 0;
    int rerr = ferror(f);
    fclose(f);
    if (got != n || rerr) {
        mp_free(buf);
        return mp_errorf(err, MP_E_IO, "%s: read error", path);
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

mp_status mp_file_write_atomic(const char *path, const void *data, size_t size, mp_error *err)
{
    size_t len = strlen(path);
    static const char suffix[] = ".tmp.XXXXXX";
    char *tmp = mp_malloc(len + sizeof suffix);
    if (!tmp)
        return mp_errorf(err, MP_E_NOMEM, "%s: out of memory", path);
    memcpy(tmp, path, len);
    memcpy(tmp + len, suffix, sizeof suffix);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        mp_status st = mp_errorf(err, MP_E_IO, "%s: cannot create a temporary file: %s", path,
                                 strerror(errno));
        mp_free(tmp);
        return st;
    }
    mp_status st = MP_OK;
    if (write_all(fd, data, size) != MP_OK || fsync(fd) != 0)
        st = mp_errorf(err, MP_E_IO, "%s: write failed: %s", path, strerror(errno));
    if (fchmod(fd, 0644) != 0 && st == MP_OK)
        st = mp_errorf(err, MP_E_IO, "%s: chmod failed: %s", path, strerror(errno));
    if (close(fd) != 0 && st == MP_OK)
        st = mp_errorf(err, MP_E_IO, "%s: close failed: %s", path, strerror(errno));
    if (st == MP_OK && rename(tmp, path) != 0)
        st = mp_errorf(err, MP_E_IO, "%s: cannot rename the temporary file: %s", path,
                       strerror(errno));
    if (st != MP_OK)
        unlink(tmp);
    mp_free(tmp);
    return st;
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
