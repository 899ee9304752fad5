/* iris_limbus: the limbus around a found pupil - the steepest rise on each ray, a robust harmonic fit, and the
   outward steps over rings inside the iris (iris_parts.h, docs/architecture.md "Iris quality score"). */
#include <math.h>
#include <string.h>
#include "iris_parts.h"

/* One limbus ray: the radius in [from, r1] (from >= r0) of the steepest rise mean(p[r+1..r+k]) - mean(p[r-k..r-1])
   over the valid samples of [r0 - k, r1 + k] (in the frame, not within `halo` radii of a specular sample: a
   reflection and its rim; at least half of each side valid), if it is >= MIN_RISE; -1 otherwise. `grey`, `sum` and
   `num` hold r1 - r0 + 2k + 2. */
static int limbus_edge(const uint8_t *pixels, int width, int height, int stride, double cx, double cy, double c,
                       double s, int r0, int r1, int from, int k, int halo, double *grey, double *sum, double *num)
{
    int lo = r0 - k, len = r1 + k - lo + 1, last = -1000000;
    for (int j = 0; j < len; j++) {
        int v = ray_at(pixels, width, height, stride, cx, cy, c, s, lo + j);
        if (v >= SPECULAR)
            last = j;
        grey[j] = v < 0 || j - last <= halo ? -1.0 : v;
    }
    last = 1000000;
    for (int j = len - 1; j >= 0; j--) {
        if (grey[j] < 0.0 && ray_at(pixels, width, height, stride, cx, cy, c, s, lo + j) >= SPECULAR)
            last = j;
        if (last - j <= halo)
            grey[j] = -1.0;
    }
    sum[0] = num[0] = 0.0;
    for (int j = 0; j < len; j++) {
        int ok = grey[j] >= 0.0;
        sum[j + 1] = sum[j] + (ok ? grey[j] : 0.0);
        num[j + 1] = num[j] + ok;
    }
    int best = -1;
    double best_rise = MIN_RISE - 1e-9;
    for (int r = from > r0 ? from : r0; r <= r1; r++) {
        /* inner samples r-k..r-1 are prefix indices [r-k-lo, r-lo); outer r+1..r+k are [r+1-lo, r+k+1-lo) */
        double n_in = num[r - lo] - num[r - k - lo], n_out = num[r + k + 1 - lo] - num[r + 1 - lo];
        if (2.0 * n_in < k || 2.0 * n_out < k)
            continue;
        double rise = (sum[r + k + 1 - lo] - sum[r + 1 - lo]) / n_out - (sum[r - lo] - sum[r - k - lo]) / n_in;
        if (rise > best_rise) {
            best_rise = rise;
            best = r;
        }
    }
    return best;
}

/* A fitted circle r(theta) = R + a cos + b sin and the rays that agree with it. */
struct ring {
    double r, a, b;
    int n;
    uint8_t inlier[IRIS_RAYS];
};

/* A ring the limbus may be: fitted on at least IRIS_RAYS / 6 rays, IRIS_RAYS / 32 of them on each side (cos > 0.5
   and < -0.5): the limbus shows left and right of the iris, where lids seldom reach; an arc of a lid or of lashes
   does not. */
static int seen_on_both_sides(const struct ring *ring)
{
    int left = 0, right = 0;
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = ray_cos(i);
        right += ring->inlier[i] && c > 0.5;
        left += ring->inlier[i] && c < -0.5;
    }
    return ring->n >= IRIS_RAYS / 6 && left >= IRIS_RAYS / 32 && right >= IRIS_RAYS / 32;
}

/* What the limbus search shares: the frame, the pupil's centre, the radii searched, the rise's half-width k, the
   reflection halo, and the ray buffers of limbus_edge. */
struct limbus_search {
    const uint8_t *pixels;
    int width, height, stride, lo, hi, k, halo;
    double px, py, tol, *grey, *sum, *num;
};

