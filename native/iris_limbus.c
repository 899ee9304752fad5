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

/* Rays of the fit on each side (cos theta > 0.5 and < -0.5): the limbus shows left and right of the iris, where
   lids seldom reach; an arc of a lid or of lashes does not. */
static int lateral_sides(const uint8_t *inlier, int *left)
{
    int right = 0;
    *left = 0;
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = cos(TWO_PI * i / IRIS_RAYS);
        right += inlier[i] && c > 0.5;
        *left += inlier[i] && c < -0.5;
    }
    return right;
}

/* What the limbus search shares: the frame, the pupil's centre, the radii searched, the rise's half-width k, the
   reflection halo, and the ray buffers of limbus_edge. */
struct limbus_search {
    const uint8_t *pixels;
    int width, height, stride, lo, hi, k, halo;
    double px, py, tol, *grey, *sum, *num;
};

/* The steepest rise on each ray beyond the circle (R, a, b) by 2 tol, fitted: its inlier count, and the fit. */
static int ring_beyond(const struct limbus_search *ls, double ir, double ia, double ib, double *r2, double *a2,
                       double *b2, uint8_t *inlier)
{
    double outer[IRIS_RAYS];
    uint8_t valid[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
        int from = (int)ceil(ir + ia * c + ib * s + 2.0 * ls->tol);
        int e = from <= ls->hi ? limbus_edge(ls->pixels, ls->width, ls->height, ls->stride, ls->px, ls->py, c, s,
                                             ls->lo, ls->hi, from, ls->k, ls->halo, ls->grey, ls->sum, ls->num) : -1;
        valid[i] = e >= 0;
        outer[i] = e;
    }
    return iris_fit_harmonic(outer, valid, IRIS_RAYS, ls->tol, r2, a2, b2, inlier);
}

/* The ISO/IEC 29794-6 iris-sclera contrast 100 (S - I) / (S + I - 2 P) across the circle (R, a, b) on its sides
   (|cos| >= LATERAL, where lids seldom reach): S the mean grey from R + k to R + 3k, I from R - 3k to R - k,
   reflections left out. Returns 0 when a side zone has fewer than 16 k samples in the frame (not judged). */
static int lateral_contrast(const struct limbus_search *ls, double ir, double ia, double ib, double pupil,
                            double *contrast)
{
    double sum[2] = {0.0, 0.0};
    int64_t n[2] = {0, 0};
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
        if (fabs(c) < LATERAL)
            continue;
        int model = (int)(ir + ia * c + ib * s);
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
        return 0;
    double iris = sum[0] / (double)n[0], sclera = sum[1] / (double)n[1], span = sclera + iris - 2.0 * pupil;
    *contrast = span > 0.0 && sclera > iris ? 100.0 * (sclera - iris) / span : 0.0; /* 0..100: -1 is "not judged" */
    return 1;
}

