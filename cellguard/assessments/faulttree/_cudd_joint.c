/* Probability of a Boolean combination of CUDD BDDs, without building the combination.
 *
 * joint(roots, one, q, level, table, max_states, seconds) computes P(phi(f_1, ..., f_m)) for
 * BDDs f_i of one dd.cudd manager and a function phi of m <= JOINT_MAX inputs given by its
 * truth table, by a Shannon expansion over the tuple (f_1, ..., f_m), memoised on the tuple:
 *
 *   P(phi(f)) = q_v P(phi(f|v=1)) + (1 - q_v) P(phi(f|v=0)),  v the top variable of the tuple,
 *
 * and, whenever the non-constant inputs phi depends on split into groups whose supports are
 * disjoint (independent groups), by the exact sum over the groups' joint states
 *
 *   P(phi(f)) = sum over a in {0,1}^m of  prod_groups D_g(a_g) * phi(a),
 *
 * where D_g(a_g) = P(every f_i of group g equals a_i) comes from the same expansion (memoised
 * per group), splitting again when the group falls apart. With m = 2 and phi = AND this is the
 * joint traversal of f and g with P(f'∧g') = P(f')P(g') below where their supports are disjoint.
 * Every term is a product of probabilities and every sum adds non-negative terms: nothing is
 * computed as 1 - x, so small probabilities keep their digits.
 *
 * Supports are compared through bitmasks over the variables that occur under two or more of the
 * roots (only those can make two cofactors of different roots share a variable).
 */
#include <time.h>

#include "_cudd_dag.h"

#define JOINT_MAX 12 /* most inputs: a truth table of 2^12 bits, 64 words */
#define TT_WORDS(m) ((m) > 6 ? ((size_t)1 << ((m)-6)) : 1)
#define DONT_CARE (-1)

/* A memo table: keys of m int64 edges in an arena, values two doubles (P, R) or the offset of a
 * distribution in the distribution arena. Open addressing, linear probing, at most half full. */
typedef struct {
    int m;
    size_t count, bits;
    uint64_t *hashes;   /* per table position: hash | 1 when occupied, 0 when empty */
    int64_t *index;     /* per table position: entry number */
    int64_t *keys;      /* m per entry */
    double *values;     /* 2 per entry */
    size_t capacity;    /* entries */
} Memo;

typedef struct {
    int m;
    const double *q;
    const int32_t *level; /* by variable index */
    const Dag *d;
    const double *p, *r;
    int64_t one;           /* slot of the terminal */
    int words;             /* mask words */
    const uint64_t *mask;  /* words per slot: shared variables under the node */
    Memo prob, dist;
    double *arena;         /* distributions */
    size_t arena_used, arena_cap;
    size_t states, max_states;
    double deadline;
    int aborted;           /* 1: over budget, 2: out of memory */
} Ctx;

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t hash_key(const int64_t *key, int m) {
    uint64_t h = 0x9E3779B97F4A7C15ULL;
    for (int i = 0; i < m; i++) {
        h ^= (uint64_t)key[i] + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
        h *= 0xBF58476D1CE4E5B9ULL;
    }
    h ^= h >> 31;
    return h | 1;
}

static int memo_init(Memo *t, int m) {
    memset(t, 0, sizeof(*t));
    t->m = m;
    t->bits = 12;
    t->capacity = 1024;
    t->hashes = calloc((size_t)1 << t->bits, sizeof(uint64_t));
    t->index = malloc(((size_t)1 << t->bits) * sizeof(int64_t));
    t->keys = malloc(t->capacity * (size_t)m * sizeof(int64_t));
    t->values = malloc(t->capacity * 2 * sizeof(double));
    return (t->hashes && t->index && t->keys && t->values) ? 0 : -1;
}

static void memo_free(Memo *t) {
    free(t->hashes);
    free(t->index);
    free(t->keys);
    free(t->values);
}

