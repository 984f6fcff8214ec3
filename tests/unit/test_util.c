/* SPDX-License-Identifier: MIT */
/* test_util.c - size parsing, string buffer, SHA-256, base64, pool (module util). */
#include "test_helpers.h"

#include "../../src/util/base64.h"
#include "../../src/util/alloc.h"
#include "../../src/util/checked.h"
#include "../../src/util/file_guard.h"
#include "../../src/util/text.h"
#include "../../src/util/pool.h"
#include "../../src/util/sha256.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static void test_util_parse_size_suffixes(void **state)
{
    (void)state;
    mp_error err;
    size_t v;
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("300000", "--budget", &v, &err), MP_OK);
    assert_int_equal(v, 300000);
    assert_int_equal(mp_parse_size("256K", "--budget", &v, &err), MP_OK);
    assert_int_equal(v, 262144);
    assert_int_equal(mp_parse_size("320KiB", "--budget", &v, &err), MP_OK);
    assert_int_equal(v, 327680);
    assert_int_equal(mp_parse_size("2m", "--budget", &v, &err), MP_OK);
    assert_int_equal(v, 2097152);
    assert_int_equal(mp_parse_size("12B", "--budget", &v, &err), MP_OK);
    assert_int_equal(v, 12);
}

static void test_util_parse_size_errors(void **state)
{
    (void)state;
    mp_error err;
    size_t v;
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("12Q", "--budget", &v, &err), MP_E_INVALID);
    assert_string_equal(err.msg, "--budget: unknown size suffix 'Q' in '12Q' (use B, K, KB, KiB, M, MB, MiB, G, GB or GiB, any case; all are powers of 1024)");
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("-5", "--budget", &v, &err), MP_E_INVALID);
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("", "--budget", &v, &err), MP_E_INVALID);
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("99999999999999999999999", "--budget", &v, &err), MP_E_OVERFLOW);
    mp_error_init(&err);
    assert_int_equal(mp_parse_size("18014398509481984G", "--budget", &v, &err), MP_E_OVERFLOW);
}

static void test_util_error_keeps_first(void **state)
{
    (void)state;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_errorf(&err, MP_E_IO, "first %d", 1), MP_E_IO);
    assert_int_equal(mp_errorf(&err, MP_E_PARSE, "second"), MP_E_PARSE);
    assert_int_equal(err.status, MP_E_IO);
    assert_string_equal(err.msg, "first 1");
    mp_error_prefix(&err, "file.json");
    assert_string_equal(err.msg, "file.json: first 1");
}

static void test_util_strbuf(void **state)
{
    (void)state;
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    for (int i = 0; i < 1000; i++)
        mp_strbuf_printf(&sb, "%d,", i);
    assert_false(sb.failed);
    assert_int_equal(strncmp(sb.buf, "0,1,2,", 6), 0);
    mp_strbuf_reset(&sb);
    mp_strbuf_json_string(&sb, "a\"b\\c\n\x01");
    assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\u0001\"");
    mp_strbuf_release(&sb);
}

static void test_util_strbuf_sticky_failure(void **state)
{
    (void)state;
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    fault_alloc_fail_after(0);
    mp_strbuf_puts(&sb, "hello");
    fault_alloc_fail_after(-1);
    assert_true(sb.failed);
    mp_strbuf_puts(&sb, "world");
    assert_true(sb.failed);
    assert_int_equal(sb.len, 0);
    mp_strbuf_release(&sb);
}

