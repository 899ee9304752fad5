/* iris: histogram threshold, integral image of the dark mask, a coarse-grid mean shift for the pupil seed, rays
   with robust circle fits for the pupil and the limbus, one pass over the annulus. All buffers are the caller's
   (see iris.h) or small and on the stack; nothing is allocated here. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "iris.h"
#include "rank_filter.h"

#define TWO_PI 6.283185307179586
#define MIN_SIDE 32
#define STAY 5           /* a pupil edge: the grey stays above the dark threshold for STAY + 1 radii */
#define GRID 64          /* the seed grid has at most GRID x GRID cells */
#define SHIFTS 6         /* mean-shift steps for the pupil seed */
#define SPECULAR 240     /* grey at or above which a pixel is a reflection */
#define MIN_RISE 6.0     /* a limbus edge rises by at least this many grey levels */
#define TRIMS 4          /* trimming rounds of the robust fits */
#define SEEDS 3          /* pupil seeds tried */
#define LID_STEP 0.5     /* a lid is brighter than the iris by at least this share of the iris-sclera step */
#define RING_STEP 1.25   /* the limbus lies at least this far out of a ring inside the iris: the collarette lies about a
                            third of the way from pupil to limbus, so for pupil/iris ratios up to 0.7 (the score's
                            limit) the limbus is >= 3 / (1 + 2 x 0.7) = 1.25 times as far; measured against hand-drawn
                            circles of three databases (docs/architecture.md), 1.2 let rings beyond the limbus in */
#define CENTRE_PRIOR 0.1 /* the limbus's centre is near the pupil's (decentration is a few % of the iris radius), so
                            the last fit of r = R + a cos + b sin, on the kept rays, has a ridge of this weight per
                            ray on the offset (a, b): lids hide the rays that would fix the vertical offset, and
                            without it the fit took a lid's pull for one (hand-drawn circles, docs/architecture.md) */
#define OUTWARD 3        /* rings inside the iris (collarette, furrows) stepped over on the way to the limbus */
#define SMALLEST_IRIS 100.0 /* iris diameter (px) below which a candidate eye scores 0 (native/iris.py): a blob of
                               lashes with a ring around it is smaller than that, an eye the score accepts is not */

static int min_side(int width, int height) { return width < height ? width : height; }

int iris_integral_size(int width, int height) { return (width + 1) * (height + 1); }

/* Half the side of the square that the pupil stage's opening uses: reflections narrower than 2 q + 1 go. */
static int open_half(int width, int height)
{
    int q = min_side(width, height) / 48;
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

/* Solves the symmetric 3x3 system m p = v (Gaussian elimination, partial pivoting); 0 if singular. */
static int solve3(double m[3][3], double v[3], double p[3])
{
    for (int c = 0; c < 3; c++) {
        int piv = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        if (!(fabs(m[piv][c]) > 1e-12))
            return 0;
        if (piv != c) {
            for (int k = 0; k < 3; k++) {
                double t = m[c][k];
                m[c][k] = m[piv][k];
                m[piv][k] = t;
            }
            double t = v[c];
            v[c] = v[piv];
            v[piv] = t;
        }
        for (int r = c + 1; r < 3; r++) {
            double f = m[r][c] / m[c][c];
            for (int k = c; k < 3; k++)
                m[r][k] -= f * m[c][k];
            v[r] -= f * v[c];
        }
    }
    for (int c = 2; c >= 0; c--) {
        double s = v[c];
        for (int k = c + 1; k < 3; k++)
            s -= m[c][k] * p[k];
        p[c] = s / m[c][c];
    }
    return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

/* Least squares of rows (f0, f1, f2) -> t over the selected rows: the 3x3 normal equations. */
static void normal_add(double m[3][3], double v[3], double f0, double f1, double f2, double t)
{
    double f[3] = {f0, f1, f2};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            m[i][j] += f[i] * f[j];
        v[i] += f[i] * t;
    }
}

static double median_of(double *a, int n)
{
    for (int i = 1; i < n; i++) { /* insertion sort: n <= IRIS_RAYS */
        double t = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > t) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = t;
    }
    return (a[(n - 1) / 2] + a[n / 2]) / 2.0;
}

