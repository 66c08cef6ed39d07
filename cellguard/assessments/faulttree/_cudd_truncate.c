/* Which nodes of a CUDD BDD to replace by a constant so that the result bounds it from one side
 * and differs from it with at most a known probability (issue 21 item 2; faulttree/truncate.py).
 *
 * A node seen through a complemented edge computes the complement of its function, so every
 * (node, polarity) pair is treated on its own; the result is rebuilt pair by pair by the caller.
 * A pair is reached from the root along paths of total probability ``reach`` (the root 1; a
 * child gets its parent's reach times q along the then-edge and 1 - q along the else-edge).
 * Replacing the pair's function g by TRUE (``up``: the result can only grow) changes the root's
 * value only where the path reaches the pair and g is false: probability reach * P(not g),
 * since the path above depends only on variables above the pair and g only on those below; by
 * FALSE, reach * P(g).
 *
 * The cut: pairs are ordered by that cost on the whole diagram and the threshold is the dearest
 * one that the cheapest-first sum keeps within the budget. Then, top-down over the diagram being
 * made, a pair's reach counts only paths through pairs that are kept (a cut pair passes nothing
 * on), so once the pairs above it are decided its cost is exactly what its own cut can change;
 * pairs within the threshold are cut while the budget lasts. The returned cost, the sum of those
 * costs, bounds P(result != root) (the result differs only where the path meets a cut pair at
 * which g disagrees with the constant). Pairs no kept pair leads to are dropped; the others are
 * listed children first.
 */
#include "_cudd_dag.h"

typedef struct {
    double cost;
    int64_t pair;
} Cost;

static int by_cost(const void *a, const void *b) {
    const Cost *x = a, *y = b;
    if (x->cost < y->cost) return -1;
    if (x->cost > y->cost) return 1;
    return (x->pair > y->pair) - (x->pair < y->pair); /* deterministic order among equals */
}

const char truncate_doc[] =
    "truncate(root, one, q, up, budget, min_nodes) -> (root_ref, rows, cost, pairs) or None\n\n"
    "None when the diagram has fewer than min_nodes nodes (its terminal included). rows: int64\n"
    "triples (variable index, then_ref, else_ref) of the (node, polarity) pairs kept, children\n"
    "first; a ref is 0 (FALSE), 1 (TRUE) or 2 + the row of a kept pair. cost: an upper bound on\n"
    "P(result != root), at most budget; pairs: the pairs reached.";

/* The pair a (then or else) edge of pair (s, pol) leads to. */
static inline int64_t child(int64_t edge, int pol) { return 2 * (edge >> 1) + ((edge & 1) ^ pol); }

/* The probability of pair pr's function being true (want) or false. */
static inline double pair_p(const double *p, const double *r, int64_t pr, int want) {
    int complemented = (int)(pr & 1);
    return (complemented ^ !want) ? r[pr >> 1] : p[pr >> 1];
}

