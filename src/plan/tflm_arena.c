/* SPDX-License-Identifier: MIT */
/*
 * tflm_arena.c - replay of TFLite Micro's arena allocations (module plan).
 *
 * The arena is one block: TFLM's SingleArenaBufferAllocator hands out
 * persistent buffers from the end downwards (each one moves the tail down by
 * its size, then down to its alignment) and plans non-persistent buffers from
 * the start (the head). With the arena's end 16-byte aligned, the persistent
 * bytes after an allocation are align_up(used + size, align). The sequence,
 * as MicroInterpreter's constructor and AllocateTensors() make it:
 *
 *   1. SingleArenaBufferAllocator, GreedyMemoryPlanner, MicroAllocator;
 *   2. MicroBuiltinDataAllocator, SubgraphAllocations, one TfLiteEvalTensor
 *      per tensor, one NodeAndRegistration per operator; the head holds 12
 *      ScratchBufferRequests;
 *   3. every operator's parsed builtin options; every kernel's Init OpData;
 *      every kernel's Prepare buffers and scratch requests (the head grows to
 *      requests + 12);
 *   4. scratch buffer handles, variable tensors' buffers;
 *   5. the plan: tensors without data, not variable, of non-zero size, in
 *      tensor order, then the scratch buffers, with TFLM's lifetimes, placed
 *      by the greedy planner (offline offsets first). While planning, the head
 *      holds the requests, subgraph offsets and AllocationInfo array, and the
 *      planner's arrays (40 bytes per buffer) take the free middle: this can
 *      need more arena than the final figure (tiny models);
 *   6. the interpreter's input and output TfLiteTensor pointer arrays and
 *      TfLiteTensors with their quantization.
 *
 * arena_used_bytes = head (the plan) + tail.
 */
#include "tflm_int.h"

#include "memplan/mp_import.h"
#include "memplan/mp_plan.h"
#include "memplan/mp_util.h"

#include "../util/alloc.h"
#include "../util/checked.h"

#include <string.h>

#define ARENA_ALIGN 16           /* MicroArenaBufferAlignment() */
#define MAX_REQUESTS_PER_OP 12   /* kMaxScratchBuffersPerOp */
#define PLANNER_BYTES_PER_BUFFER 40 /* BufferRequirements + 2 ints + ListEntry + int */

/* TFLM's internal structs (micro_allocator.h, micro_allocation_info.h, c/common.h). */
#define S_ARENA_ALLOCATOR "p p p p p p p i p" /* SingleArenaBufferAllocator: 2 vptrs, 5 ptrs */
#define S_PLANNER "p i i p p p p i i p c"     /* GreedyMemoryPlanner */
#define S_ALLOCATOR "p p p p p c z z p"       /* MicroAllocator */
#define S_BUILTIN_ALLOCATOR "p p"             /* MicroBuiltinDataAllocator: vptr, allocator */
#define S_SUBGRAPH_ALLOCATIONS "p p"
#define S_EVAL_TENSOR "p p i"                 /* TfLiteEvalTensor */
#define S_NODE_AND_REGISTRATION "6p i p"      /* TfLiteNode + registration pointer */
#define S_SCRATCH_REQUEST "z i i"             /* internal::ScratchBufferRequest */
#define S_SCRATCH_HANDLE "p"
#define S_ALLOCATION_INFO "z p i i i c"
#define S_TENSOR "i p i i p p z i i c"         /* TfLiteTensor (TF_LITE_STATIC_MEMORY) */
#define S_AFFINE_QUANT "p p i"                /* TfLiteAffineQuantization */

typedef struct sim {
    const tflm_abi *abi;
    size_t tail;      /* persistent bytes, alignment included */
    size_t peak;      /* arena needed by a temporary phase (kernels' Prepare) */
    bool overflow;
} sim;

static void persist(sim *s, size_t bytes, size_t align, size_t *part)
{
    size_t v;
    if (!mp_add_size(s->tail, bytes, &v) || !mp_align_up(v, align, &s->tail))
        s->overflow = true;
    if (part && !mp_add_size(*part, bytes, part))
        s->overflow = true;
}

