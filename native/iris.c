/* iris: reflections filled, histogram threshold, integral image of the dark mask, a coarse-grid mean shift for the
   pupil seed, rays with a robust circle fit for the pupil; then each candidate's limbus (iris_limbus.c) and the
   annulus (iris_annulus.c). All buffers are the caller's (see iris.h) or small and on the stack; nothing is
   allocated here. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "iris_parts.h"
#include "rank_filter.h"

#define MIN_SIDE 32
#define STAY 5           /* a pupil edge: the grey stays above the dark threshold for STAY + 1 radii */
#define SHIFTS 6         /* mean-shift steps for the pupil seed */
#define SEEDS 3          /* pupil seeds tried */
#define SMALLEST_IRIS 100.0 /* iris diameter (px) below which a candidate eye scores 0 (native/iris.py): a blob of
                               lashes with a ring around it is smaller than that, an eye the score accepts is not */


int iris_integral_size(int width, int height) { return (width + 1) * (height + 1); }

/* Half the side of the square that the pupil stage's opening uses: reflections narrower than 2 q + 1 go. The
   square is the seed grid's window (side = min_side / 16, so q = side / 2): a sensor's ring of LED spots in the
   pupil, with its glow between the spots, is then filled as dark as the window that should seed on it (a third
   smaller square, min_side / 48 before, kept that glow above the dark threshold; docs/architecture.md). */
static int open_half(int width, int height)
{
    int q = min_side(width, height) / 32;
    return q > 1 ? q : 1;
}

/* The filled frame, the reflections' neighbourhood, and rank_square's workspaces. */
int iris_scratch_size(int width, int height)
{
    int q = open_half(width, height);
    return 2 * width * height + rank_square_tall_size(width, height, q) + rank_square_pad_size(width, q);
}

/* The seed grid's counts and x/y sums, then three ray buffers (prefix sums and counts) of min(w,h) + 2. */
int iris_profile_size(int width, int height) { return 3 * GRID * GRID + 3 * (min_side(width, height) + 2); }

/* Threshold: a quarter of the way from the 0.5th-percentile grey to the mean grey. */
static int dark_threshold(const uint8_t *pixels, int width, int height, int stride)
{
    uint32_t hist[256];
    memset(hist, 0, sizeof hist);
    uint64_t sum = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        for (int x = 0; x < width; x++)
            hist[row[x]]++;
    }
    uint64_t n = (uint64_t)width * (uint64_t)height, seen = 0;
    int low = -1;
    for (int v = 0; v < 256; v++) {
        sum += (uint64_t)v * hist[v];
        seen += hist[v];
        if (low < 0 && seen * 200 >= n)
            low = v;
    }
    double mean = (double)sum / (double)n;
    return low + (int)((mean - low) / 4.0);
}

/* Reflections filled: near a specular pixel (>= SPECULAR, within q), the frame's grey opening (min then max filter
   with a (2q+1) square) replaces it; elsewhere the frame is kept. The LED spots a sensor puts in the pupil, and
   their glow, then take the pupil's grey, while iris texture, lashes and lids (not near a reflection) keep theirs:
   an opening everywhere would also darken textured irises and fill the skin between lashes. */
static void fill_reflections(const uint8_t *pixels, int width, int height, int stride, uint8_t *scratch)
{
    int q = open_half(width, height);
    size_t n = (size_t)width * (size_t)height;
    uint8_t *filled = scratch, *near = scratch + n, *tall = near + n, *pad = tall + (size_t)(height + 2 * q) * width;
    int any = 0;
    for (int y = 0; y < height && !any; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        for (int x = 0; x < width; x++)
            any |= row[x] >= SPECULAR;
    }
    if (!any) { /* nothing to fill: the frame as it is, without the three filter passes */
        for (int y = 0; y < height; y++)
            memcpy(filled + (size_t)y * (size_t)width, pixels + (size_t)y * (size_t)stride, (size_t)width);
        return;
    }
    rank_square(pixels, stride, SPECULAR, near, width, height, q, 1, tall, pad); /* within q of a reflection */
    rank_square(pixels, stride, -1, filled, width, height, q, 0, tall, pad);
    rank_square(filled, width, -1, filled, width, height, q, 1, tall, pad); /* the opening */
    for (int y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride, *close = near + (size_t)y * (size_t)width;
        uint8_t *out = filled + (size_t)y * (size_t)width;
        for (int x = 0; x < width; x++)
            out[x] = close[x] ? out[x] : row[x];
    }
}

/* The seed grid: the centres of the >= 90 % dark windows (side x side, from the integral image of the dark mask),
   binned on cells of at least `side`: per cell their count and x/y sums. Writes the grid size. */
