/* iris: the whole measurement - the pupil seeds (iris_seed.c: reflections filled, dark threshold, seed grid), rays
   with a robust circle fit for the pupil from each seed (iris_fit.c), each candidate's limbus (iris_limbus.c), the
   best candidate's zone greys and the annulus (iris_annulus.c). All buffers are the caller's (see iris.h) or small
   and on the stack; nothing is allocated here. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "iris_parts.h"

#define MIN_SIDE 32
#define STAY 5           /* a pupil edge: the grey stays above the dark threshold for STAY + 1 radii */
#define SEEDS 3          /* pupil seeds tried */
#define SMALLEST_IRIS 100.0 /* iris diameter (px) below which a candidate eye scores 0 (native/iris.py): a blob of
                               lashes with a ring around it is smaller than that, an eye the score accepts is not */

int iris_integral_size(int width, int height) { return (width + 1) * (height + 1); }

/* The seed grid's counts and x/y sums, then three ray buffers (prefix sums and counts) of min(w,h) + 2. */
int iris_profile_size(int width, int height) { return 3 * GRID * GRID + 3 * (min_side(width, height) + 2); }

/* One pupil pass from (cx, cy): per ray, the first radius in [r0, r1] where the grey is above the threshold (not
   specular, in the frame, not within `halo` radii past a specular sample: a reflection's bright rim) for STAY + 1
   radii, moved to the steepest rise p[r + 2] - p[r - 2] within 3 px; no edge when that run starts right where a
   reflection's rim ends (the reflection hides the edge). */
static int pupil_pass(const uint8_t *pixels, int width, int height, int stride, int threshold, double cx, double cy,
                      int r0, int r1, int halo, double band, double *out_x, double *out_y, double *out_r)
{
    double ex[IRIS_RAYS], ey[IRIS_RAYS];
    uint8_t valid[IRIS_RAYS], inlier[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = ray_cos(i), s = ray_sin(i);
        valid[i] = 0;
        int run = 0, edge = -1, last_specular = -1000000;
        for (int r = r0; r <= r1 + STAY; r++) {
            int v = ray_at(pixels, width, height, stride, cx, cy, c, s, r);
            if (v < 0)
                break;
            if (v >= SPECULAR)
                last_specular = r;
            if (v > threshold && v < SPECULAR && r - last_specular > halo) {
                if (++run > STAY) {
                    edge = r - STAY;
                    break;
                }
            } else {
                run = 0;
            }
        }
        if (edge < 0 || edge > r1 || edge - last_specular <= halo + 1)
            continue; /* no edge, or one a reflection hides: the run starts as soon as its rim is skipped */
        int best = edge, best_rise = -1000;
        for (int r = edge - 3; r <= edge + 3; r++) {
            if (r - 2 < 0)
                continue;
            int hi = ray_at(pixels, width, height, stride, cx, cy, c, s, r + 2);
            int lo = ray_at(pixels, width, height, stride, cx, cy, c, s, r - 2);
            if (hi < 0 || lo < 0)
                continue;
            if (hi - lo > best_rise) {
                best_rise = hi - lo;
                best = r;
            }
        }
        ex[i] = cx + best * c;
        ey[i] = cy + best * s;
        valid[i] = 1;
    }
    return iris_fit_circle(ex, ey, valid, IRIS_RAYS, cx, cy, band, out_x, out_y, out_r, inlier);
}