/* The steepest rise on each ray from radius from[i] (from the start of the search when from is NULL), fitted. */
static void fit_rises(const struct limbus_search *ls, const int *from, int *edges, struct ring *out)
{
    double edge[IRIS_RAYS];
    uint8_t valid[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        int start = from ? from[i] : ls->lo;
        int e = start <= ls->hi ? limbus_edge(ls->pixels, ls->width, ls->height, ls->stride, ls->px, ls->py,
                                              ray_cos(i), ray_sin(i), ls->lo, ls->hi, start, ls->k, ls->halo,
                                              ls->grey, ls->sum, ls->num) : -1;
        valid[i] = e >= 0;
        edge[i] = e;
        if (edges)
            *edges += valid[i];
    }
    out->n = iris_fit_harmonic(edge, valid, IRIS_RAYS, ls->tol, &out->r, &out->a, &out->b, out->inlier);
}

/* The steepest rise on each ray beyond `ring` by 2 tol, fitted. */
static void ring_beyond(const struct limbus_search *ls, const struct ring *ring, struct ring *out)
{
    int from[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++)
        from[i] = (int)ceil(circle_at(ring->r, ring->a, ring->b, i) + 2.0 * ls->tol);
    fit_rises(ls, from, NULL, out);
}

/* The ISO/IEC 29794-6 iris-sclera contrast 100 (S - I) / (S + I - 2 P) across `ring` on its sides (|cos| >=
   LATERAL, where lids seldom reach): S the mean grey from R + k to R + 3k, I from R - 3k to R - k, reflections left
   out; 0 when S is not above I. -1 (not judged) when a side zone has fewer than 16 k samples in the frame. */
static double lateral_contrast(const struct limbus_search *ls, const struct ring *ring, double pupil)
{
    double sum[2] = {0.0, 0.0};
    int64_t n[2] = {0, 0};
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = ray_cos(i), s = ray_sin(i);
        if (fabs(c) < LATERAL)
            continue;
        int model = (int)circle_at(ring->r, ring->a, ring->b, i);
        for (int z = 0; z < 2; z++)
            for (int r = z ? model + ls->k : model - 3 * ls->k; r <= (z ? model + 3 * ls->k : model - ls->k); r++) {
                int v = ray_at(ls->pixels, ls->width, ls->height, ls->stride, ls->px, ls->py, c, s, r);
                if (v >= 0 && v < SPECULAR) {
                    sum[z] += v;
                    n[z]++;
                }
            }
    }
    if (n[0] < 16 * ls->k || n[1] < 16 * ls->k)
        return -1.0;
    double iris = sum[0] / (double)n[0], sclera = sum[1] / (double)n[1], span = sclera + iris - 2.0 * pupil;
    return span > 0.0 && sclera > iris ? 100.0 * (sclera - iris) / span : 0.0;
}

/* Past an inner ring the iris beyond is about as dark as before it, and the sclera beyond the limbus much brighter;
   past the limbus the sclera is the bright step and what lies beyond it is not: on the outer ring's rays, the grey
   rises at least as much from between the two rings to just outside the outer one as from just inside the inner
   one to between them. */
static int sclera_beyond(const struct limbus_search *ls, const struct ring *inner, const struct ring *outer)
{
    int lo[IRIS_RAYS], hi[IRIS_RAYS], k = ls->k;
    double zone[3];
    for (int z = 0; z < 3; z++) {
        for (int i = 0; i < IRIS_RAYS; i++) {
            double in = circle_at(inner->r, inner->a, inner->b, i), out = circle_at(outer->r, outer->a, outer->b, i);
            lo[i] = z == 0 ? (int)(in - 2 * k) : z == 1 ? (int)(in + k) : (int)(out + k);
            hi[i] = z == 0 ? (int)(in - k) : z == 1 ? (int)(out - k) : (int)(out + 2 * k);
        }
        zone[z] = iris_ray_mean(ls->pixels, ls->width, ls->height, ls->stride, ls->px, ls->py, outer->inlier, lo, hi);
    }
    return zone[2] - zone[1] >= zone[1] - zone[0];
}