/* The limbus around the pupil (px, py, pr): on each ray the steepest rise between 1.4 and 5 pupil radii, then
   r(theta) = R + a cos + b sin fitted robustly. A ring inside the iris (the collarette, where the pupillary zone
   meets the ciliary zone) can rise more steeply than a soft limbus and be seen on more rays, the limbus being
   under the lids at the top and bottom: so the steepest rise on each ray beyond that circle (by 2 tol) is fitted
   too, and a circle found there at >= RING_STEP R, seen on both sides (IRIS_RAYS / 32 rays each), with the sclera's
   step beyond it, is the limbus instead; up to OUTWARD times. Then the circle must be a limbus on the sides: the
   iris-sclera contrast across it there at least MIN_LATERAL. Where it is not (a ring the lids' and lashes' rays
   agreed on, or a ring less than RING_STEP inside the limbus), the next ring out that is seen on both sides is
   tried, up to OUTWARD times; with none, the first circle stays and its contrast says so (the score refuses it:
   IRIS_LIMBUS_UNCLEAR, native/iris.py).
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
    double edge[IRIS_RAYS];
    uint8_t valid[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        int e = limbus_edge(pixels, width, height, stride, px, py, cos(TWO_PI * i / IRIS_RAYS),
                            sin(TWO_PI * i / IRIS_RAYS), l_lo, l_hi, l_lo, k, halo, ls.grey, ls.sum, ls.num);
        valid[i] = e >= 0;
        edge[i] = e;
        *edges += valid[i];
    }
    int n = iris_fit_harmonic(edge, valid, IRIS_RAYS, ls.tol, ir, ia, ib, inlier);
    if (n < IRIS_RAYS / 6 || *ir <= pr)
        return 0;
    /* outward, ring by ring (a collarette, a furrow), while a ring qualifies */
    for (int step = 0; step < OUTWARD; step++) {
        double r2, a2, b2;
        uint8_t outer_inlier[IRIS_RAYS];
        int n2 = ring_beyond(&ls, *ir, *ia, *ib, &r2, &a2, &b2, outer_inlier), left;
        if (n2 < IRIS_RAYS / 6 || r2 < RING_STEP * *ir || lateral_sides(outer_inlier, &left) < IRIS_RAYS / 32 ||
            left < IRIS_RAYS / 32)
            break;
        /* on the outer circle's rays: the grey just inside the inner circle, between the two, and just outside the
           outer one. Past an inner ring the iris beyond is about as dark as before it and the sclera beyond the
           limbus much brighter; past the limbus the sclera is the bright step and what lies beyond it is not */
        int lo[IRIS_RAYS], hi[IRIS_RAYS];
        double zone[3];
        for (int z = 0; z < 3; z++) {
            for (int i = 0; i < IRIS_RAYS; i++) {
                double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
                double inner = *ir + *ia * c + *ib * s, outer_r = r2 + a2 * c + b2 * s;
                lo[i] = z == 0 ? (int)(inner - 2 * k) : z == 1 ? (int)(inner + k) : (int)(outer_r + k);
                hi[i] = z == 0 ? (int)(inner - k) : z == 1 ? (int)(outer_r - k) : (int)(outer_r + 2 * k);
            }
            zone[z] = iris_ray_mean(pixels, width, height, stride, px, py, outer_inlier, lo, hi);
        }
        if (zone[2] - zone[1] < zone[1] - zone[0])
            break;
        *ir = r2;
        *ia = a2;
        *ib = b2;
        memcpy(inlier, outer_inlier, sizeof outer_inlier);
        n = n2;
    }
    /* a limbus on the sides, or the next ring out that is; with none, the circle stays, with its low contrast */
    double contrast, kept[3] = {*ir, *ia, *ib};
    uint8_t kept_inlier[IRIS_RAYS];
    memcpy(kept_inlier, inlier, sizeof kept_inlier);
    int kept_n = n;
    if (!lateral_contrast(&ls, *ir, *ia, *ib, pupil, lateral))
        return n; /* not judged: the sides are out of the frame (*lateral stays -1) */
    contrast = *lateral;
    for (int step = 0; contrast < MIN_LATERAL; step++) {
        double r2, a2, b2;
        uint8_t outer_inlier[IRIS_RAYS];
        int n2 = step < OUTWARD ? ring_beyond(&ls, *ir, *ia, *ib, &r2, &a2, &b2, outer_inlier) : 0, left;
        if (n2 < IRIS_RAYS / 6 || r2 <= *ir || lateral_sides(outer_inlier, &left) < IRIS_RAYS / 32 ||
            left < IRIS_RAYS / 32) {
            *ir = kept[0]; /* no ring with sclera beside it: the first circle and its contrast */
            *ia = kept[1];
            *ib = kept[2];
            memcpy(inlier, kept_inlier, sizeof kept_inlier);
            return kept_n;
        }
        *ir = r2;
        *ia = a2;
        *ib = b2;
        memcpy(inlier, outer_inlier, sizeof outer_inlier);
        n = n2;
        if (!lateral_contrast(&ls, *ir, *ia, *ib, pupil, &contrast)) {
            *lateral = -1.0; /* a ring out whose sides leave the frame: taken, not judged */
            return n;
        }
    }
    *lateral = contrast;
    return n;
}