int iris_measure(const uint8_t *pixels, int width, int height, int stride, int32_t *integral, double *profile,
                 uint8_t *scratch, struct iris_metrics *out)
{
    if (!pixels || !integral || !profile || !scratch || !out || width < MIN_SIDE || height < MIN_SIDE ||
        stride < width)
        return -1;
    memset(out, 0, sizeof *out);
    /* the pupil is looked for with the reflections filled, the limbus and the annulus in the frame itself */
    iris_fill_reflections(pixels, width, height, stride, scratch);
    const uint8_t *opened = scratch;
    int threshold = iris_dark_threshold(opened, width, height, width);
    out->dark_threshold = threshold;
    int side = min_side(width, height) / SEED_PER_SIDE, gw, gh;
    iris_seed_grid(opened, width, height, width, threshold, integral, profile, side, &gw, &gh);
    /* pupil: up to SEEDS seeds (other dark blobs: lashes, text, dark frame corners); from each, two passes of rays,
       the second from the first pass's centre. A pupil lies inside an iris: each candidate's limbus is looked for,
       and the candidate with the most agreeing rays, pupil and limbus together, wins - among those whose limbus
       has sclera beside it (or is not judged) if there are any, then among those whose iris is at least
       SMALLEST_IRIS across if there are any */
    int p_lo = side / 8 > 2 ? side / 8 : 2, p_hi = (int)(0.3 * min_side(width, height));
    int halo = side / 3 > STAY ? side / 3 : STAY;
    uint8_t taken[GRID * GRID], inlier[IRIS_RAYS], best_inlier[IRIS_RAYS];
    memset(taken, 0, sizeof taken);
    double px = 0.0, py = 0.0, pr = 0.0, ir = 0.0, ia = 0.0, ib = 0.0, pupil = 0.0, sx, sy;
    double lateral = -1.0;
    int pupil_n = 0, limbus_n = 0, edges = 0, best_big = 0, best_sided = 0, lo[IRIS_RAYS], hi[IRIS_RAYS];
    int lone_n = 0; /* the pupil with the most agreeing rays, limbus or not: reported when no limbus is found */
    double lone_x = 0.0, lone_y = 0.0, lone_r = 0.0;
    for (int seed = 0; seed < SEEDS && iris_next_seed(profile, gw, gh, taken, 3.0 * side, &sx, &sy); seed++) {
        double x = sx, y = sy, r = 0.0;
        int n = 0;
        for (int pass = 0; pass < 2; pass++) {
            double nx, ny, nr;
            n = pupil_pass(opened, width, height, width, threshold, x, y, p_lo, p_hi, halo, side / 2.0, &nx, &ny, &nr);
            if (n < IRIS_RAYS / 4 || nr < 3.0) {
                n = 0;
                break;
            }
            x = nx;
            y = ny;
            r = nr;
        }
        if (n == 0)
            continue;
        if (n > lone_n) {
            lone_n = n;
            lone_x = x;
            lone_y = y;
            lone_r = r;
        }
        /* the pupil's grey on all rays, its reflections filled */
        for (int i = 0; i < IRIS_RAYS; i++) {
            lo[i] = (int)(r / 2.0);
            hi[i] = (int)r - 2;
        }
        double lr, la, lb, lat, grey = iris_ray_mean(opened, width, height, width, x, y, NULL, lo, hi);
        int e, ln = iris_limbus(pixels, width, height, stride, profile + 3 * GRID * GRID, x, y, r, grey, halo, &lr,
                                &la, &lb, inlier, &e, &lat);
        int big = 2.0 * lr >= SMALLEST_IRIS, sided = lat < 0.0 || lat >= MIN_LATERAL;
        int better = sided != best_sided ? sided > best_sided : big != best_big ? big > best_big
                                                                              : n + ln > pupil_n + limbus_n;
        if (ln > 0 && better) {
            best_sided = sided;
            best_big = big;
            lateral = lat;
            pupil_n = n;
            limbus_n = ln;
            edges = e;
            px = x;
            py = y;
            pr = r;
            pupil = grey;
            ir = lr;
            ia = la;
            ib = lb;
            memcpy(best_inlier, inlier, sizeof inlier);
        }
    }
    if (limbus_n == 0) {
        iris_lone_pupil(pixels, width, height, stride, lone_x, lone_y, lone_r, lone_n, out);
        return 0;
    }
    memcpy(inlier, best_inlier, sizeof inlier);
    out->found = 1;
    out->pupil_x = px;
    out->pupil_y = py;
    out->pupil_radius = pr;
    out->iris_x = px + ia;
    out->iris_y = py + ib;
    out->iris_radius = ir;
    out->iris_diameter = 2.0 * ir;
    out->pupil_inliers = pupil_n;
    out->limbus_edges = edges;
    out->limbus_inliers = limbus_n;
    out->limbus_contrast = lateral;
    /* zone greys along the rays: pupil on all rays, iris and sclera on the limbus inliers only (no lids) */
    out->pupil_grey = pupil;
    for (int i = 0; i < IRIS_RAYS; i++) {
        double model = circle_at(ir, ia, ib, i);
        lo[i] = (int)(pr + (model - pr) / 4.0);
        hi[i] = (int)(model - (model - pr) / 4.0);
    }
    out->iris_grey = iris_ray_mean(pixels, width, height, stride, px, py, inlier, lo, hi);
    for (int i = 0; i < IRIS_RAYS; i++) {
        double model = circle_at(ir, ia, ib, i);
        lo[i] = (int)model + 3;
        hi[i] = (int)model + 8;
    }
    out->sclera_grey = iris_ray_mean(pixels, width, height, stride, px, py, inlier, lo, hi);
    out->pupil_contrast = (out->iris_grey - out->pupil_grey) / 255.0;
    out->iris_contrast = (out->sclera_grey - out->iris_grey) / 255.0;
    iris_annulus(pixels, width, height, stride, out);
    return 0;
}
