/* CUDD diagrams read in place, shared by _cudd_walk.c and _cudd_joint.c (one extension).
 *
 * CUDD 3.0's node layout (``struct DdNode`` in cuddInt.h, 64-bit: index, ref, next, then,
 * else), checked from Python before first use (native.py); a diagram's nodes collected in
 * post-order into slots; P and R = 1 - P of every slot from non-negative terms.
 */
#ifndef CELLGUARD_CUDD_DAG_H
#define CELLGUARD_CUDD_DAG_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct Node {
    uint32_t index;
    uint32_t ref;
    struct Node *next;
    struct Node *then_;
    struct Node *else_;
} Node;

#define REGULAR(p) ((Node *)((uintptr_t)(p) & ~(uintptr_t)1))
#define COMPLEMENTED(p) ((uintptr_t)(p) & (uintptr_t)1)

/* The diagram's nodes in post-order (children before parents); edges are slot numbers in
 * this list, with the low bit set for a complemented edge (slot << 1 | complement). */
typedef struct {
    uintptr_t key; /* a regular node pointer; 0 = empty */
    int64_t slot;
} Entry;

typedef struct {
    Py_ssize_t count;
    Py_ssize_t capacity;
    uint32_t *var;
    int64_t *then_;
    int64_t *else_;
    /* open-addressing table (linear probing, at most half full): node -> slot */
    int table_bits;
    Entry *table;
} Dag;

static inline void dag_free(Dag *d) {
    free(d->var);
    free(d->then_);
    free(d->else_);
    free(d->table);
}

static inline Entry *hash_find(const Dag *d, uintptr_t key) {
    size_t mask = ((size_t)1 << d->table_bits) - 1;
    /* Fibonacci hashing: the high bits of the product */
    size_t h = (size_t)(((uint64_t)key * 0x9E3779B97F4A7C15ULL) >> (64 - d->table_bits));
    while (d->table[h].key != 0 && d->table[h].key != key) {
        h = (h + 1) & mask;
    }
    return &d->table[h];
}

/* Room for one more node: the arrays and the table grow by doubling. 0, or -1 (no memory). */
static inline int dag_reserve(Dag *d) {
    if (d->count == d->capacity) {
        Py_ssize_t cap = d->capacity * 2;
        uint32_t *var = realloc(d->var, (size_t)cap * sizeof(uint32_t));
        if (var) d->var = var;
        int64_t *t = realloc(d->then_, (size_t)cap * sizeof(int64_t));
        if (t) d->then_ = t;
        int64_t *e = realloc(d->else_, (size_t)cap * sizeof(int64_t));
        if (e) d->else_ = e;
        if (!var || !t || !e) {
            return -1;
        }
        d->capacity = cap;
    }
    if (2 * (d->count + 1) > ((Py_ssize_t)1 << d->table_bits)) {
        Entry *old = d->table;
        size_t old_size = (size_t)1 << d->table_bits;
        Entry *grown = calloc(old_size * 2, sizeof(Entry));
        if (!grown) {
            return -1;
        }
        d->table = grown;
        d->table_bits += 1;
        for (size_t i = 0; i < old_size; i++) {
            if (old[i].key != 0) {
                *hash_find(d, old[i].key) = old[i];
            }
        }
        free(old);
    }
    return 0;
}

/* One node being visited: its children, the edges to those already placed, the next child. */
typedef struct {
    Node *node;
    Node *kids[2];
    int64_t edge[2];
    int next;
} Frame;

/* Collect the nodes reachable from root into d, in post-order (depth-first; a DAG visits each
 * node once: a child is complete before its parent goes on). ``one`` is the regular terminal
 * (CUDD's only constant in a BDD); ``nvars`` bounds the variable indices. The table and the
 * arrays start small and double as needed (sizing them from Cudd_DagSize first cost a whole
 * extra pass and measured no faster). 0, or -1 with a Python exception. */