/* A struct (or an array of n of them) at its natural alignment. */
static void persist_struct(sim *s, const char *members, size_t n, size_t *part)
{
    size_t align, bytes, total;
    bytes = tflm_struct(s->abi, members, &align);
    if (!mp_mul_size(bytes, n, &total))
        s->overflow = true;
    persist(s, total, align, part);
}

/* The interpreter's TfLiteTensor for an input or output, with its quantization. */
static void io_tensor(sim *s, const tflm_tensor *t, size_t *part)
{
    persist_struct(s, S_TENSOR, 1, part);
    if (!t->quantized)
        return;
    persist_struct(s, S_AFFINE_QUANT, 1, part);
    persist(s, 4 + (size_t)t->n_scale * 4, 4, part);
}

/* ---- lifetimes and the plan ----------------------------------------------------------- */

typedef struct plan_in {
    mp_tflm_buffer *bufs;
    int32_t *fixed;
    uint32_t n;
} plan_in;

/* TFLM's allocation scopes (micro_allocation_info.cc) for tensors and scratch buffers. */
static void lifetimes(const tflm_net *net, int32_t *first, int32_t *last, const uint32_t *req_op,
                      uint32_t n_req, int32_t *req_first, int32_t *req_last)
{
    for (uint32_t t = 0; t < net->n_tensors; t++)
        first[t] = last[t] = -1;
    for (uint32_t i = 0; i < net->n_inputs; i++)
        first[net->inputs[i]] = last[net->inputs[i]] = 0;
    for (uint32_t i = 0; i < net->n_outputs; i++)
        first[net->outputs[i]] = last[net->outputs[i]] = 0;
    for (uint32_t i = 0; i < net->n_ops; i++) {
        const tflm_op *op = &net->ops[i];
        int32_t scope = (int32_t)i + 1;
        for (uint32_t k = 0; k < op->n_out; k++)
            first[op->out[k]] = last[op->out[k]] = scope;
        for (uint32_t k = 0; k < op->n_in; k++)
            if (op->in[k] >= 0)
                last[op->in[k]] = scope;
        for (uint32_t k = 0; k < op->n_out; k++)
            last[op->out[k]] = scope;
    }
    for (uint32_t i = 0; i < net->n_outputs; i++)
        last[net->outputs[i]] = (int32_t)net->n_ops;
    for (uint32_t r = 0; r < n_req; r++)
        req_first[r] = req_last[r] = (int32_t)req_op[r] + 1;
}

static bool planned(const tflm_tensor *t)
{
    return !t->has_data && !t->is_variable && t->bytes != 0;
}

/* Buffers for the planner, in TFLM's order; offline offsets where the model has them. */
static mp_status plan_buffers(const tflm_net *net, const size_t *req_bytes, const uint32_t *req_op,
                              uint32_t n_req, plan_in *p, mp_error *err)
{
    size_t nt = (size_t)net->n_tensors + n_req + 1;
    int32_t *first = mp_calloc(nt, sizeof *first), *last = mp_calloc(nt, sizeof *last);
    p->bufs = mp_calloc(nt, sizeof *p->bufs);
    p->fixed = mp_calloc(nt, sizeof *p->fixed);
    p->n = 0;
    mp_status st = MP_OK;
    if (!first || !last || !p->bufs || !p->fixed) {
        st = mp_errorf(err, MP_E_NOMEM, "out of memory");
        goto out;
    }
    lifetimes(net, first, last, req_op, n_req, first + net->n_tensors, last + net->n_tensors);
    for (uint32_t t = 0; t < net->n_tensors + n_req; t++) {
        size_t bytes = t < net->n_tensors ? net->tensors[t].bytes : req_bytes[t - net->n_tensors];
        if (t < net->n_tensors && !planned(&net->tensors[t]))
            continue;
        mp_tflm_buffer *b = &p->bufs[p->n];
        if (!mp_align_up(bytes, ARENA_ALIGN, &b->bytes)) {
            st = mp_errorf(err, MP_E_OVERFLOW, "%s: tensor %u: size overflows", net->fb.label, t);
            goto out;
        }
        b->first = first[t];
        b->last = last[t];
        p->fixed[p->n] = t < net->n_tensors && net->offline ? net->offline[t] : MP_TFLM_ONLINE;
        p->n++;
    }
out:
    mp_free(first);
    mp_free(last);
    return st;
}

