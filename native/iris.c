/* iris: histogram threshold, integral image of the dark mask, radial profiles, one pass over the annulus.
   All buffers are the caller's (see iris.h); nothing is allocated here. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "iris.h"

#define ANGLES 128
#define TWO_PI 6.283185307179586
#define MIN_SIDE 32
#define STAY 5

static int max_radius(int width, int height) { return (width < height ? width : height) / 2; }

int iris_integral_size(int width, int height) { return (width + 1) * (height + 1); }

int iris_profile_size(int width, int height) { return 4 * (max_radius(width, height) + 1); }

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

/* Centroid of the centres of all windows that are at least 90 % dark; 0 if there is none. */
static int pupil_centre(const uint8_t *pixels, int width, int height, int stride, int threshold, int32_t *integral,
                        int side, double *cx, double *cy)
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
    int32_t need = (int32_t)(0.9 * side * side + 0.5);
    double sx = 0.0, sy = 0.0;
    int64_t n = 0;
    for (int y = 0; y + side <= height; y++) {
        const int32_t *top = integral + (size_t)y * (size_t)w1, *bottom = top + (size_t)side * (size_t)w1;
        for (int x = 0; x + side <= width; x++) {
            int32_t dark = bottom[x + side] - bottom[x] - top[x + side] + top[x];
            if (dark >= need) {
                sx += x + side / 2.0;
                sy += y + side / 2.0;
                n++;
            }
        }
    }
    if (n == 0)
        return 0;
    *cx = sx / (double)n;
    *cy = sy / (double)n;
    return 1;
}

/* Mean grey along circles of radius 0..rmax around (cx, cy): all angles, and the left/right sectors only. */
static void radial_profiles(const uint8_t *pixels, int width, int height, int stride, double cx, double cy, int rmax,
                            double *all, double *lateral)
{
    double *all_n = all + rmax + 1, *lat_n = lateral + rmax + 1;
    for (int r = 0; r <= rmax; r++)
        all[r] = all_n[r] = lateral[r] = lat_n[r] = 0.0;
    for (int a = 0; a < ANGLES; a++) {
        double c = cos(TWO_PI * a / ANGLES), s = sin(TWO_PI * a / ANGLES);
        int is_lateral = fabs(c) >= 0.7071;
        for (int r = 0; r <= rmax; r++) {
            int x = (int)floor(cx + r * c + 0.5), y = (int)floor(cy + r * s + 0.5);
            if (x < 0 || y < 0 || x >= width || y >= height)
                continue;
            double v = pixels[(size_t)y * (size_t)stride + (size_t)x];
            if (v >= 240.0)
                continue; /* reflections say nothing about where an edge is */
            all[r] += v;
            all_n[r] += 1.0;
            if (is_lateral) {
                lateral[r] += v;
                lat_n[r] += 1.0;
            }
        }
    }
    for (int r = 0; r <= rmax; r++) {
        all[r] = all_n[r] > 0.0 ? all[r] / all_n[r] : (r ? all[r - 1] : 0.0);
        lateral[r] = lat_n[r] > 0.0 ? lateral[r] / lat_n[r] : (r ? lateral[r - 1] : 0.0);
    }
}

static double mean_of(const double *p, int r0, int r1)
{
    double s = 0.0;
    int n = 0;
    for (int r = r0; r <= r1; r++, n++)
        s += p[r];
    return n ? s / n : 0.0;
}

/* The radius in [r0, r1] where the profile rises most steeply (p[r + 2] - p[r - 2]); r0 >= 2, r1 <= rmax - 2. */
static int steepest_rise(const double *p, int r0, int r1)
{
    int best = r0;
    double best_rise = -1e300;
    for (int r = r0; r <= r1; r++) {
        double rise = p[r + 2] - p[r - 2];
        if (rise > best_rise) {
            best_rise = rise;
            best = r;
        }
    }
    return best;
}

