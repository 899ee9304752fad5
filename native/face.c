/* face: one pass over the face box and one over the background band; no buffers, so no allocation per frame. */
#include <math.h>
#include <stddef.h>
#include "face.h"
#include "sharpness.h"

static void box_exposure(const uint8_t *grey, int stride, const struct face_box *b, struct face_metrics *out)
{
    uint64_t sum = 0, sum_sq = 0, dark = 0, bright = 0;
    for (int y = b->y; y < b->y + b->height; y++) {
        const uint8_t *row = grey + (size_t)y * (size_t)stride;
        uint32_t s = 0, d = 0, br = 0;
        uint64_t sq = 0;
        for (int x = b->x; x < b->x + b->width; x++) {
            uint32_t v = row[x];
            s += v;
            sq += v * v;
            d += v <= 5;
            br += v >= 250;
        }
        sum += s;
        sum_sq += sq;
        dark += d;
        bright += br;
    }
    double n = (double)b->width * (double)b->height;
    double mean = (double)sum / n;
    double var = (double)sum_sq / n - mean * mean;
    out->mean = mean;
    out->stddev = var > 0.0 ? sqrt(var) : 0.0;
    out->dark_fraction = (double)dark / n;
    out->bright_fraction = (double)bright / n;
}

static int clamp(int v, int lo, int hi) { return v < lo ? lo : v > hi ? hi : v; }

static void background_band(const uint8_t *grey, int grey_stride, const uint8_t *bgr, int bgr_stride, int width,
                            const struct face_box *b, int border, struct face_metrics *out)
{
    /* the head's columns (the box grown sideways by a quarter of its width) are left out up to the top: hair */
    int ex0 = clamp(b->x - b->width / 4, 0, width), ex1 = clamp(b->x + b->width + b->width / 4, 0, width);
    int bottom = b->y + b->height;
    uint64_t n = 0, sum = 0, sum_sq = 0, sb = 0, sg = 0, sr = 0, red = 0, blue = 0;
    for (int y = 0; y < bottom; y++) {
        const uint8_t *g_row = grey + (size_t)y * (size_t)grey_stride;
        const uint8_t *c_row = bgr + (size_t)y * (size_t)bgr_stride;
        int top_band = y < border;
        for (int x = 0; x < width; x++) {
            int in_band = top_band || x < border || x >= width - border;
            if (!in_band) {
                x = width - border - 1; /* skip the middle of a row that is not in the top band */
                continue;
            }
            if (x >= ex0 && x < ex1)
                continue;
            uint32_t v = g_row[x], cb = c_row[3 * x], cg = c_row[3 * x + 1], cr = c_row[3 * x + 2];
            n++;
            sum += v;
            sum_sq += v * v;
            sb += cb;
            sg += cg;
            sr += cr;
            red += cr >= 90 && 2 * cr >= 3 * cg && 2 * cr >= 3 * cb;
            blue += cb >= 90 && 2 * cb >= 3 * cr && 10 * cb >= 11 * cg;
        }
    }
    out->bg_pixels = (int64_t)n;
    if (n == 0) {
        out->bg_mean_b = out->bg_mean_g = out->bg_mean_r = out->bg_stddev = 0.0;
        out->bg_red_fraction = out->bg_blue_fraction = 0.0;
        return;
    }
    double dn = (double)n, mean = (double)sum / dn, var = (double)sum_sq / dn - mean * mean;
    out->bg_mean_b = (double)sb / dn;
    out->bg_mean_g = (double)sg / dn;
    out->bg_mean_r = (double)sr / dn;
    out->bg_stddev = var > 0.0 ? sqrt(var) : 0.0;
    out->bg_red_fraction = (double)red / dn;
    out->bg_blue_fraction = (double)blue / dn;
}

int face_measure(const uint8_t *grey, int grey_stride, const uint8_t *bgr, int bgr_stride, int width, int height,
                 const struct face_box *box, int border, struct face_metrics *out)
{
    if (!grey || !bgr || !box || !out || width < 3 || height < 3 || grey_stride < width ||
        bgr_stride < 3 * width || border < 0)
        return -1;
    if (box->width < 3 || box->height < 3 || box->x < 0 || box->y < 0 || box->x > width - box->width ||
        box->y > height - box->height)
        return -1;
    const uint8_t *origin = grey + (size_t)box->y * (size_t)grey_stride + (size_t)box->x;
    out->sharpness = sharpness_laplacian_var(origin, box->width, box->height, grey_stride);
    box_exposure(grey, grey_stride, box, out);
    background_band(grey, grey_stride, bgr, bgr_stride, width, box, border, out);
    return 0;
}