/* The entry of key, or -1. */
static int64_t memo_find(const Memo *t, const int64_t *key, uint64_t h) {
    size_t mask = ((size_t)1 << t->bits) - 1;
    size_t i = (size_t)(h * 0x9E3779B97F4A7C15ULL >> (64 - t->bits));
    while (t->hashes[i] != 0) {
        if (t->hashes[i] == h &&
            memcmp(&t->keys[(size_t)t->index[i] * (size_t)t->m], key,
                   (size_t)t->m * sizeof(int64_t)) == 0) {
            return t->index[i];
        }
        i = (i + 1) & mask;
    }
    return -1;
}

/* Insert key (not present) with values a, b. 0, or -1 (no memory). */
static int memo_put(Memo *t, const int64_t *key, uint64_t h, double a, double b) {
    if (t->count == t->capacity) {
        size_t cap = t->capacity * 2;
        int64_t *keys = realloc(t->keys, cap * (size_t)t->m * sizeof(int64_t));
        if (!keys) return -1;
        t->keys = keys;
        double *values = realloc(t->values, cap * 2 * sizeof(double));
        if (!values) return -1;
        t->values = values;
        t->capacity = cap;
    }
    if (2 * (t->count + 1) > ((size_t)1 << t->bits)) {
        size_t old = (size_t)1 << t->bits;
        uint64_t *hashes = calloc(old * 2, sizeof(uint64_t));
        int64_t *index = malloc(old * 2 * sizeof(int64_t));
        if (!hashes || !index) {
            free(hashes);
            free(index);
            return -1;
        }
        size_t mask = old * 2 - 1;
        for (size_t i = 0; i < old; i++) {
            if (t->hashes[i] == 0) continue;
            size_t j = (size_t)(t->hashes[i] * 0x9E3779B97F4A7C15ULL >> (64 - t->bits - 1));
            while (hashes[j] != 0) j = (j + 1) & mask;
            hashes[j] = t->hashes[i];
            index[j] = t->index[i];
        }
        free(t->hashes);
        free(t->index);
        t->hashes = hashes;
        t->index = index;
        t->bits += 1;
    }
    size_t mask = ((size_t)1 << t->bits) - 1;
    size_t i = (size_t)(h * 0x9E3779B97F4A7C15ULL >> (64 - t->bits));
    while (t->hashes[i] != 0) i = (i + 1) & mask;
    size_t e = t->count++;
    t->hashes[i] = h;
    t->index[i] = (int64_t)e;
    memcpy(&t->keys[e * (size_t)t->m], key, (size_t)t->m * sizeof(int64_t));
    t->values[2 * e] = a;
    t->values[2 * e + 1] = b;
    return 0;
}

/* ---- truth tables of up to JOINT_MAX inputs (bit a of the table = phi(a)) ---- */

static const uint64_t LOW_HALF[6] = {
    0x5555555555555555ULL, 0x3333333333333333ULL, 0x0F0F0F0F0F0F0F0FULL,
    0x00FF00FF00FF00FFULL, 0x0000FFFF0000FFFFULL, 0x00000000FFFFFFFFULL,
};

/* Fix input i to value in tt (both halves become the chosen cofactor). */
static void tt_fix(uint64_t *tt, int m, int i, int value) {
    size_t n = TT_WORDS(m);
    if (i < 6) {
        int s = 1 << i;
        for (size_t w = 0; w < n; w++) {
            uint64_t x = tt[w];
            uint64_t c = value ? (x & ~LOW_HALF[i]) >> s : (x & LOW_HALF[i]);
            tt[w] = c | (c << s);
        }
    } else {
        size_t s = (size_t)1 << (i - 6);
        for (size_t w = 0; w < n; w += 2 * s) {
            for (size_t k = 0; k < s; k++) {
                uint64_t c = value ? tt[w + s + k] : tt[w + k];
                tt[w + k] = tt[w + s + k] = c;
            }
        }
    }
}

static int tt_depends(const uint64_t *tt, int m, int i) {
    size_t n = TT_WORDS(m);
    if (i < 6) {
        int s = 1 << i;
        for (size_t w = 0; w < n; w++) {
            if (((tt[w] & LOW_HALF[i]) ^ ((tt[w] >> s) & LOW_HALF[i])) != 0) return 1;
        }
        return 0;
    }
    size_t s = (size_t)1 << (i - 6);
    for (size_t w = 0; w < n; w += 2 * s) {
        for (size_t k = 0; k < s; k++) {
            if (tt[w + k] != tt[w + s + k]) return 1;
        }
    }
    return 0;
}