static void test_util_sha256_known_vectors(void **state)
{
    (void)state;
    mp_sha256 s;
    unsigned char d[32];
    char hex[65];
    mp_sha256_init(&s);
    mp_sha256_update(&s, "abc", 3);
    mp_sha256_final(&s, d);
    mp_sha256_hex(d, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    mp_sha256_init(&s);
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    mp_sha256_update(&s, m, strlen(m));
    mp_sha256_final(&s, d);
    mp_sha256_hex(d, hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_util_base64_roundtrip(void **state)
{
    (void)state;
    unsigned char data[256], back[300];
    for (int i = 0; i < 256; i++)
        data[i] = (unsigned char)(i * 7 + 3);
    for (size_t n = 0; n < 10; n++) {
        mp_strbuf sb;
        mp_strbuf_init(&sb);
        mp_base64_encode(data, n, &sb);
        size_t len;
        assert_true(mp_base64_decode(sb.buf, sb.len, back, &len));
        assert_int_equal(len, n);
        assert_memory_equal(back, data, n);
        mp_strbuf_release(&sb);
    }
    size_t len;
    assert_false(mp_base64_decode("ab$d", 4, back, &len));
    assert_true(mp_base64_decode("TWFu", 4, back, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(back, "Man", 3);
}

static void test_util_checked_overflow(void **state)
{
    (void)state;
    size_t out;
    assert_false(mp_mul_size(SIZE_MAX / 2 + 1, 2, &out));
    assert_true(mp_mul_size(SIZE_MAX / 2, 2, &out));
    assert_false(mp_add_size(SIZE_MAX, 1, &out));
    assert_true(mp_align_up(17, 16, &out));
    assert_int_equal(out, 32);
    assert_false(mp_align_up(SIZE_MAX, 16, &out));
    assert_true(mp_align_up(17, 1, &out));
    assert_int_equal(out, 17);
}

static void test_util_pool(void **state)
{
    (void)state;
    mp_pool pool;
    mp_pool_init(&pool);
    char *a = mp_pool_strdup(&pool, "abc");
    void *big = mp_pool_alloc(&pool, 200000);
    char *b = mp_pool_strdup(&pool, "def");
    assert_non_null(big);
    assert_string_equal(a, "abc");
    assert_string_equal(b, "def");
    assert_null(mp_pool_array(&pool, SIZE_MAX / 2, 4));
    mp_pool_release(&pool);
}

static void test_util_format_count(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(mp_format_count(0, buf, sizeof buf), "0");
    assert_string_equal(mp_format_count(999, buf, sizeof buf), "999");
    assert_string_equal(mp_format_count(1404928, buf, sizeof buf), "1,404,928");
    assert_string_equal(mp_format_count(300774272, buf, sizeof buf), "300,774,272");
}

/* ---- crash-safe writes (mp_file_write_atomic) ------------------------------------------ */

typedef struct scratch {
    char dir[32];  /* a fresh directory */
    char path[64]; /* dir/name: the file written */
} scratch;

static void scratch_open(scratch *s, const char *name)
{
    snprintf(s->dir, sizeof s->dir, "/tmp/memplan-atomic-XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof s->path, "%s/%s", s->dir, name);
}

static void scratch_close(scratch *s)
{
    if (unlink(s->path) != 0)
        rmdir(s->path);
    assert_int_equal(rmdir(s->dir), 0);
}

/* The directory holds n entries and no ".tmp." leftover. */
static void assert_entries(const scratch *s, int n)
{
    DIR *d = opendir(s->dir);
    assert_non_null(d);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        count++;
        assert_null(strstr(e->d_name, ".tmp."));
    }
    closedir(d);
    assert_int_equal(count, n);
}

static void read_back(const char *path, const char *expect)
{
    char *data;
    size_t size;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_read(path, 1 << 20, &data, &size, &err), MP_OK);
    assert_int_equal(size, strlen(expect));
    assert_memory_equal(data, expect, size);
    mp_file_free(data);
}

static void test_util_write_atomic_replaces(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "out.json");
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(s.path, "first\n", 6, &err), MP_OK);
    assert_int_equal(mp_file_write_atomic(s.path, "second\n", 7, &err), MP_OK);
    read_back(s.path, "second\n");
    assert_entries(&s, 1);
    scratch_close(&s);
}

/* A write that fails half way (the file size limit, as a full disk would) leaves the old file
 * as it was and no temporary file behind. */
static void test_util_write_atomic_failed_write(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "s.json");
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(s.path, "old\n", 4, &err), MP_OK);
    static char big[65536];
    memset(big, 'x', sizeof big);
    struct rlimit saved, small;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
    small = saved;
    small.rlim_cur = 1000; /* bytes */
    void (*old_handler)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
    mp_status st = mp_file_write_atomic(s.path, big, sizeof big, &err);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
    signal(SIGXFSZ, old_handler);
    assert_int_equal(st, MP_E_IO);
    char want[128];
    snprintf(want, sizeof want, "%s: write failed: File too large", s.path);
    assert_string_equal(err.msg, want);
    read_back(s.path, "old\n");
    assert_entries(&s, 1);
    scratch_close(&s);
}

/* The target is a directory: refused before anything is written, no temporary is left. */
static void test_util_write_atomic_failed_rename(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "taken");
    assert_int_equal(mkdir(s.path, 0755), 0);
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(s.path, "data\n", 5, &err), MP_E_IO);
    char want[128];
    snprintf(want, sizeof want, "%s: is a directory: give a file name", s.path);
    assert_string_equal(err.msg, want);
    assert_entries(&s, 1);
    scratch_close(&s);
}

/* Every allocation failing in turn: MP_E_NOMEM and no file, or success. */
static void test_util_write_atomic_out_of_memory(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "out.h");
    for (long n = 0;; n++) {
        mp_error err;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_file_write_atomic(s.path, "x\n", 2, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            read_back(s.path, "x\n");
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_entries(&s, 0);
    }
    scratch_close(&s);
}

/* ---- the output policy (issue 18): inputs, devices, links, modes, temporaries ----------- */

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    return st.st_mode & 07777;
}

