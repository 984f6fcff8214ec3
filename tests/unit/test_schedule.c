/* SPDX-License-Identifier: MIT */
/*
 * test_schedule.c - arena planning, schedules, schedule JSON round trip and
 * tamper detection, C export (modules plan and schedule).
 */
#include "test_helpers.h"

#include <stdlib.h>

static void assert_layout_valid(const mp_schedule *s)
{
    uint32_t a, b;
    assert_true(mp_arena_check(s->buffers, s->n_buffers, s->opts.align, s->arena_bytes, &a, &b));
    assert_true(s->arena_bytes >= s->arena.lower_bound);
    assert_true(s->layout_ok);
    for (uint32_t i = 0; i < s->n_buffers; i++)
        assert_int_equal(s->buffers[i].offset % s->opts.align, 0);
}

/* Three buffers: A [0,1] 100 B, B [1,2] 50 B, C [2,3] 100 B. Lower bound 150;
 * largest first: A at 0, C at 0 (no overlap in time with A), B at 100. */
static void test_schedule_arena_by_hand(void **state)
{
    (void)state;
    mp_buffer b[3] = {
        {.bytes = 100, .first = 0, .last = 1, .group = 0},
        {.bytes = 50, .first = 1, .last = 2, .group = 1},
        {.bytes = 100, .first = 2, .last = 3, .group = 2},
    };
    mp_arena_stats st;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_arena_plan(b, 3, 1, &st, &err), MP_OK);
    assert_int_equal(st.lower_bound, 150);
    assert_int_equal(st.arena_bytes, 150);
    assert_int_equal(b[0].offset, 0);
    assert_int_equal(b[2].offset, 0);
    assert_int_equal(b[1].offset, 100);
    uint32_t x, y;
    assert_true(mp_arena_check(b, 3, 1, 150, &x, &y));
    /* move B over A: the check names the pair */
    b[1].offset = 60;
    assert_false(mp_arena_check(b, 3, 1, 150, &x, &y));
    assert_int_equal(x, 0);
    assert_int_equal(y, 1);
    /* misaligned offset */
    b[1].offset = 101;
    assert_false(mp_arena_check(b, 3, 4, 160, &x, &y));
}

/* Best fit wins where first fit cannot: largest first, first fit leaves a
 * gap too small for a later buffer (arena above 320 B); placing each buffer
 * in the gap it fills most tightly meets the lower bound, 320 B. */
static void test_schedule_arena_best_fit(void **state)
{
    (void)state;
    mp_buffer b[7] = {
        {.bytes = 80, .first = 0, .last = 3, .group = 0},
        {.bytes = 50, .first = 0, .last = 2, .group = 1},
        {.bytes = 50, .first = 0, .last = 3, .group = 2},
        {.bytes = 50, .first = 3, .last = 6, .group = 3},
        {.bytes = 60, .first = 1, .last = 3, .group = 4},
        {.bytes = 80, .first = 0, .last = 1, .group = 5},
        {.bytes = 40, .first = 2, .last = 4, .group = 6},
    };
    mp_arena_stats st;
    mp_error err;
    mp_error_init(&err);
    size_t first_fit = 0;
    const uint32_t by_size[7] = {0, 5, 4, 1, 2, 3, 6};
    assert_int_equal(mp_arena_place(b, 7, 1, by_size, 7, &first_fit, &err), MP_OK);
    assert_true(first_fit > 320);
    assert_int_equal(mp_arena_plan(b, 7, 1, &st, &err), MP_OK);
    assert_int_equal(st.lower_bound, 320);
    assert_int_equal(st.arena_bytes, 320);
    assert_string_equal(st.method, "largest first, best fit");
    uint32_t x, y;
    assert_true(mp_arena_check(b, 7, 1, 320, &x, &y));
}