/* 1 or 0 when tt is constant, -1 otherwise. */
static int tt_constant(const uint64_t *tt, int m) {
    size_t n = TT_WORDS(m);
    uint64_t valid = m >= 6 ? ~0ULL : (((uint64_t)1 << (1 << m)) - 1);
    uint64_t first = tt[0] & valid;
    if (first != 0 && first != valid) return -1;
    for (size_t w = 1; w < n; w++) {
        if (tt[w] != first) return -1;
    }
    return first != 0;
}

static int tt_bit(const uint64_t *tt, size_t a) { return (int)((tt[a >> 6] >> (a & 63)) & 1); }

/* ---- the traversal ---- */

static int is_const(const Ctx *c, int64_t e) { return (e >> 1) == c->one; }

static int32_t top_level(const Ctx *c, int64_t e) {
    return is_const(c, e) ? INT32_MAX : c->level[c->d->var[e >> 1]];
}

/* The cofactor of edge e by the variable at level lv (e itself when its top is lower). */
static int64_t cofactor(const Ctx *c, int64_t e, int32_t lv, int value) {
    if (is_const(c, e) || c->level[c->d->var[e >> 1]] != lv) return e;
    int64_t kid = value ? c->d->then_[e >> 1] : c->d->else_[e >> 1];
    return kid ^ (e & 1);
}

static int overlap(const Ctx *c, int64_t a, int64_t b) {
    const uint64_t *x = &c->mask[(size_t)(a >> 1) * (size_t)c->words];
    const uint64_t *y = &c->mask[(size_t)(b >> 1) * (size_t)c->words];
    for (int w = 0; w < c->words; w++) {
        if (x[w] & y[w]) return 1;
    }
    return 0;
}

/* Groups of the inputs in `live` (a bit set) whose supports meet, as bit sets; their number. */
static int components(const Ctx *c, const int64_t *edges, unsigned live, unsigned *groups) {
    int n = 0;
    unsigned left = live;
    while (left) {
        unsigned group = left & (~left + 1);
        unsigned frontier = group;
        left &= ~group;
        while (frontier && left) {
            int i = __builtin_ctz(frontier);
            frontier &= frontier - 1;
            for (unsigned rest = left; rest; rest &= rest - 1) {
                int j = __builtin_ctz(rest);
                if (overlap(c, edges[i], edges[j])) {
                    unsigned bit = 1u << j;
                    group |= bit;
                    frontier |= bit;
                    left &= ~bit;
                }
            }
        }
        groups[n++] = group;
    }
    return n;
}

static int over_budget(Ctx *c) {
    c->states++;
    if (c->states > c->max_states) {
        c->aborted = 1;
        return 1;
    }
    if ((c->states & 0xFFFF) == 0 && now_seconds() > c->deadline) {
        c->aborted = 1;
        return 1;
    }
    return 0;
}

static int64_t arena_alloc(Ctx *c, size_t n) {
    if (c->arena_used + n > c->arena_cap) {
        size_t cap = c->arena_cap * 2;
        while (cap < c->arena_used + n) cap *= 2;
        double *grown = realloc(c->arena, cap * sizeof(double));
        if (!grown) {
            c->aborted = 2;
            return -1;
        }
        c->arena = grown;
        c->arena_cap = cap;
    }
    int64_t off = (int64_t)c->arena_used;
    c->arena_used += n;
    return off;
}

/* P and R of edge e's function. */
static void edge_pr(const Ctx *c, int64_t e, double *p, double *r) {
    int64_t s = e >> 1;
    *p = (e & 1) ? c->r[s] : c->p[s];
    *r = (e & 1) ? c->p[s] : c->r[s];
}

/* Probability that the inputs of group g take the values of `a` (bit i = input i), from the
 * group's distribution (an arena offset) or, for a one-input group, from its P and R. */