/* The limbus around the pupil (px, py, pr): on each ray the steepest rise between 1.4 and 5 pupil radii, then
   r(theta) = R + a cos + b sin fitted robustly. A ring inside the iris (the collarette, where the pupillary zone
   meets the ciliary zone) can rise more steeply than a soft limbus and be seen on more rays, the limbus being
   under the lids at the top and bottom: so the steepest rise on each ray beyond that circle (by 2 tol) is fitted
   too, and a circle found there at >= RING_STEP R, seen on both sides, with the sclera's step beyond it, is the
   limbus instead; up to OUTWARD times. Then the circle must be a limbus on the sides: the iris-sclera contrast
   across it there at least MIN_LATERAL. Where it is not (a ring the lids' and lashes' rays agreed on, or a ring
   less than RING_STEP inside the limbus), the next ring out that is seen on both sides is tried, up to OUTWARD
   times; with none, the first circle stays and its contrast says so (the score refuses it: IRIS_LIMBUS_UNCLEAR,
   native/iris.py).
   Returns its inlier count (0: none, too few, or not outside the pupil) and writes R, a, b, the inliers, the
   number of rays with an edge and the lateral contrast across the circle (-1: not judged). */
int iris_limbus(const uint8_t *pixels, int width, int height, int stride, double *rays, double px, double py,
                double pr, double pupil, int halo, double *ir, double *ia, double *ib, uint8_t *inlier, int *edges,
                double *lateral)
{
    int k = (int)(pr / 8.0) > 3 ? (int)(pr / 8.0) : 3;
    int l_lo = (int)(1.4 * pr), l_hi = (int)(5.0 * pr);
    int l_cap = (int)(0.6 * min_side(width, height));
    if (l_hi > l_cap)
        l_hi = l_cap;
    *edges = 0;
    *lateral = -1.0;
    if (l_lo + 2 > l_hi)
        return 0;
    struct limbus_search ls = {pixels, width, height, stride, l_lo, l_hi, k, halo, px, py,
                               pr / 10.0 > 2.0 ? pr / 10.0 : 2.0, rays, rays + min_side(width, height) + 2,
                               rays + 2 * (min_side(width, height) + 2)};
    struct ring ring, next;
    fit_rises(&ls, NULL, edges, &ring);
    if (ring.n < IRIS_RAYS / 6 || ring.r <= pr)
        return 0;
    /* outward, ring by ring (a collarette, a furrow), while a ring qualifies */
    for (int step = 0; step < OUTWARD; step++) {
        ring_beyond(&ls, &ring, &next);
        if (!seen_on_both_sides(&next) || next.r < RING_STEP * ring.r || !sclera_beyond(&ls, &ring, &next))
            break;
        ring = next;
    }
    /* a limbus on the sides, or the next ring out that is; with none, the first circle stays, with its contrast */
    struct ring first = ring;
    double first_contrast = lateral_contrast(&ls, &ring, pupil), contrast = first_contrast;
    for (int step = 0; contrast >= 0.0 && contrast < MIN_LATERAL; step++) {
        if (step < OUTWARD)
            ring_beyond(&ls, &ring, &next);
        if (step == OUTWARD || !seen_on_both_sides(&next) || next.r <= ring.r) {
            ring = first;
            contrast = first_contrast;
            break;
        }
        ring = next;
        contrast = lateral_contrast(&ls, &ring, pupil); /* -1: a ring out whose sides leave the frame, taken */
    }
    *ir = ring.r;
    *ia = ring.a;
    *ib = ring.b;
    memcpy(inlier, ring.inlier, sizeof ring.inlier);
    *lateral = contrast;
    return ring.n;
}