/* A file this process read is never written over ("plan N -o N"). */
static void test_util_write_refuses_input(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "net.json");
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(s.path, "model\n", 6, &err), MP_OK);
    read_back(s.path, "model\n"); /* now an input */
    assert_int_equal(mp_file_write_atomic(s.path, "schedule\n", 9, &err), MP_E_IO);
    assert_non_null(strstr(err.msg, "is an input of this command"));
    read_back(s.path, "model\n");
    /* through a symbolic link too */
    char link[96];
    snprintf(link, sizeof link, "%s/link", s.dir);
    assert_int_equal(symlink(s.path, link), 0);
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(link, "x", 1, &err), MP_E_IO);
    assert_non_null(strstr(err.msg, "is an input of this command"));
    assert_int_equal(unlink(link), 0);
    assert_entries(&s, 1);
    scratch_close(&s);
}

/* The non-regular target of the test: a character device made in a scratch directory
 * (as root), else a FIFO. /dev/null itself is not relied on: a machine where some other
 * program replaced it by a regular file must not fail this test. */
static bool make_special(const scratch *s, bool *is_device)
{
    *is_device = mknod(s->path, S_IFCHR | 0666, makedev(1, 3)) == 0;
    return *is_device || mkfifo(s->path, 0666) == 0;
}

/* A device or FIFO is never replaced; "-" is standard output. */
static void test_util_write_refuses_devices(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "null");
    bool device;
    assert_true(make_special(&s, &device));
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_write_atomic(s.path, "x", 1, &err), MP_E_IO);
    char want[160];
    snprintf(want, sizeof want,
             "%s: not a regular file (a device, FIFO or socket is never replaced); use '-' "
             "for standard output",
             s.path);
    assert_string_equal(err.msg, want);
    struct stat st;
    assert_int_equal(lstat(s.path, &st), 0);
    assert_true(device ? S_ISCHR(st.st_mode) : S_ISFIFO(st.st_mode));
    assert_entries(&s, 1);
    scratch_close(&s);
    /* /dev/null too, where it is still a device on this machine */
    if (stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode)) {
        mp_error_init(&err);
        assert_int_equal(mp_file_write_atomic("/dev/null", "x", 1, &err), MP_E_IO);
        assert_int_equal(stat("/dev/null", &st), 0);
        assert_true(S_ISCHR(st.st_mode));
    }
    /* "-": the bytes go to file descriptor 1 */
    int fds[2], saved = dup(STDOUT_FILENO);
    assert_int_equal(pipe(fds), 0);
    fflush(stdout);
    assert_int_equal(dup2(fds[1], STDOUT_FILENO), STDOUT_FILENO);
    mp_error_init(&err);
    mp_status rc = mp_file_write_atomic("-", "to stdout", 9, &err);
    assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
    close(saved);
    close(fds[1]);
    char buf[16] = {0};
    assert_int_equal(read(fds[0], buf, sizeof buf), 9);
    close(fds[0]);
    assert_int_equal(rc, MP_OK);
    assert_string_equal(buf, "to stdout");
}

/* A link is followed (the link stays, its file is replaced); a dangling one is refused. */
static void test_util_write_follows_links(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "real");
    mp_error err;
    mp_error_init(&err);
    char link[96], dangling[96];
    snprintf(link, sizeof link, "%s/link", s.dir);
    snprintf(dangling, sizeof dangling, "%s/dangling", s.dir);
    assert_int_equal(symlink("real", link), 0);
    assert_int_equal(symlink("missing", dangling), 0);
    assert_int_equal(mp_file_write_atomic(s.path, "old", 3, &err), MP_OK);
    assert_int_equal(mp_file_write_atomic(link, "new", 3, &err), MP_OK);
    struct stat st;
    assert_int_equal(lstat(link, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    assert_int_equal(mp_file_write_atomic(dangling, "x", 1, &err), MP_E_IO);
    assert_non_null(strstr(err.msg, "a symbolic link to a missing file"));
    assert_int_equal(unlink(link), 0);
    assert_int_equal(unlink(dangling), 0);
    read_back(s.path, "new");
    assert_entries(&s, 1);
    scratch_close(&s);
}

/* An existing file keeps its mode; a new one gets 0666 less the umask. */
static void test_util_write_keeps_mode(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "out");
    mp_error err;
    mp_error_init(&err);
    mode_t old = umask(077);
    assert_int_equal(mp_file_write_atomic(s.path, "a", 1, &err), MP_OK);
    assert_int_equal(mode_of(s.path), 0600);
    umask(022);
    /* (the inode may be a deleted input's of an earlier test: told apart by change time) */
    assert_int_equal(mp_file_write_atomic(s.path, "b", 1, &err), MP_OK);
    assert_int_equal(mode_of(s.path), 0600);
    assert_int_equal(chmod(s.path, 0640), 0);
    assert_int_equal(mp_file_write_atomic(s.path, "c", 1, &err), MP_OK);
    assert_int_equal(mode_of(s.path), 0640);
    assert_int_equal(unlink(s.path), 0);
    assert_int_equal(mp_file_write_atomic(s.path, "d", 1, &err), MP_OK);
    assert_int_equal(mode_of(s.path), 0644);
    umask(old);
    scratch_close(&s);
}