static double group_weight(const Ctx *c, const int64_t *edges, unsigned group, int64_t part,
                           unsigned a) {
    if ((group & (group - 1)) == 0) {
        double p, r;
        edge_pr(c, edges[__builtin_ctz(group)], &p, &r);
        return (a & group) ? p : r;
    }
    unsigned idx = 0;
    int k = 0;
    for (unsigned rest = group; rest; rest &= rest - 1, k++) {
        if (a & (rest & (~rest + 1))) idx |= 1u << k;
    }
    return c->arena[part + (int64_t)idx];
}

static int64_t dist(Ctx *c, const int64_t *edges, unsigned members);

/* Arena offsets of the distributions of groups with two or more inputs. 0, or -1. */
static int group_parts(Ctx *c, const int64_t *edges, const unsigned *groups, int ng,
                       int64_t *parts) {
    for (int g = 0; g < ng; g++) {
        parts[g] = -1;
        if ((groups[g] & (groups[g] - 1)) == 0) continue;
        int64_t sub[JOINT_MAX];
        for (int i = 0; i < c->m; i++) sub[i] = (groups[g] >> i & 1) ? edges[i] : DONT_CARE;
        parts[g] = dist(c, sub, groups[g]);
        if (parts[g] < 0) return -1;
    }
    return 0;
}

/* The joint distribution of the inputs in `members` (their edges in `edges`, the others
 * DONT_CARE): an arena offset of 2^|members| doubles, indexed by the members' values in input
 * order (bit k = the k-th member). -1 when aborted. Memoised on the edges. */
static int64_t dist(Ctx *c, const int64_t *edges, unsigned members) {
    int m = c->m, size = __builtin_popcount(members);
    size_t n = (size_t)1 << size;
    uint64_t h = hash_key(edges, m);
    int64_t e = memo_find(&c->dist, edges, h);
    if (e >= 0) return (int64_t)c->dist.values[2 * e];
    if (over_budget(c)) return -1;
    unsigned live = 0, fixed = 0; /* fixed: the members that are constant true */
    for (int i = 0; i < m; i++) {
        if (!(members >> i & 1)) continue;
        if (!is_const(c, edges[i])) {
            live |= 1u << i;
        } else if (!(edges[i] & 1)) {
            fixed |= 1u << i;
        }
    }
    unsigned groups[JOINT_MAX];
    int ng = live ? components(c, edges, live, groups) : 0;
    int64_t off;
    if (ng == 1 && live == members) { /* one group, nothing constant: Shannon expansion */
        int32_t lv = INT32_MAX;
        for (int i = 0; i < m; i++) {
            if (live >> i & 1) {
                int32_t l = top_level(c, edges[i]);
                if (l < lv) lv = l;
            }
        }
        int64_t hi[JOINT_MAX], lo[JOINT_MAX];
        uint32_t var = 0;
        for (int i = 0; i < m; i++) {
            if (live >> i & 1) {
                if (top_level(c, edges[i]) == lv) var = c->d->var[edges[i] >> 1];
                hi[i] = cofactor(c, edges[i], lv, 1);
                lo[i] = cofactor(c, edges[i], lv, 0);
            } else {
                hi[i] = lo[i] = edges[i];
            }
        }
        int64_t dh = dist(c, hi, members);
        if (dh < 0) return -1;
        int64_t dl = dist(c, lo, members);
        if (dl < 0) return -1;
        off = arena_alloc(c, n);
        if (off < 0) return -1;
        double x = c->q[var];
        double *out = &c->arena[off];
        const double *a1 = &c->arena[dh], *a0 = &c->arena[dl];
        for (size_t a = 0; a < n; a++) out[a] = x * a1[a] + (1.0 - x) * a0[a];
    } else { /* the groups' distributions times the constants' point masses */
        int64_t parts[JOINT_MAX];
        if (group_parts(c, edges, groups, ng, parts) < 0) return -1;
        off = arena_alloc(c, n);
        if (off < 0) return -1;
        double *out = &c->arena[off];
        memset(out, 0, n * sizeof(double));
        unsigned sub = live;
        for (;;) { /* every subset `a` of the live members */
            unsigned a = sub ^ live;
            double w = 1.0;
            for (int g = 0; g < ng; g++) w *= group_weight(c, edges, groups[g], parts[g], a);
            unsigned full = a | fixed, idx = 0;
            int k = 0;
            for (unsigned rest = members; rest; rest &= rest - 1, k++) {
                if (full & (rest & (~rest + 1))) idx |= 1u << k;
            }
            out[idx] = w;
            if (sub == 0) break;
            sub = (sub - 1) & live;
        }
    }
    if (memo_put(&c->dist, edges, h, (double)off, 0.0) < 0) {
        c->aborted = 2;
        return -1;
    }
    return off;
}