int iris_fit_circle(const double *x, const double *y, const uint8_t *valid, int n, double ox, double oy, double band,
                    double *cx, double *cy, double *radius, uint8_t *inlier)
{
    if (n <= 0 || n > IRIS_RAYS)
        return 0;
    double x0 = 0.0, y0 = 0.0, res[IRIS_RAYS], dist[IRIS_RAYS];
    int best = -1, best_count = 0;
    for (int i = 0; i < n; i++)
        dist[i] = hypot(x[i] - ox, y[i] - oy);
    for (int i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        int c = 0;
        for (int j = 0; j < n; j++)
            c += valid[j] && fabs(dist[j] - dist[i]) <= band;
        if (c > best_count) {
            best_count = c;
            best = i;
        }
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        inlier[i] = best >= 0 && valid[i] && fabs(dist[i] - dist[best]) <= band;
        if (inlier[i]) {
            x0 += x[i];
            y0 += y[i];
            count++;
        }
    }
    if (count < 6)
        return 0;
    x0 /= count;
    y0 /= count;
    for (int round = 0; round <= TRIMS; round++) {
        double m[3][3] = {{0}}, v[3] = {0}, p[3];
        for (int i = 0; i < n; i++) {
            if (!inlier[i])
                continue;
            double u = x[i] - x0, w = y[i] - y0;
            normal_add(m, v, u, w, 1.0, -(u * u + w * w));
        }
        if (!solve3(m, v, p))
            return 0;
        double r2 = p[0] * p[0] / 4.0 + p[1] * p[1] / 4.0 - p[2];
        if (!(r2 > 0.0))
            return 0;
        *cx = x0 - p[0] / 2.0;
        *cy = y0 - p[1] / 2.0;
        *radius = sqrt(r2);
        if (round == TRIMS)
            break;
        int k = 0;
        for (int i = 0; i < n; i++)
            if (inlier[i])
                res[k++] = fabs(hypot(x[i] - *cx, y[i] - *cy) - *radius);
        double keep = 3.0 * median_of(res, k), floor_keep = 0.05 * *radius > 1.5 ? 0.05 * *radius : 1.5;
        keep = keep > floor_keep ? keep : floor_keep;
        count = 0;
        for (int i = 0; i < n; i++) {
            inlier[i] = valid[i] && fabs(hypot(x[i] - *cx, y[i] - *cy) - *radius) <= keep;
            count += inlier[i];
        }
        if (count < 6)
            return 0;
    }
    return count;
}