static void annulus(const uint8_t *pixels, int width, int height, int stride, struct iris_metrics *m)
{
    double inner = m->pupil_radius + 2.0, outer = m->iris_radius - 2.0;
    double occlude_hi = (m->iris_grey + m->sclera_grey) / 2.0, occlude_lo = (m->pupil_grey + m->iris_grey) / 2.0;
    int y0 = (int)floor(m->pupil_y - outer), y1 = (int)ceil(m->pupil_y + outer);
    int x0 = (int)floor(m->pupil_x - outer), x1 = (int)ceil(m->pupil_x + outer);
    y0 = y0 < 1 ? 1 : y0;
    x0 = x0 < 1 ? 1 : x0;
    y1 = y1 > height - 2 ? height - 2 : y1;
    x1 = x1 > width - 2 ? width - 2 : x1;
    int64_t total = 0, specular = 0, occluded = 0, lap_sum = 0, lap_sq = 0;
    for (int y = y0; y <= y1; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        double dy = y - m->pupil_y;
        for (int x = x0; x <= x1; x++) {
            double dx = x - m->pupil_x, d2 = dx * dx + dy * dy;
            if (d2 <= inner * inner || d2 > outer * outer)
                continue;
            int v = row[x];
            total++;
            if (v >= 240)
                specular++;
            else if (v > occlude_hi || v < occlude_lo)
                occluded++;
            int lap = row[x - stride] + row[x + stride] + row[x - 1] + row[x + 1] - 4 * v;
            lap_sum += lap;
            lap_sq += (int64_t)lap * lap;
        }
    }
    if (total == 0)
        return;
    double n = (double)total, mean = (double)lap_sum / n, var = (double)lap_sq / n - mean * mean;
    m->annulus_sharpness = var > 0.0 ? var : 0.0;
    m->specular_fraction = (double)specular / n;
    m->occluded_fraction = (double)occluded / n;
    m->usable_fraction = 1.0 - m->specular_fraction - m->occluded_fraction;
}

int iris_measure(const uint8_t *pixels, int width, int height, int stride, int32_t *integral, double *profile,
                 struct iris_metrics *out)
{
    if (!pixels || !integral || !profile || !out || width < MIN_SIDE || height < MIN_SIDE || stride < width)
        return -1;
    memset(out, 0, sizeof *out);
    int threshold = dark_threshold(pixels, width, height, stride);
    out->dark_threshold = threshold;
    int side = (width < height ? width : height) / 16;
    double cx, cy;
    if (!pupil_centre(pixels, width, height, stride, threshold, integral, side, &cx, &cy))
        return 0;
    int rmax = max_radius(width, height);
    double *all = profile, *lateral = profile + 2 * (rmax + 1);
    radial_profiles(pixels, width, height, stride, cx, cy, rmax, all, lateral);
    /* pupil edge: the first radius past half a window where the profile leaves the dark range for good (the
       next STAY radii too), refined to the steepest rise within 3 px of it */
    int cross = -1;
    for (int r = side / 2; r <= rmax - 2 - STAY && cross < 0; r++) {
        int k = 0;
        while (k <= STAY && all[r + k] > threshold)
            k++;
        if (k > STAY)
            cross = r;
    }
    if (cross < 0)
        return 0;
    int lo = cross - 3 < 2 ? 2 : cross - 3, hi = cross + 3 > rmax - 2 ? rmax - 2 : cross + 3;
    int rp = steepest_rise(all, lo, hi);
    int r0 = (int)(1.4 * rp), r1 = 5 * rp < rmax - 10 ? 5 * rp : rmax - 10;
    if (r0 + 1 > r1)
        return 0;
    int ri = steepest_rise(lateral, r0, r1);
    out->found = 1;
    out->pupil_x = cx;
    out->pupil_y = cy;
    out->pupil_radius = rp;
    out->iris_radius = ri;
    out->iris_diameter = 2 * ri;
    out->pupil_grey = mean_of(all, rp / 2, rp - 2 > rp / 2 ? rp - 2 : rp / 2);
    out->iris_grey = mean_of(lateral, rp + (ri - rp) / 4, ri - (ri - rp) / 4);
    out->sclera_grey = mean_of(lateral, ri + 3, ri + 8);
    out->pupil_contrast = (out->iris_grey - out->pupil_grey) / 255.0;
    out->iris_contrast = (out->sclera_grey - out->iris_grey) / 255.0;
    annulus(pixels, width, height, stride, out);
    return 0;
}