/* P(phi(edges)) and P(not phi(edges)) for the truth table tt (fixed for constant inputs).
 * 0, or -1 when aborted. */
static int prob(Ctx *c, const int64_t *in, const uint64_t *tt_in, double *p_out, double *r_out) {
    int m = c->m;
    uint64_t tt[64];
    int64_t edges[JOINT_MAX];
    memcpy(tt, tt_in, TT_WORDS(m) * sizeof(uint64_t));
    unsigned live = 0;
    for (int i = 0; i < m; i++) {
        edges[i] = in[i];
        if (edges[i] == DONT_CARE) continue;
        if (is_const(c, edges[i])) {
            tt_fix(tt, m, i, !(edges[i] & 1));
        } else {
            live |= 1u << i;
        }
    }
    int k = tt_constant(tt, m);
    if (k >= 0) {
        *p_out = k ? 1.0 : 0.0;
        *r_out = k ? 0.0 : 1.0;
        return 0;
    }
    for (int i = 0; i < m; i++) {
        if (edges[i] == DONT_CARE) continue;
        if (!is_const(c, edges[i]) && !tt_depends(tt, m, i)) {
            /* the table no longer reads input i: forget it (the key then merges more states);
             * constants stay in the key, since the table depends on their values */
            edges[i] = DONT_CARE;
            live &= ~(1u << i);
        }
    }
    if (__builtin_popcount(live) == 1) {
        int i = __builtin_ctz(live);
        int64_t e = edges[i];
        int64_t s = e >> 1;
        double p = (e & 1) ? c->r[s] : c->p[s], r = (e & 1) ? c->p[s] : c->r[s];
        /* phi depends on input i alone: it is f_i or its negation */
        size_t a1 = (size_t)1 << i;
        int when_true = tt_bit(tt, a1);
        *p_out = when_true ? p : r;
        *r_out = when_true ? r : p;
        return 0;
    }
    uint64_t h = hash_key(edges, m);
    int64_t found = memo_find(&c->prob, edges, h);
    if (found >= 0) {
        *p_out = c->prob.values[2 * found];
        *r_out = c->prob.values[2 * found + 1];
        return 0;
    }
    if (over_budget(c)) return -1;
    unsigned groups[JOINT_MAX];
    int ng = components(c, edges, live, groups);
    double p = 0.0, r = 0.0;
    if (ng > 1) {
        int64_t parts[JOINT_MAX];
        if (group_parts(c, edges, groups, ng, parts) < 0) return -1;
        unsigned sub = live;
        for (;;) { /* every value `a` of the live inputs */
            unsigned a = sub ^ live;
            double w = 1.0;
            for (int g = 0; g < ng; g++) w *= group_weight(c, edges, groups[g], parts[g], a);
            if (tt_bit(tt, a)) p += w; else r += w;
            if (sub == 0) break;
            sub = (sub - 1) & live;
        }
    } else {
        int32_t lv = INT32_MAX;
        for (int i = 0; i < m; i++) {
            if (live >> i & 1) {
                int32_t l = top_level(c, edges[i]);
                if (l < lv) lv = l;
            }
        }
        int64_t hi[JOINT_MAX], lo[JOINT_MAX];
        uint32_t var = 0;
        for (int i = 0; i < m; i++) {
            if (live >> i & 1) {
                if (top_level(c, edges[i]) == lv) var = c->d->var[edges[i] >> 1];
                hi[i] = cofactor(c, edges[i], lv, 1);
                lo[i] = cofactor(c, edges[i], lv, 0);
            } else { /* constants stay in the key: the table depends on their values */
                hi[i] = lo[i] = edges[i];
            }
        }
        double ph, rh, pl, rl;
        if (prob(c, hi, tt, &ph, &rh) < 0 || prob(c, lo, tt, &pl, &rl) < 0) return -1;
        double x = c->q[var];
        p = x * ph + (1.0 - x) * pl;
        r = x * rh + (1.0 - x) * rl;
    }
    if (memo_put(&c->prob, edges, h, p, r) < 0) {
        c->aborted = 2;
        return -1;
    }
    *p_out = p;
    *r_out = r;
    return 0;
}