static void seed_grid(const uint8_t *pixels, int width, int height, int stride, int threshold, int32_t *integral,
                      double *grid, int side, int *gw_out, int *gh_out)
{
    int w1 = width + 1;
    memset(integral, 0, sizeof(int32_t) * (size_t)w1);
    for (int y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        int32_t *above = integral + (size_t)y * (size_t)w1, *here = above + w1;
        int32_t run = 0;
        here[0] = 0;
        for (int x = 0; x < width; x++) {
            run += row[x] <= threshold;
            here[x + 1] = above[x + 1] + run;
        }
    }
    int nx = width - side + 1, ny = height - side + 1;
    int cell = side;
    if ((nx + GRID - 1) / GRID > cell)
        cell = (nx + GRID - 1) / GRID;
    if ((ny + GRID - 1) / GRID > cell)
        cell = (ny + GRID - 1) / GRID;
    int gw = (nx + cell - 1) / cell, gh = (ny + cell - 1) / cell;
    double *count = grid, *sum_x = grid + GRID * GRID, *sum_y = grid + 2 * GRID * GRID;
    memset(grid, 0, sizeof(double) * 3 * GRID * GRID);
    int32_t need = (int32_t)(0.9 * side * side + 0.5);
    for (int y = 0; y < ny; y++) {
        const int32_t *top = integral + (size_t)y * (size_t)w1, *bottom = top + (size_t)side * (size_t)w1;
        int gy = (y / cell) * gw;
        for (int x = 0; x < nx; x++) {
            int32_t dark = bottom[x + side] - bottom[x] - top[x + side] + top[x];
            if (dark >= need) {
                int g = gy + x / cell;
                count[g] += 1.0;
                sum_x[g] += x + side / 2.0;
                sum_y[g] += y + side / 2.0;
            }
        }
    }
    *gw_out = gw;
    *gh_out = gh;
}

/* The next pupil seed: the densest 3x3 block of cells not yet taken starts a mean shift (centroid of the untaken
   cells whose mean lies within `reach`); the cells within `reach` of the result are then taken. 0 if none left. */
static int next_seed(const double *grid, int gw, int gh, uint8_t *taken, double reach, double *cx, double *cy)
{
    const double *count = grid, *sum_x = grid + GRID * GRID, *sum_y = grid + 2 * GRID * GRID;
    int best = -1;
    double best_n = 0.0;
    for (int j = 0; j < gh; j++)
        for (int i = 0; i < gw; i++) {
            double n = 0.0;
            for (int dj = -1; dj <= 1; dj++)
                for (int di = -1; di <= 1; di++)
                    if (j + dj >= 0 && j + dj < gh && i + di >= 0 && i + di < gw && !taken[(j + dj) * gw + i + di])
                        n += count[(j + dj) * gw + i + di];
            if (n > best_n) {
                best_n = n;
                best = j * gw + i;
            }
        }
    if (best < 0)
        return 0;
    double x = 0.0, y = 0.0, n = 0.0;
    int bi = best % gw, bj = best / gw;
    for (int j = bj - 1; j <= bj + 1; j++)
        for (int i = bi - 1; i <= bi + 1; i++)
            if (j >= 0 && j < gh && i >= 0 && i < gw && !taken[j * gw + i]) {
                x += sum_x[j * gw + i];
                y += sum_y[j * gw + i];
                n += count[j * gw + i];
            }
    x /= n;
    y /= n;
    for (int step = 0; step < SHIFTS; step++) {
        double sx = 0.0, sy = 0.0, sn = 0.0;
        for (int g = 0; g < gw * gh; g++) {
            if (taken[g] || count[g] <= 0.0)
                continue;
            double mx = sum_x[g] / count[g], my = sum_y[g] / count[g];
            if ((mx - x) * (mx - x) + (my - y) * (my - y) <= reach * reach) {
                sx += sum_x[g];
                sy += sum_y[g];
                sn += count[g];
            }
        }
        if (sn <= 0.0)
            break;
        x = sx / sn;
        y = sy / sn;
    }
    for (int g = 0; g < gw * gh; g++) {
        if (count[g] <= 0.0)
            continue;
        double mx = sum_x[g] / count[g], my = sum_y[g] / count[g];
        if ((mx - x) * (mx - x) + (my - y) * (my - y) <= reach * reach)
            taken[g] = 1;
    }
    taken[best] = 1; /* never the same block twice */
    *cx = x;
    *cy = y;
    return 1;
}

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
    fill_reflections(pixels, width, height, stride, scratch);
    const uint8_t *opened = scratch;
    int threshold = dark_threshold(opened, width, height, width);
    out->dark_threshold = threshold;
    int side = min_side(width, height) / 16, gw, gh;
    seed_grid(opened, width, height, width, threshold, integral, profile, side, &gw, &gh);
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
    for (int seed = 0; seed < SEEDS && next_seed(profile, gw, gh, taken, 3.0 * side, &sx, &sy); seed++) {
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