/* ---- the sequence ---------------------------------------------------------------------- */

typedef struct requests {
    size_t *bytes;
    uint32_t *op;
    uint32_t n, cap;
} requests;

static mp_status add_request(requests *r, size_t bytes, uint32_t op, mp_error *err)
{
    if (r->n == r->cap) {
        uint32_t cap = r->cap ? r->cap * 2 : 16;
        size_t *b = mp_realloc(r->bytes, (size_t)cap * sizeof *b);
        if (b)
            r->bytes = b;
        uint32_t *o = b ? mp_realloc(r->op, (size_t)cap * sizeof *o) : NULL;
        if (!o)
            return mp_errorf(err, MP_E_NOMEM, "out of memory");
        r->op = o;
        r->cap = cap;
    }
    r->bytes[r->n] = bytes;
    r->op[r->n++] = op;
    return MP_OK;
}

/*
 * Room a kernel's Prepare needs: the head holds the scratch requests so far plus
 * 12, and above them every temporary TfLiteTensor the kernel fetched (with its
 * quantization; TFLM releases them only after the op, so repeated fetches add up)
 * while the tail already holds everything allocated so far. Kernels fetch their
 * inputs and outputs once (MEAN more: tflm_kernels.c), an upper bound for kernels
 * that fetch fewer.
 */
static void prepare_need(const tflm_net *net, sim *s, const tflm_op *op,
                         const tflm_op_allocs *a, uint32_t n_req)
{
    size_t ra, ta, qa, head, v;
    size_t req_size = tflm_struct(s->abi, S_SCRATCH_REQUEST, &ra);
    size_t tsize = tflm_struct(s->abi, S_TENSOR, &ta);
    size_t qsize = tflm_struct(s->abi, S_AFFINE_QUANT, &qa);
    if (!mp_mul_size(req_size, (size_t)n_req + MAX_REQUESTS_PER_OP, &head)) {
        s->overflow = true;
        return;
    }
    uint32_t n = a->n_fetch ? a->n_fetch : op->n_in + op->n_out;
    for (uint32_t k = 0; k < n; k++) {
        int32_t t = a->n_fetch ? a->fetch[k] : k < op->n_in ? op->in[k] : op->out[k - op->n_in];
        if (t < 0)
            continue;
        const tflm_tensor *tt = &net->tensors[t];
        bool ok = mp_align_up(head, ta, &head) && mp_add_size(head, tsize, &head);
        if (ok && tt->quantized)
            ok = mp_align_up(head, qa, &head) && mp_add_size(head, qsize, &head) &&
                 mp_align_up(head, 4, &head) && mp_add_size(head, 4 + (size_t)tt->n_scale * 4,
                                                           &head);
        if (!ok) {
            s->overflow = true;
            return;
        }
    }
    if (!mp_add_size(head, s->tail, &v))
        s->overflow = true;
    else if (v > s->peak)
        s->peak = v;
}