/* Support masks over the variables found under two or more roots (the only ones two cofactors
 * of different roots can share): words per slot, computed children first. 0, or -1. */
static int shared_masks(Ctx *c, const int64_t *root_slots, int m, Py_ssize_t nvars,
                        uint64_t **mask_out) {
    const Dag *d = c->d;
    uint16_t *under = calloc((size_t)d->count, sizeof(uint16_t)); /* roots above each slot */
    uint16_t *roots_of_var = calloc((size_t)nvars, sizeof(uint16_t));
    int32_t *bit = malloc((size_t)nvars * sizeof(int32_t));
    if (!under || !roots_of_var || !bit) {
        free(under);
        free(roots_of_var);
        free(bit);
        return -1;
    }
    for (int i = 0; i < m; i++) under[root_slots[i]] |= (uint16_t)(1u << i);
    for (Py_ssize_t s = d->count - 1; s >= 0; s--) { /* parents come after their children */
        if (d->var[s] == UINT32_MAX) continue;
        under[d->then_[s] >> 1] |= under[s];
        under[d->else_[s] >> 1] |= under[s];
        roots_of_var[d->var[s]] |= under[s];
    }
    int shared = 0;
    for (Py_ssize_t v = 0; v < nvars; v++) {
        unsigned u = roots_of_var[v];
        bit[v] = (u & (u - 1)) ? shared++ : -1;
    }
    int words = shared > 0 ? (shared + 63) / 64 : 1;
    uint64_t *mask = calloc((size_t)d->count * (size_t)words, sizeof(uint64_t));
    if (!mask) {
        free(under);
        free(roots_of_var);
        free(bit);
        return -1;
    }
    for (Py_ssize_t s = 0; s < d->count; s++) {
        if (d->var[s] == UINT32_MAX) continue;
        uint64_t *out = &mask[(size_t)s * (size_t)words];
        const uint64_t *t = &mask[(size_t)(d->then_[s] >> 1) * (size_t)words];
        const uint64_t *e = &mask[(size_t)(d->else_[s] >> 1) * (size_t)words];
        for (int w = 0; w < words; w++) out[w] = t[w] | e[w];
        int32_t b = bit[d->var[s]];
        if (b >= 0) out[b / 64] |= (uint64_t)1 << (b % 64);
    }
    free(under);
    free(roots_of_var);
    free(bit);
    c->words = words;
    *mask_out = mask;
    return 0;
}

const char joint_doc[] =
             "joint(roots, one, q, level, table, max_states, seconds) -> (P, 1 - P, nodes, states)\n\n"
             "P(phi(f_1, ..., f_m)) for the diagrams at the node pointers `roots` (complement bits\n"
             "included; m <= 12, distinct) of one manager whose regular terminal is `one`; q:\n"
             "float64 buffer of probabilities by CUDD variable index; level: int32 buffer of each\n"
             "variable index's level in the manager's order; table: phi's truth table, bit a of\n"
             "byte a // 8 (little-endian) = phi(a) where bit i of a is f_i's value. nodes: of the\n"
             "diagrams together; states: memoised. None when more than max_states states or\n"
             "`seconds` would be needed.";