static uint64_t test_rand(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Whether placing group g at off collides with a placed buffer alive at the same time. */
static bool ref_collides(const mp_buffer *b, uint32_t n, const bool *placed, uint32_t g, size_t off)
{
    for (uint32_t i = 0; i < n; i++) {
        if (b[i].group != g || !b[i].bytes)
            continue;
        for (uint32_t j = 0; j < n; j++) {
            if (!placed[j] || !b[j].bytes || b[j].last < b[i].first || b[i].last < b[j].first)
                continue;
            if (off < b[j].offset + b[j].bytes && b[j].offset < off + b[i].bytes)
                return true;
        }
    }
    return false;
}

/* First fit against a brute-force reference on random problems: every group
 * lands at the lowest aligned offset where it collides with nothing placed
 * before it in the order (one-member groups take a one-pass sweep, groups
 * with several members the candidate scan). */
static void test_schedule_arena_first_fit_random(void **state)
{
    (void)state;
    uint64_t rng = 42;
    mp_error err;
    mp_error_init(&err);
    for (int trial = 0; trial < 400; trial++) {
        mp_buffer b[40];
        uint32_t order[40];
        bool placed[40] = {false};
        uint32_t n = 1 + (uint32_t)(test_rand(&rng) % 40);
        size_t align = (size_t[]){1, 8, 16}[test_rand(&rng) % 3];
        for (uint32_t i = 0; i < n; i++) {
            uint32_t a = (uint32_t)(test_rand(&rng) % 16), c = (uint32_t)(test_rand(&rng) % 16);
            b[i] = (mp_buffer){.bytes = align * (test_rand(&rng) % 21),
                               .first = a < c ? a : c, .last = a < c ? c : a, .group = i};
            if (i && test_rand(&rng) % 5 == 0) /* join an earlier group */
                b[i].group = b[test_rand(&rng) % i].group;
            order[i] = i;
        }
        for (uint32_t i = n; i > 1; i--) { /* shuffle */
            uint32_t j = (uint32_t)(test_rand(&rng) % i), t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        size_t arena = 0;
        assert_int_equal(mp_arena_place(b, n, align, order, n, &arena, &err), MP_OK);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t g = order[k];
            if (b[g].group != g)
                continue;
            size_t want = 0;
            while (ref_collides(b, n, placed, g, want))
                want += align;
            assert_int_equal(b[g].offset, want);
            for (uint32_t i = 0; i < n; i++)
                placed[i] = placed[i] || b[i].group == g;
        }
        uint32_t x, y;
        assert_true(mp_arena_check(b, n, align, arena, &x, &y));
    }
}

/* Groups share an offset: B takes over A (in place). */
static void test_schedule_arena_groups(void **state)
{
    (void)state;
    mp_buffer b[3] = {
        {.bytes = 64, .first = 0, .last = 1, .group = 0},
        {.bytes = 64, .first = 1, .last = 3, .group = 0},
        {.bytes = 32, .first = 0, .last = 3, .group = 2},
    };
    mp_arena_stats st;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_arena_plan(b, 3, 16, &st, &err), MP_OK);
    assert_int_equal(b[0].offset, b[1].offset);
    assert_int_equal(st.lower_bound, 96);
    assert_int_equal(st.arena_bytes, 96);
    b[1].group = 1; /* not a group leader's member and not its own leader: invalid */
    b[1].group = 2;
    b[2].group = 0;
    assert_int_equal(mp_arena_plan(b, 3, 16, &st, &err), MP_E_INVALID);
}

static mp_graph *load(const char *rel)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", MEMPLAN_SOURCE_ROOT, rel);
    mp_graph *g = NULL;
    mp_error err;
    mp_error_init(&err);
    if (mp_import_file(path, &g, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    return g;
}

/* Per-layer schedules of the bundled chain nets: arena = peak = lower bound. */
static void test_schedule_per_layer_arena_equals_peak(void **state)
{
    (void)state;
    static const char *const nets[] = {"nets/mobilenetv2-w1.0-r224.json",
                                       "nets/mobilenetv2-w0.35-r144.json",
                                       "nets/mobilenetv1-w0.25-r96-gray.json"};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        mp_graph *g = load(nets[i]);
        for (int variant = 0; variant < 4; variant++) {
            mp_schedule_spec spec;
            mp_schedule_spec_init(&spec);
            spec.opts.inplace_dw = variant & 1;
            spec.opts.inplace_ops = variant & 2;
            spec.opts.align = variant == 3 ? 16 : 1;
            mp_schedule *s;
            mp_error err;
            mp_error_init(&err);
            assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
            assert_layout_valid(s);
            assert_int_equal(s->arena_bytes, s->peak_bytes);
            assert_int_equal(s->arena.lower_bound, s->peak_bytes);
            assert_int_equal(s->macs, g->macs);
            mp_schedule_free(s);
        }
        mp_graph_free(g);
    }
}