/* Steps 2 and 3: model structures, builtin options, Init and Prepare of every kernel. */
static mp_status kernels_phase(const tflm_net *net, sim *s, mp_tflm_kernels kernels,
                               requests *req, mp_tflm_arena *out, mp_error *err)
{
    persist_struct(s, S_BUILTIN_ALLOCATOR, 1, &out->fixed_bytes);
    persist_struct(s, S_SUBGRAPH_ALLOCATIONS, 1, &out->fixed_bytes);
    persist_struct(s, S_EVAL_TENSOR, net->n_tensors, &out->eval_tensor_bytes);
    persist_struct(s, S_NODE_AND_REGISTRATION, net->n_ops, &out->node_bytes);
    tflm_op_allocs *a = mp_calloc(net->n_ops ? net->n_ops : 1, sizeof *a);
    if (!a)
        return mp_errorf(err, MP_E_NOMEM, "out of memory");
    mp_status st = MP_OK;
    for (uint32_t i = 0; i < net->n_ops && st == MP_OK; i++)
        st = tflm_op_allocations(net, i, kernels, s->abi, &a[i], err);
    for (uint32_t i = 0; i < net->n_ops && st == MP_OK; i++)
        if (a[i].builtin.bytes)
            persist(s, a[i].builtin.bytes, a[i].builtin.align, &out->builtin_bytes);
    for (uint32_t i = 0; i < net->n_ops && st == MP_OK; i++)
        for (uint32_t k = 0; k < a[i].n_init; k++)
            persist(s, a[i].init[k], ARENA_ALIGN, &out->op_data_bytes);
    for (uint32_t i = 0; i < net->n_ops && st == MP_OK; i++) {
        for (uint32_t k = 0; k < a[i].n_prepare; k++)
            persist(s, a[i].prepare[k], ARENA_ALIGN, &out->op_data_bytes);
        prepare_need(net, s, &net->ops[i], &a[i], req->n);
        for (uint32_t k = 0; k < a[i].n_scratch && st == MP_OK; k++) {
            st = add_request(req, a[i].scratch[k], i, err);
            if (st == MP_OK && !mp_add_size(out->scratch_bytes, a[i].scratch[k],
                                            &out->scratch_bytes))
                st = mp_errorf(err, MP_E_OVERFLOW, "%s: scratch bytes overflow", net->fb.label);
        }
    }
    mp_free(a);
    return st;
}

/* Step 5's temporary need: tail + requests + AllocationInfo + the planner's arrays. */
static bool planning_need(const tflm_net *net, const sim *s, uint32_t n_req, uint32_t n_bufs,
                          size_t *need)
{
    size_t ra, sa, aa, v, rq, sub, ai, plan;
    size_t req_size = tflm_struct(s->abi, S_SCRATCH_REQUEST, &ra);
    size_t info_size = tflm_struct(s->abi, S_ALLOCATION_INFO, &aa);
    sa = s->abi->ptr;
    (void)ra;
    if (!mp_mul_size(req_size, (size_t)n_req + MAX_REQUESTS_PER_OP, &rq) ||
        !mp_align_up(rq, sa, &sub) || !mp_add_size(sub, sa, &v) || !mp_align_up(v, aa, &v) ||
        !mp_mul_size(info_size, (size_t)net->n_tensors + n_req, &ai) || !mp_add_size(v, ai, &v) ||
        !mp_align_up(v, ARENA_ALIGN, &v) ||
        !mp_mul_size(PLANNER_BYTES_PER_BUFFER, n_bufs, &plan) || !mp_add_size(v, plan, &v) ||
        !mp_align_up(s->tail, ARENA_ALIGN, &rq) || !mp_add_size(v, rq, need))
        return false;
    return true;
}

/* Step 6: the interpreter's input and output tensors. */
static void io_phase(const tflm_net *net, sim *s, mp_tflm_arena *out)
{
    persist(s, s->abi->ptr * net->n_inputs, ARENA_ALIGN, &out->io_tensor_bytes);
    for (uint32_t i = 0; i < net->n_inputs; i++)
        io_tensor(s, &net->tensors[net->inputs[i]], &out->io_tensor_bytes);
    persist(s, s->abi->ptr * net->n_outputs, ARENA_ALIGN, &out->io_tensor_bytes);
    for (uint32_t i = 0; i < net->n_outputs; i++)
        io_tensor(s, &net->tensors[net->outputs[i]], &out->io_tensor_bytes);
}