int iris_fit_harmonic(const double *r, const uint8_t *valid, int n, double tol, double *radius, double *a, double *b,
                      uint8_t *inlier)
{
    if (n <= 0 || n > IRIS_RAYS)
        return 0;
    int best = -1, best_count = 0;
    for (int i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        int c = 0;
        for (int j = 0; j < n; j++)
            c += valid[j] && fabs(r[j] - r[i]) <= 2.0 * tol;
        if (c > best_count) {
            best_count = c;
            best = i;
        }
    }
    if (best < 0)
        return 0;
    int count = 0;
    for (int i = 0; i < n; i++) {
        inlier[i] = valid[i] && fabs(r[i] - r[best]) <= 2.0 * tol;
        count += inlier[i];
    }
    for (int round = 0; round <= TRIMS; round++) {
        if (count < 6)
            return 0;
        double m[3][3] = {{0}}, v[3] = {0}, p[3];
        for (int i = 0; i < n; i++)
            if (inlier[i])
                normal_add(m, v, 1.0, cos(TWO_PI * i / n), sin(TWO_PI * i / n), r[i]);
        if (round == TRIMS) { /* the last fit, on the kept rays, with the ridge: see CENTRE_PRIOR */
            m[1][1] += CENTRE_PRIOR * count;
            m[2][2] += CENTRE_PRIOR * count;
        }
        if (!solve3(m, v, p) || !(p[0] > 0.0))
            return 0;
        *radius = p[0];
        *a = p[1];
        *b = p[2];
        if (round == TRIMS)
            break;
        count = 0;
        for (int i = 0; i < n; i++) {
            double model = p[0] + p[1] * cos(TWO_PI * i / n) + p[2] * sin(TWO_PI * i / n);
            inlier[i] = valid[i] && fabs(r[i] - model) <= tol;
            count += inlier[i];
        }
    }
    return count;
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

/* The grey at radius r along the ray (c, s) from (cx, cy): nearest pixel, -1 outside the frame. */
static inline int ray_at(const uint8_t *pixels, int width, int height, int stride, double cx, double cy, double c,
                         double s, int r)
{
    int x = (int)floor(cx + r * c + 0.5), y = (int)floor(cy + r * s + 0.5);
    if (x < 0 || y < 0 || x >= width || y >= height)
        return -1;
    return pixels[(size_t)y * (size_t)stride + (size_t)x];
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
        double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
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

/* Mean grey of the valid samples at radii [r0, r1] along the rays with use[i] (all rays if use is NULL). */
static double ray_mean(const uint8_t *pixels, int width, int height, int stride, double cx, double cy,
                       const uint8_t *use, const int *r0, const int *r1)
{
    double s = 0.0;
    int64_t n = 0;
    for (int i = 0; i < IRIS_RAYS; i++) {
        if (use && !use[i])
            continue;
        double c = cos(TWO_PI * i / IRIS_RAYS), sn = sin(TWO_PI * i / IRIS_RAYS);
        for (int r = r0[i]; r <= r1[i]; r++) {
            int v = ray_at(pixels, width, height, stride, cx, cy, c, sn, r);
            if (v >= 0 && v < SPECULAR) {
                s += v;
                n++;
            }
        }
    }
    return n ? s / (double)n : 0.0;
}

/* Where a lid begins on each ray from the pupil. A lid comes in from outside the iris: scanned inward from the
   limbus, the lid lasts while at least half of the last 2 run_len samples are not iris grey (brighter than `bright`:
   skin, sclera; or darker than `dark`: lashes, the lid margin), and begins at the innermost such sample; it is a
   lid when at least `run_len` samples were brighter than `bright`. Infinity on a ray whose iris edge is not under
   a lid. Iris texture has bright and dark specks too, but sparse, and iris grey between them and the limbus. */
static void lid_starts(const uint8_t *pixels, int width, int height, int stride, const struct iris_metrics *m,
                       double dark, double bright, int run_len, double *lid)
{
    double a = m->iris_x - m->pupil_x, b = m->iris_y - m->pupil_y, raw[IRIS_RAYS];
    int window = 2 * run_len;
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
        int r0 = (int)(m->pupil_radius + 2.0), r1 = (int)(m->iris_radius + a * c + b * s);
        int lit = 0, odd = 0, innermost = -1;
        uint8_t flag[2 * 64]; /* the window's flags, circular; run_len <= 64 */
        for (int r = r1; r >= r0; r--) {
            int v = ray_at(pixels, width, height, stride, m->pupil_x, m->pupil_y, c, s, r);
            int is_odd = v > bright || (v >= 0 && v < dark), slot = (r1 - r) % window;
            if (r1 - r >= window)
                odd -= flag[slot];
            flag[slot] = (uint8_t)is_odd;
            odd += is_odd;
            if (r1 - r + 1 >= window && 2 * odd < window)
                break;
            if (is_odd)
                innermost = r;
            lit += v > bright;
        }
        raw[i] = lit >= run_len && innermost >= 0 ? innermost : HUGE_VAL;
    }
    /* a lid spans many rays: the median of five neighbouring rays drops a single ray run deep along a furrow */
    for (int i = 0; i < IRIS_RAYS; i++) {
        double w[5];
        for (int j = 0; j < 5; j++)
            w[j] = raw[(i + j - 2 + IRIS_RAYS) % IRIS_RAYS];
        lid[i] = median_of(w, 5);
    }
}

static void annulus(const uint8_t *pixels, int width, int height, int stride, struct iris_metrics *m)
{
    double inner = m->pupil_radius + 2.0, outer = m->iris_radius - 2.0;
    double occlude_lo = (m->pupil_grey + m->iris_grey) / 2.0;
    double lid[IRIS_RAYS];
    int run_len = (int)(m->pupil_radius / 8.0) > 3 ? (int)(m->pupil_radius / 8.0) : 3;
    lid_starts(pixels, width, height, stride, m, occlude_lo, m->iris_grey + LID_STEP * (m->sclera_grey - m->iris_grey),
               run_len < 64 ? run_len : 64, lid);
    double nearest_lid = HUGE_VAL;
    for (int i = 0; i < IRIS_RAYS; i++)
        nearest_lid = lid[i] < nearest_lid ? lid[i] : nearest_lid;
    int y0 = (int)floor(m->iris_y - outer), y1 = (int)ceil(m->iris_y + outer);
    int x0 = (int)floor(m->iris_x - outer), x1 = (int)ceil(m->iris_x + outer);
    int64_t total = 0, specular = 0, occluded = 0, usable = 0, lap_sum = 0, lap_sq = 0;
    for (int y = y0; y <= y1; y++) {
        int in_y = y >= 0 && y < height;
        const uint8_t *row = pixels + (size_t)(in_y ? y : 0) * (size_t)stride;
        double dy = y - m->iris_y, py = y - m->pupil_y;
        for (int x = x0; x <= x1; x++) {
            double dx = x - m->iris_x, px = x - m->pupil_x;
            if (dx * dx + dy * dy > outer * outer || px * px + py * py <= inner * inner)
                continue;
            total++;
            if (!in_y || x < 0 || x >= width) {
                occluded++; /* not captured */
                continue;
            }
            int v = row[x], inner_px = x >= 1 && y >= 1 && x < width - 1 && y < height - 1;
            /* lashes by the 3x3 mean (iris texture darker than the midpoint comes in specks); lids by the 3x3 mean
               and, on the pixel's ray, past where the lid begins (bright iris texture before that is iris) */
            double local = v;
            if (inner_px) {
                const uint8_t *up = row - stride, *down = row + stride;
                local = (up[x - 1] + up[x] + up[x + 1] + row[x - 1] + v + row[x + 1] + down[x - 1] + down[x] +
                         down[x + 1]) / 9.0;
            }
            int lidded = 0;
            double d2 = px * px + py * py;
            if (d2 >= nearest_lid * nearest_lid) { /* the angle only where some lid could reach */
                int ray = (int)floor(atan2(py, px) / TWO_PI * IRIS_RAYS + 0.5);
                ray = ((ray % IRIS_RAYS) + IRIS_RAYS) % IRIS_RAYS;
                lidded = d2 >= lid[ray] * lid[ray];
            }
            if (v >= SPECULAR) {
                specular++;
            } else if (lidded || local < occlude_lo) {
                occluded++;
            } else if (inner_px) {
                int lap = row[x - stride] + row[x + stride] + row[x - 1] + row[x + 1] - 4 * v;
                lap_sum += lap;
                lap_sq += (int64_t)lap * lap;
                usable++;
            }
        }
    }
    if (total == 0)
        return;
    double n = (double)total;
    m->specular_fraction = (double)specular / n;
    m->occluded_fraction = (double)occluded / n;
    m->usable_fraction = 1.0 - m->specular_fraction - m->occluded_fraction;
    if (usable > 0) {
        double u = (double)usable, mean = (double)lap_sum / u, var = (double)lap_sq / u - mean * mean;
        m->annulus_sharpness = var > 0.0 ? var : 0.0;
    }
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

/* The limbus around the pupil (px, py, pr): on each ray the steepest rise between 1.4 and 5 pupil radii, then
   r(theta) = R + a cos + b sin fitted robustly. A ring inside the iris (the collarette, where the pupillary zone
   meets the ciliary zone) can rise more steeply than a soft limbus and be seen on more rays, the limbus being
   under the lids at the top and bottom: so the steepest rise on each ray beyond that circle (by 2 tol) is fitted
   too, and a circle found there at >= RING_STEP R, seen on both sides (IRIS_RAYS / 32 rays each), with the sclera's
   step beyond it, is the limbus instead; up to OUTWARD times.
   Returns its inlier count (0: none, too few, or not outside the pupil) and writes R, a, b, the inliers and the
   number of rays with an edge. */
static int limbus(const uint8_t *pixels, int width, int height, int stride, double *profile, double px, double py,
                  double pr, int halo, double *ir, double *ia, double *ib, uint8_t *inlier, int *edges)
{
    int k = (int)(pr / 8.0) > 3 ? (int)(pr / 8.0) : 3;
    int l_lo = (int)(1.4 * pr), l_hi = (int)(5.0 * pr);
    int l_cap = (int)(0.6 * min_side(width, height));
    if (l_hi > l_cap)
        l_hi = l_cap;
    *edges = 0;
    if (l_lo + 2 > l_hi)
        return 0;
    double *grey = profile + 3 * GRID * GRID, *sum = grey + min_side(width, height) + 2;
    double *num = sum + min_side(width, height) + 2;
    double edge[IRIS_RAYS], tol = pr / 10.0 > 2.0 ? pr / 10.0 : 2.0;
    uint8_t valid[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        int e = limbus_edge(pixels, width, height, stride, px, py, cos(TWO_PI * i / IRIS_RAYS),
                            sin(TWO_PI * i / IRIS_RAYS), l_lo, l_hi, l_lo, k, halo, grey, sum, num);
        valid[i] = e >= 0;
        edge[i] = e;
        *edges += valid[i];
    }
    int n = iris_fit_harmonic(edge, valid, IRIS_RAYS, tol, ir, ia, ib, inlier);
    if (n < IRIS_RAYS / 6 || *ir <= pr)
        return 0;
    /* outward, ring by ring (a collarette, a furrow), while a ring qualifies */
    for (int step = 0; step < OUTWARD; step++) {
        double outer[IRIS_RAYS], r2, a2, b2;
        uint8_t outer_valid[IRIS_RAYS], outer_inlier[IRIS_RAYS];
        for (int i = 0; i < IRIS_RAYS; i++) {
            double c = cos(TWO_PI * i / IRIS_RAYS), s = sin(TWO_PI * i / IRIS_RAYS);
            int from = (int)ceil(*ir + *ia * c + *ib * s + 2.0 * tol);
            int e = from <= l_hi ? limbus_edge(pixels, width, height, stride, px, py, c, s, l_lo, l_hi, from, k, halo,
                                               grey, sum, num) : -1;
            outer_valid[i] = e >= 0;
            outer[i] = e;
        }
        int n2 = iris_fit_harmonic(outer, outer_valid, IRIS_RAYS, tol, &r2, &a2, &b2, outer_inlier), left;
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
            zone[z] = ray_mean(pixels, width, height, stride, px, py, outer_inlier, lo, hi);
        }
        if (zone[2] - zone[1] < zone[1] - zone[0])
            break;
        *ir = r2;
        *ia = a2;
        *ib = b2;
        memcpy(inlier, outer_inlier, sizeof outer_inlier);
        n = n2;
    }
    return n;
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
       and the candidate with the most agreeing rays, pupil and limbus together, wins - among those whose iris is
       at least SMALLEST_IRIS across if there are any */
    int p_lo = side / 8 > 2 ? side / 8 : 2, p_hi = (int)(0.3 * min_side(width, height));
    int halo = side / 3 > STAY ? side / 3 : STAY;
    uint8_t taken[GRID * GRID], inlier[IRIS_RAYS], best_inlier[IRIS_RAYS];
    memset(taken, 0, sizeof taken);
    double px = 0.0, py = 0.0, pr = 0.0, ir = 0.0, ia = 0.0, ib = 0.0, sx, sy;
    int pupil_n = 0, limbus_n = 0, edges = 0, best_big = 0;
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
        double lr, la, lb;
        int e, ln = limbus(pixels, width, height, stride, profile, x, y, r, halo, &lr, &la, &lb, inlier, &e);
        int big = 2.0 * lr >= SMALLEST_IRIS;
        if (ln > 0 && (big > best_big || (big == best_big && n + ln > pupil_n + limbus_n))) {
            best_big = big;
            pupil_n = n;
            limbus_n = ln;
            edges = e;
            px = x;
            py = y;
            pr = r;
            ir = lr;
            ia = la;
            ib = lb;
            memcpy(best_inlier, inlier, sizeof inlier);
        }
    }
    if (limbus_n == 0)
        return 0;
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
    /* zone greys along the rays: pupil on all rays, iris and sclera on the limbus inliers only (no lids) */
    int lo[IRIS_RAYS], hi[IRIS_RAYS];
    for (int i = 0; i < IRIS_RAYS; i++) {
        lo[i] = (int)(pr / 2.0);
        hi[i] = (int)pr - 2;
    }
    out->pupil_grey = ray_mean(opened, width, height, width, px, py, NULL, lo, hi); /* its reflections filled */
    for (int i = 0; i < IRIS_RAYS; i++) {
        double model = ir + ia * cos(TWO_PI * i / IRIS_RAYS) + ib * sin(TWO_PI * i / IRIS_RAYS);
        lo[i] = (int)(pr + (model - pr) / 4.0);
        hi[i] = (int)(model - (model - pr) / 4.0);
    }
    out->iris_grey = ray_mean(pixels, width, height, stride, px, py, inlier, lo, hi);
    for (int i = 0; i < IRIS_RAYS; i++) {
        double model = ir + ia * cos(TWO_PI * i / IRIS_RAYS) + ib * sin(TWO_PI * i / IRIS_RAYS);
        lo[i] = (int)model + 3;
        hi[i] = (int)model + 8;
    }
    out->sclera_grey = ray_mean(pixels, width, height, stride, px, py, inlier, lo, hi);
    out->pupil_contrast = (out->iris_grey - out->pupil_grey) / 255.0;
    out->iris_contrast = (out->sclera_grey - out->iris_grey) / 255.0;
    annulus(pixels, width, height, stride, out);
    return 0;
}