static inline int dag_init(Dag *d) {
    memset(d, 0, sizeof(*d));
    d->table_bits = 10;
    d->capacity = 512;
    d->table = calloc((size_t)1 << d->table_bits, sizeof(Entry));
    d->var = malloc((size_t)d->capacity * sizeof(uint32_t));
    d->then_ = malloc((size_t)d->capacity * sizeof(int64_t));
    d->else_ = malloc((size_t)d->capacity * sizeof(int64_t));
    if (!d->table || !d->var || !d->then_ || !d->else_) {
        dag_free(d);
        memset(d, 0, sizeof(*d));
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Add the nodes reachable from root that d does not hold yet, in post-order; *root_slot is the
 * root's slot (its regular node's). 0, or -1 with a Python exception. */
static inline int dag_add(Dag *d, Node *root, Node *one, Py_ssize_t nvars, int64_t *root_slot) {
    Entry *known = hash_find(d, (uintptr_t)REGULAR(root));
    if (known->key != 0) {
        *root_slot = known->slot;
        return 0;
    }
    Py_ssize_t stack_cap = 256, top = 0;
    Frame *stack = malloc((size_t)stack_cap * sizeof(Frame));
    if (!stack) {
        PyErr_NoMemory();
        return -1;
    }
    Node *visit = REGULAR(root); /* a node to open, or NULL */
    for (;;) {
        if (visit != NULL) {
            if (visit != one && visit->index >= (uint32_t)nvars) {
                free(stack);
                PyErr_Format(PyExc_ValueError,
                             "BDD node with variable index %u, beyond the %zd probabilities given",
                             visit->index, nvars);
                return -1;
            }
            if (top == stack_cap) {
                stack_cap *= 2;
                Frame *grown = realloc(stack, (size_t)stack_cap * sizeof(Frame));
                if (!grown) {
                    free(stack);
                    PyErr_NoMemory();
                    return -1;
                }
                stack = grown;
            }
            Frame *f = &stack[top++];
            f->node = visit;
            f->next = visit == one ? 2 : 0;
            if (visit != one) {
                f->kids[0] = visit->then_;
                f->kids[1] = visit->else_;
            }
            f->edge[0] = f->edge[1] = 0;
            visit = NULL;
        }
        Frame *f = &stack[top - 1];
        if (f->next < 2) {
            Node *kid = f->kids[f->next];
            Entry *found = hash_find(d, (uintptr_t)REGULAR(kid));
            if (found->key == 0) {
                visit = REGULAR(kid);
            } else {
                f->edge[f->next++] = (found->slot << 1) | (int64_t)COMPLEMENTED(kid);
            }
            continue;
        }
        /* both children placed: place this node */
        if (dag_reserve(d) < 0) {
            free(stack);
            PyErr_NoMemory();
            return -1;
        }
        Py_ssize_t s = d->count++;
        Entry *slot = hash_find(d, (uintptr_t)f->node);
        slot->key = (uintptr_t)f->node;
        slot->slot = s;
        d->var[s] = f->node == one ? UINT32_MAX : f->node->index;
        d->then_[s] = f->edge[0];
        d->else_[s] = f->edge[1];
        top--;
        if (top == 0) {
            *root_slot = s;
            break;
        }
        Frame *parent = &stack[top - 1];
        Node *kid = parent->kids[parent->next];
        parent->edge[parent->next++] = ((int64_t)s << 1) | (int64_t)COMPLEMENTED(kid);
    }
    free(stack);
    return 0;
}

/* Collect the nodes reachable from root into a new d, in post-order (depth-first; a DAG visits
 * each node once: a child is complete before its parent goes on; the root comes last). ``one``
 * is the regular terminal (CUDD's only constant in a BDD); ``nvars`` bounds the variable
 * indices. The table and the arrays start small and double as needed (sizing them from
 * Cudd_DagSize first cost a whole extra pass and measured no faster). 0, or -1 with a Python
 * exception. */
static inline int dag_build(Dag *d, Node *root, Node *one, Py_ssize_t nvars) {
    int64_t slot;
    if (dag_init(d) < 0) {
        return -1;
    }
    return dag_add(d, root, one, nvars, &slot);
}

/* P and R of every slot (post-order makes one forward pass enough). */
static inline int forward(const Dag *d, const double *q, double **p_out, double **r_out) {
    double *p = malloc((size_t)d->count * sizeof(double));
    double *r = malloc((size_t)d->count * sizeof(double));
    if (!p || !r) {
        free(p);
        free(r);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t s = 0; s < d->count; s++) {
        if (d->var[s] == UINT32_MAX) {
            p[s] = 1.0;
            r[s] = 0.0;
            continue;
        }
        double x = q[d->var[s]];
        int64_t t = d->then_[s], e = d->else_[s];
        double pt = (t & 1) ? r[t >> 1] : p[t >> 1];
        double rt = (t & 1) ? p[t >> 1] : r[t >> 1];
        double pe = (e & 1) ? r[e >> 1] : p[e >> 1];
        double re = (e & 1) ? p[e >> 1] : r[e >> 1];
        p[s] = x * pt + (1.0 - x) * pe;
        r[s] = x * rt + (1.0 - x) * re;
    }
    *p_out = p;
    *r_out = r;
    return 0;
}

PyObject *walk_joint(PyObject *self, PyObject *args);
extern const char joint_doc[];
PyObject *walk_truncate(PyObject *self, PyObject *args);
extern const char truncate_doc[];

#endif