static mp_schedule *patch_schedule(const mp_graph *g, const char *split, uint32_t r, uint32_t c,
                                   mp_halo halo, mp_cuts cuts)
{
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    spec.opts.inplace_dw = true;
    spec.opts.input_mode = MP_INPUT_STREAM;
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err), MP_OK);
    spec.tiled[0] = (mp_patch_spec){0, 0, r, c, cuts, NULL, NULL, halo};
    assert_int_equal(mp_patch_spec_for_split(g, &pl, split, &spec.tiled[0], &err), MP_OK);
    spec.n_tiled = 1;
    mp_per_layer_release(&pl);
    mp_schedule *s = NULL;
    if (mp_schedule_build(g, &spec, &s, &err) != MP_OK) {
        print_error("%s\n", err.msg);
        fail();
    }
    return s;
}

static void test_schedule_patch_layout(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_schedule *s = patch_schedule(g, "b4_project", 3, 3, MP_HALO_RECOMPUTE, MP_CUTS_EVEN);
    assert_layout_valid(s);
    assert_int_equal(s->n_segments, 2);
    assert_int_equal(s->segments[0].kind, MP_SEG_TILED);
    assert_true(s->macs > g->macs);
    assert_true(s->peak_bytes < 311040);
    mp_schedule_free(s);
    s = patch_schedule(g, "b6_add", 4, 4, MP_HALO_CACHE, MP_CUTS_BALANCED);
    assert_layout_valid(s);
    assert_int_equal(s->macs, g->macs);
    bool caches = false;
    for (uint32_t i = 0; i < s->n_buffers; i++)
        caches = caches || s->buffers[i].kind == MP_BUF_ROW_CACHE;
    assert_true(caches);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static char *to_json(const mp_schedule *s)
{
    mp_strbuf sb;
    mp_error err;
    mp_strbuf_init(&sb);
    mp_error_init(&err);
    assert_int_equal(mp_schedule_write_json(s, &sb, &err), MP_OK);
    char *text = strdup(sb.buf);
    mp_strbuf_release(&sb);
    return text;
}

static void replace_first(char *text, const char *from, const char *to)
{
    char *p = strstr(text, from);
    assert_non_null(p);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(p, to, strlen(to));
}

static void test_schedule_json_round_trip(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_schedule *s = patch_schedule(g, "b6_add", 4, 3, MP_HALO_CACHE, MP_CUTS_BALANCED);
    char *text = to_json(s);
    mp_schedule *r = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_schedule_read_json(g, text, strlen(text), "s.json", &r, &err), MP_OK);
    assert_int_equal(r->arena_bytes, s->arena_bytes);
    assert_int_equal(r->n_buffers, s->n_buffers);
    for (uint32_t i = 0; i < s->n_buffers; i++)
        assert_int_equal(r->buffers[i].offset, s->buffers[i].offset);
    assert_int_equal(r->segments[0].patch->spec.cuts, MP_CUTS_BALANCED);
    char *again = to_json(r);
    assert_string_equal(again, text); /* read + write is the identity */
    free(again);
    mp_schedule_free(r);
    free(text);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static void test_schedule_json_refuses_other_network(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_graph *other = load("nets/mobilenetv1-w0.25-r96-gray.json");
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    mp_schedule *s, *r = NULL;
    mp_error err;
    mp_error_init(&err);
    assert_int_equal(mp_schedule_build(g, &spec, &s, &err), MP_OK);
    char *text = to_json(s);
    assert_int_equal(mp_schedule_read_json(other, text, strlen(text), "s.json", &r, &err),
                     MP_E_MISMATCH);
    assert_non_null(strstr(err.msg, "s.json: network.hash: the schedule is for network "
                                    "'mobilenetv2-w0.35-r144'"));
    free(text);
    mp_schedule_free(s);
    mp_graph_free(g);
    mp_graph_free(other);
}

/* An edited region and an overlapping offset are both caught. */
static void test_schedule_json_detects_tampering(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv2-w0.35-r144.json");
    mp_schedule *s = patch_schedule(g, "b2_project", 2, 2, MP_HALO_RECOMPUTE, MP_CUTS_EVEN);
    char *text = to_json(s);
    mp_schedule *r = NULL;
    mp_error err;
    mp_error_init(&err);
    char *edited = strdup(text);
    replace_first(edited, "\"rows\": [[0, ", "\"rows\": [[1, ");
    assert_int_equal(mp_schedule_read_json(g, edited, strlen(edited), "s.json", &r, &err),
                     MP_E_MISMATCH);
    assert_non_null(strstr(err.msg, "rows: tile 0 differs from memplan's regions"));
    free(edited);
    /* put the second buffer at the first one's offset while both are live */
    edited = strdup(text);
    char *b1 = strstr(strstr(edited, "\"buffers\""), "\"offset\": ");
    char *b2 = strstr(b1 + 1, "\"offset\": ");
    assert_non_null(b2);
    size_t o1 = (size_t)strtoul(b1 + 10, NULL, 10);
    char digits[32];
    int n = snprintf(digits, sizeof digits, "%zu", o1);
    char *end2 = b2 + 10;
    while (*end2 >= '0' && *end2 <= '9')
        end2++;
    char *tampered = malloc(strlen(edited) + 32);
    memcpy(tampered, edited, (size_t)(b2 + 10 - edited));
    memcpy(tampered + (b2 + 10 - edited), digits, (size_t)n);
    strcpy(tampered + (b2 + 10 - edited) + n, end2);
    mp_error_init(&err);
    assert_int_equal(mp_schedule_read_json(g, tampered, strlen(tampered), "s.json", &r, &err),
                     MP_OK);
    assert_false(r->layout_ok); /* the two buffers are alive together */
    assert_int_equal(mp_schedule_check_layout(r, &err), MP_E_MISMATCH);
    assert_non_null(strstr(err.msg, "overlap in the arena while both are live"));
    mp_schedule_free(r);
    free(tampered);
    free(edited);
    free(text);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static void test_schedule_export_c(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv1-w0.25-r96-gray.json");
    mp_schedule *s = patch_schedule(g, "b2_pw", 2, 2, MP_HALO_RECOMPUTE, MP_CUTS_EVEN);
    mp_strbuf h, c;
    mp_error err;
    mp_strbuf_init(&h);
    mp_strbuf_init(&c);
    mp_error_init(&err);
    assert_int_equal(mp_schedule_export_c(s, "person", "person.h", &h, &c, &err), MP_OK);
    assert_non_null(strstr(h.buf, "#define PERSON_ARENA_BYTES"));
    assert_non_null(strstr(h.buf, "extern const person_op_t person_ops[PERSON_N_OPS];"));
    assert_non_null(strstr(c.buf, "#include \"person.h\""));
    assert_non_null(strstr(c.buf, "person_seg0_need_rows"));
    mp_strbuf_reset(&h);
    mp_strbuf_reset(&c);
    assert_int_equal(mp_schedule_export_c(s, "9bad", "x.h", &h, &c, &err), MP_E_INVALID);
    mp_strbuf_release(&h);
    mp_strbuf_release(&c);
    mp_schedule_free(s);
    mp_graph_free(g);
}

static void test_schedule_allocation_failures(void **state)
{
    (void)state;
    mp_graph *g = load("nets/mobilenetv1-w0.25-r96-gray.json");
    mp_per_layer pl;
    mp_error err;
    mp_error_init(&err);
    mp_schedule_spec spec;
    mp_schedule_spec_init(&spec);
    assert_int_equal(mp_plan_per_layer(g, NULL, &spec.opts, &pl, &err), MP_OK);
    spec.tiled[0] = (mp_patch_spec){0, 0, 2, 2, MP_CUTS_EVEN, NULL, NULL, MP_HALO_CACHE};
    assert_int_equal(mp_patch_spec_for_split(g, &pl, "b1_pw", &spec.tiled[0], &err), MP_OK);
    spec.n_tiled = 1;
    mp_per_layer_release(&pl);
    for (long n = 0;; n++) {
        mp_schedule *s = NULL;
        mp_error_init(&err);
        fault_alloc_fail_after(n);
        mp_status st = mp_schedule_build(g, &spec, &s, &err);
        fault_alloc_fail_after(-1);
        if (st == MP_OK) {
            mp_schedule_free(s);
            break;
        }
        assert_int_equal(st, MP_E_NOMEM);
        assert_null(s);
    }
    mp_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_arena_by_hand),
        cmocka_unit_test(test_schedule_arena_groups),
        cmocka_unit_test(test_schedule_arena_best_fit),
        cmocka_unit_test(test_schedule_arena_first_fit_random),
        cmocka_unit_test(test_schedule_per_layer_arena_equals_peak),
        cmocka_unit_test(test_schedule_patch_layout),
        cmocka_unit_test(test_schedule_json_round_trip),
        cmocka_unit_test(test_schedule_json_refuses_other_network),
        cmocka_unit_test(test_schedule_json_detects_tampering),
        cmocka_unit_test(test_schedule_export_c),
        cmocka_unit_test(test_schedule_allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