PyObject *walk_truncate(PyObject *self, PyObject *args) {
    (void)self;
    unsigned long long root_ptr, one_ptr;
    Py_buffer qbuf;
    int up;
    double budget;
    Py_ssize_t min_nodes;
    if (!PyArg_ParseTuple(args, "KKy*pdn", &root_ptr, &one_ptr, &qbuf, &up, &budget,
                          &min_nodes)) {
        return NULL;
    }
    if (qbuf.len % (Py_ssize_t)sizeof(double) != 0 || root_ptr == 0 || one_ptr == 0 ||
        COMPLEMENTED(one_ptr) || !(budget >= 0.0)) {
        PyBuffer_Release(&qbuf);
        PyErr_SetString(PyExc_ValueError, "bad arguments");
        return NULL;
    }
    Node *root = (Node *)(uintptr_t)root_ptr;
    const double *q = (const double *)qbuf.buf;
    Dag d;
    double *p = NULL, *r = NULL, *reach = NULL;
    Cost *costs = NULL;
    int64_t *rows = NULL, *ref = NULL;
    char *cut = NULL, *needed = NULL;
    PyObject *out = NULL;
    if (dag_build(&d, root, (Node *)(uintptr_t)one_ptr, qbuf.len / (Py_ssize_t)sizeof(double)) <
        0) {
        dag_free(&d); /* what dag_add collected before it failed (dag_init leaves it zeroed) */
        PyBuffer_Release(&qbuf);
        return NULL;
    }
    Py_ssize_t n = d.count, pairs = 2 * n;
    if (n < min_nodes) {
        out = Py_None;
        Py_INCREF(out);
        goto done;
    }
    if (forward(&d, q, &p, &r) < 0) {
        goto done;
    }
    reach = calloc((size_t)pairs, sizeof(double));
    costs = malloc((size_t)pairs * sizeof(Cost));
    cut = calloc((size_t)pairs, 1);
    needed = calloc((size_t)pairs, 1);
    rows = malloc((size_t)pairs * 3 * sizeof(int64_t));
    ref = malloc((size_t)pairs * sizeof(int64_t));
    if (!reach || !costs || !cut || !needed || !rows || !ref) {
        PyErr_NoMemory();
        goto done;
    }
    int64_t root_pair = 2 * (int64_t)(n - 1) + (COMPLEMENTED(root) ? 1 : 0);
    /* costs on the whole diagram: parents before children (reverse post-order) */
    reach[root_pair] = 1.0;
    Py_ssize_t reached = 0;
    for (Py_ssize_t s = n - 1; s >= 0; s--) {
        if (d.var[s] == UINT32_MAX) {
            continue;
        }
        double x = q[d.var[s]];
        for (int pol = 0; pol < 2; pol++) {
            int64_t pr = 2 * s + pol;
            double a = reach[pr];
            if (a <= 0.0) {
                continue;
            }
            reach[child(d.then_[s], pol)] += a * x;
            reach[child(d.else_[s], pol)] += a * (1.0 - x);
            costs[reached].cost = a * pair_p(p, r, pr, !up);
            costs[reached].pair = pr;
            reached++;
        }
    }
    qsort(costs, (size_t)reached, sizeof(Cost), by_cost);
    double threshold = -1.0, sum = 0.0;
    for (Py_ssize_t i = 0; i < reached && sum + costs[i].cost <= budget; i++) {
        sum += costs[i].cost;
        threshold = costs[i].cost;
    }
    /* the cut, top-down over the diagram being made */
    memset(reach, 0, (size_t)pairs * sizeof(double));
    reach[root_pair] = 1.0;
    needed[root_pair] = 1;
    double spent = 0.0;
    for (Py_ssize_t s = n - 1; s >= 0; s--) {
        if (d.var[s] == UINT32_MAX) {
            continue;
        }
        double x = q[d.var[s]];
        for (int pol = 0; pol < 2; pol++) {
            int64_t pr = 2 * s + pol;
            if (!needed[pr]) {
                continue;
            }
            double a = reach[pr], cost = a * pair_p(p, r, pr, !up);
            if (cost <= threshold && spent + cost <= budget) {
                spent += cost;
                cut[pr] = 1;
                continue;
            }
            int64_t tp = child(d.then_[s], pol), ep = child(d.else_[s], pol);
            reach[tp] += a * x;
            reach[ep] += a * (1.0 - x);
            needed[tp] = needed[ep] = 1;
        }
    }
    /* what each needed pair becomes: 0 FALSE, 1 TRUE, 2 + row (children first) */
    int64_t kept = 0;
    for (Py_ssize_t s = 0; s < n; s++) {
        for (int pol = 0; pol < 2; pol++) {
            int64_t pr = 2 * s + pol;
            if (d.var[s] == UINT32_MAX) {
                ref[pr] = pol ? 0 : 1; /* the terminal: TRUE, or FALSE through a complement */
                continue;
            }
            if (!needed[pr]) {
                continue;
            }
            if (cut[pr]) {
                ref[pr] = up ? 1 : 0;
                continue;
            }
            rows[3 * kept] = d.var[s];
            rows[3 * kept + 1] = ref[child(d.then_[s], pol)];
            rows[3 * kept + 2] = ref[child(d.else_[s], pol)];
            ref[pr] = 2 + kept++;
        }
    }
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)rows, (Py_ssize_t)(3 * kept * 8));
    if (bytes) {
        out = Py_BuildValue("LNdn", (long long)ref[root_pair], bytes, spent, reached);
    }
done:
    free(p);
    free(r);
    free(reach);
    free(costs);
    free(cut);
    free(needed);
    free(rows);
    free(ref);
    dag_free(&d);
    PyBuffer_Release(&qbuf);
    return out;
}