/* used = head + tail; the arena to set = the largest need of any phase, rounded to 16. */
static mp_status finish(const tflm_net *net, const sim *s, size_t tail_at_plan,
                        size_t plan_need, mp_tflm_arena *out, mp_error *err)
{
    size_t at_plan, final, m;
    if (s->overflow || !mp_add_size(out->head_bytes, s->tail, &final) ||
        !mp_align_up(tail_at_plan, ARENA_ALIGN, &at_plan) ||
        !mp_add_size(at_plan, out->head_bytes, &at_plan))
        return mp_errorf(err, MP_E_OVERFLOW, "%s: arena size overflows", net->fb.label);
    out->tail_bytes = s->tail;
    out->used_bytes = final;
    m = final > plan_need ? final : plan_need;
    m = m > at_plan ? m : at_plan;
    m = m > s->peak ? m : s->peak;
    if (!mp_align_up(m, ARENA_ALIGN, &out->min_arena_bytes))
        return mp_errorf(err, MP_E_OVERFLOW, "%s: arena size overflows", net->fb.label);
    return MP_OK;
}

static mp_status predict(const tflm_net *net, mp_tflm_kernels kernels, const tflm_abi *abi,
                         mp_tflm_arena *out, mp_error *err)
{
    sim s = {abi, 0, 0, false};
    requests req = {0};
    plan_in p = {0};
    persist_struct(&s, S_ARENA_ALLOCATOR, 1, &out->fixed_bytes);
    persist_struct(&s, S_PLANNER, 1, &out->fixed_bytes);
    persist_struct(&s, S_ALLOCATOR, 1, &out->fixed_bytes);
    mp_status st = kernels_phase(net, &s, kernels, &req, out, err);
    if (st == MP_OK && req.n)
        persist_struct(&s, S_SCRATCH_HANDLE, req.n, &out->fixed_bytes);
    for (uint32_t t = 0; st == MP_OK && t < net->n_tensors; t++)
        if (net->tensors[t].is_variable)
            persist(&s, net->tensors[t].bytes, ARENA_ALIGN, &out->variable_bytes);
    if (st == MP_OK)
        st = plan_buffers(net, req.bytes, req.op, req.n, &p, err);
    size_t plan_need = 0;
    if (st == MP_OK && !planning_need(net, &s, req.n, p.n, &plan_need))
        s.overflow = true;
    size_t tail_at_plan = s.tail;
    if (st == MP_OK)
        st = mp_plan_tflm_greedy_offline(p.bufs, p.n, p.fixed, NULL, &out->head_bytes, err);
    if (st == MP_OK) {
        uint32_t n_t = p.n - req.n; /* tensors come first: plan them alone for the split */
        st = mp_plan_tflm_greedy_offline(p.bufs, n_t, p.fixed, NULL, &out->tensor_bytes, err);
    }
    if (st == MP_OK) {
        io_phase(net, &s, out);
        out->n_scratch = req.n;
        st = finish(net, &s, tail_at_plan, plan_need, out, err);
    }
    mp_free(p.bufs);
    mp_free(p.fixed);
    mp_free(req.bytes);
    mp_free(req.op);
    return st;
}

mp_status mp_tflm_arena_predict(const void *data, size_t size, const char *label,
                                mp_tflm_kernels kernels, mp_tflm_target target,
                                mp_tflm_arena *out, mp_error *err)
{
    memset(out, 0, sizeof *out);
    if (kernels >= MP_TFLM_KERNELS_COUNT || target >= MP_TFLM_TARGET_COUNT)
        return mp_errorf(err, MP_E_INVALID, "unknown TFLM kernels or target");
    tflm_net net;
    MP_TRY(tflm_net_read(data, size, label, &net, err));
    tflm_abi abi = {target == MP_TFLM_TARGET_HOST64 ? 8 : 4};
    out->offline_plan = net.offline != NULL;
    mp_status st = predict(&net, kernels, &abi, out, err);
    tflm_net_free(&net);
    return st;
}

mp_status mp_tflm_arena_predict_file(const char *path, mp_tflm_kernels kernels,
                                     mp_tflm_target target, mp_tflm_arena *out, mp_error *err)
{
    char *data;
    size_t size;
    memset(out, 0, sizeof *out);
    MP_TRY(mp_file_read(path, MP_IMPORT_MAX_FILE_BYTES, &data, &size, err));
    mp_status st = mp_tflm_arena_predict(data, size, path, kernels, target, out, err);
    mp_file_free(data);
    return st;
}