PyObject *walk_joint(PyObject *self, PyObject *args) {
    (void)self;
    PyObject *roots;
    unsigned long long one_ptr, max_states;
    Py_buffer qbuf, lbuf, tbuf;
    double seconds;
    if (!PyArg_ParseTuple(args, "OKy*y*y*Kd", &roots, &one_ptr, &qbuf, &lbuf, &tbuf,
                          &max_states, &seconds)) {
        return NULL;
    }
    PyObject *out = NULL, *seq = NULL;
    Ctx c;
    Dag d;
    memset(&c, 0, sizeof(c));
    memset(&d, 0, sizeof(d));
    double *p = NULL, *r = NULL;
    uint64_t *mask = NULL;
    seq = PySequence_Fast(roots, "roots must be a sequence");
    if (!seq) goto done;
    int m = (int)PySequence_Fast_GET_SIZE(seq);
    Py_ssize_t nvars = qbuf.len / (Py_ssize_t)sizeof(double);
    if (m < 1 || m > JOINT_MAX || one_ptr == 0 || COMPLEMENTED(one_ptr) ||
        qbuf.len % (Py_ssize_t)sizeof(double) != 0 ||
        lbuf.len != nvars * (Py_ssize_t)sizeof(int32_t) ||
        tbuf.len != (m < 3 ? 1 : ((Py_ssize_t)1 << m) / 8)) {
        PyErr_SetString(PyExc_ValueError, "bad arguments");
        goto done;
    }
    Node *one = (Node *)(uintptr_t)one_ptr;
    int64_t root_edges[JOINT_MAX], root_slots[JOINT_MAX];
    if (dag_init(&d) < 0) goto done;
    for (int i = 0; i < m; i++) {
        unsigned long long ptr = PyLong_AsUnsignedLongLong(PySequence_Fast_GET_ITEM(seq, i));
        if (PyErr_Occurred()) goto done;
        if (ptr == 0) {
            PyErr_SetString(PyExc_ValueError, "bad root");
            goto done;
        }
        if (dag_add(&d, (Node *)(uintptr_t)ptr, one, nvars, &root_slots[i]) < 0) goto done;
        root_edges[i] = (root_slots[i] << 1) | (int64_t)COMPLEMENTED(ptr);
    }
    if (forward(&d, (const double *)qbuf.buf, &p, &r) < 0) goto done;
    Entry *terminal = hash_find(&d, (uintptr_t)one);
    c.m = m;
    c.q = (const double *)qbuf.buf;
    c.level = (const int32_t *)lbuf.buf;
    c.d = &d;
    c.p = p;
    c.r = r;
    c.one = terminal->key != 0 ? terminal->slot : -2;
    c.max_states = (size_t)max_states;
    c.deadline = now_seconds() + seconds;
    if (shared_masks(&c, root_slots, m, nvars, &mask) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    c.mask = mask;
    c.arena_cap = 1 << 16;
    c.arena = malloc(c.arena_cap * sizeof(double));
    if (!c.arena || memo_init(&c.prob, m) < 0 || memo_init(&c.dist, m) < 0) {
        PyErr_NoMemory();
        goto done;
    }
    uint64_t tt[64];
    memset(tt, 0, sizeof(tt));
    size_t bytes = ((size_t)1 << m) / 8;
    if (bytes == 0) bytes = 1;
    memcpy(tt, tbuf.buf, bytes);
    if (m < 6) tt[0] &= ((uint64_t)1 << (1 << m)) - 1;
    double pv, rv;
    if (prob(&c, root_edges, tt, &pv, &rv) < 0) {
        if (c.aborted == 2) {
            PyErr_NoMemory();
        } else {
            out = Py_None;
            Py_INCREF(out);
        }
        goto done;
    }
    out = Py_BuildValue("ddnn", pv, rv, d.count, (Py_ssize_t)c.states);
done:
    Py_XDECREF(seq);
    free(p);
    free(r);
    free(mask);
    free(c.arena);
    memo_free(&c.prob);
    memo_free(&c.dist);
    dag_free(&d);
    PyBuffer_Release(&qbuf);
    PyBuffer_Release(&lbuf);
    PyBuffer_Release(&tbuf);
    return out;
}