/* The signal handler's call removes a temporary being written. */
static void test_util_temporaries_removed(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "out");
    char *tmp;
    int fd;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(file_guard_temp_create(s.path, &tmp, &fd, &err), MP_OK);
    close(fd);
    int slot = file_guard_temp_add(tmp);
    assert_true(slot >= 0);
    assert_int_equal(access(tmp, F_OK), 0);
    mp_file_remove_temporaries();
    assert_int_not_equal(access(tmp, F_OK), 0);
    file_guard_temp_drop(slot);
    mp_free(tmp);
    assert_int_equal(mkdir(s.path, 0755), 0); /* scratch_close removes s.path */
    scratch_close(&s);
}

/* A FIFO is refused at once (it used to block forever), a directory by name. */
static void test_util_read_refuses_fifo(void **state)
{
    (void)state;
    scratch s;
    scratch_open(&s, "fifo");
    assert_int_equal(mkfifo(s.path, 0600), 0);
    char *data;
    size_t size;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_file_read(s.path, 100, &data, &size, &err), MP_E_IO);
    assert_non_null(strstr(err.msg, "not a regular file"));
    mp_error_init(&err);
    assert_int_equal(mp_file_read(s.dir, 100, &data, &size, &err), MP_E_IO);
    assert_non_null(strstr(err.msg, "is a directory"));
    scratch_close(&s);
}

/* The name policy's helpers: UTF-8 validation, and long messages keep their end. */
static void test_util_text_policy(void **state)
{
    (void)state;
    assert_int_equal(mp_utf8_valid_prefix("ok\xc3\xa9\xf0\x9f\x98\x80", 8), 8);
    assert_int_equal(mp_utf8_valid_prefix("b\xff", 2), 1);
    assert_int_equal(mp_utf8_valid_prefix("\xc0\xaf", 2), 0);     /* overlong */
    assert_int_equal(mp_utf8_valid_prefix("\xed\xa0\x80", 3), 0); /* surrogate */
    assert_int_equal(mp_utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0);
    assert_int_equal(mp_utf8_valid_prefix("c\xe9\x80", 3), 1); /* truncated */
    char big[1200];
    memset(big, 'n', sizeof big);
    big[sizeof big - 1] = '\0';
    mp_error err;
    mp_error_init(&err);
    mp_errorf(&err, MP_E_INVALID, "f.json: name \"%s\": the reason", big);
    assert_true(strlen(err.msg) < MP_ERROR_MSG_MAX);
    assert_non_null(strstr(err.msg, " ... "));
    assert_string_equal(err.msg + strlen(err.msg) - 12, ": the reason");
    assert_int_equal(strncmp(err.msg, "f.json: name", 12), 0);
    mp_strbuf sb;
    mp_strbuf_init(&sb);
    mp_strbuf_json_string(&sb, "a\xff\xc3\xa9\x7f");
    assert_string_equal(sb.buf, "\"a\\ufffd\xc3\xa9\\u007f\"");
    mp_strbuf_release(&sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_util_parse_size_suffixes),
        cmocka_unit_test(test_util_parse_size_errors),
        cmocka_unit_test(test_util_error_keeps_first),
        cmocka_unit_test(test_util_strbuf),
        cmocka_unit_test(test_util_strbuf_sticky_failure),
        cmocka_unit_test(test_util_sha256_known_vectors),
        cmocka_unit_test(test_util_base64_roundtrip),
        cmocka_unit_test(test_util_checked_overflow),
        cmocka_unit_test(test_util_pool),
        cmocka_unit_test(test_util_format_count),
        cmocka_unit_test(test_util_write_atomic_replaces),
        cmocka_unit_test(test_util_write_atomic_failed_write),
        cmocka_unit_test(test_util_write_atomic_failed_rename),
        cmocka_unit_test(test_util_write_atomic_out_of_memory),
        cmocka_unit_test(test_util_write_refuses_input),
        cmocka_unit_test(test_util_write_refuses_devices),
        cmocka_unit_test(test_util_write_follows_links),
        cmocka_unit_test(test_util_write_keeps_mode),
        cmocka_unit_test(test_util_temporaries_removed),
        cmocka_unit_test(test_util_read_refuses_fifo),
        cmocka_unit_test(test_util_text_policy),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
