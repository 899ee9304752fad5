/* fingerprint: block metrics in two passes per block (integer sums, then the ridge profile of foreground blocks);
   no allocation: per-block arrays are the caller's workspace, the rest is on the stack. */
#include <math.h>
#include <stddef.h>
#include "fingerprint.h"

#define MAX_BLOCK 64
/* 3x3 Sobel is 8x the derivative at low frequency: a sinusoid of period P has mean squared Sobel gradient
   64 (2 pi / P)^2 var, so P = 16 pi sqrt(var / mean squared gradient). */
#define PERIOD_GAIN (16.0 * 3.14159265358979323846)
#define MAX_CANDIDATES 32
/* Touching fingers: a component is split at a column whose foreground count is at most SPLIT_RATIO of the highest
   column on its lower side, leaving at least SPLIT_MIN_WIDTH columns (8 blocks = 128 px at 500 ppi) each side. */
#define SPLIT_RATIO 0.75
#define SPLIT_MIN_WIDTH 8

static int params_ok(const struct fingerprint_params *p)
{
    return p && p->block >= 8 && p->block <= MAX_BLOCK && p->foreground_min_std >= 0.0 &&
           p->ridge_min_crossings >= 0 && p->segment_min_quality >= 0.0 && p->segment_min_blocks >= 1 &&
           p->print_blocks >= 1;
}

static inline int32_t sobel_x(const uint8_t *up, const uint8_t *row, const uint8_t *down, int x)
{
    return (up[x + 1] + 2 * row[x + 1] + down[x + 1]) - (up[x - 1] + 2 * row[x - 1] + down[x - 1]);
}

static inline int32_t sobel_y(const uint8_t *up, const uint8_t *down, int x)
{
    return (down[x - 1] + 2 * down[x] + down[x + 1]) - (up[x - 1] + 2 * up[x] + up[x + 1]);
}

/* Second pass over a foreground block: clarity, ridge-valley separation and mean crossings of the profile taken
   across the ridges (pixels binned by their 1-px distance along the gradient direction from the block centre). */
static void ridge_profile(const uint8_t *pixels, int stride, int x0, int y0, int b, int64_t s, int64_t ss,
                          int64_t gxx, int64_t gyy, int64_t gxy, double *clarity, double *contrast, int *crossings)
{
    int64_t bin_n[2 * MAX_BLOCK] = {0}, bin_s[2 * MAX_BLOCK] = {0};
    int64_t n = (int64_t)b * b, dark_n = 0, dark_s = 0;
    double d = (double)(gxx - gyy), e = 2.0 * (double)gxy, r = sqrt(d * d + e * e);
    double c = 1.0, sn = 0.0;
    if (r > 0.0) { /* unit gradient direction from the doubled angle, by half-angle formulas */
        double c2 = d / r;
        c = sqrt((1.0 + c2) / 2.0);
        sn = copysign(sqrt(fmax(0.0, (1.0 - c2) / 2.0)), e);
    }
    double half = (b - 1) / 2.0;
    for (int y = 0; y < b; y++) {
        const uint8_t *row = pixels + (size_t)(y0 + y) * (size_t)stride + x0;
        double dy = y - half;
        for (int x = 0; x < b; x++) {
            double t = (x - half) * c + dy * sn; /* |t| < b / sqrt(2), so the bin is in [0, 2b) */
            int bin = (int)(t + b); /* t + b > 0, so truncation is floor (no libm call per pixel) */
            bin_n[bin]++;
            bin_s[bin] += row[x];
            if ((int64_t)row[x] * n <= s) {
                dark_n++;
                dark_s += row[x];
            }
        }
    }
    double between = 0.0;
    int last_sign = -1, cross = 0;
    for (int i = 0; i < 2 * b; i++) {
        if (!bin_n[i])
            continue;
        between += (double)bin_s[i] * (double)bin_s[i] / (double)bin_n[i];
        if (bin_n[i] * 4 >= b) { /* only bins of at least b/4 pixels count for crossings */
            int sign = bin_s[i] * n - s * bin_n[i] >= 0;
            if (last_sign >= 0 && sign != last_sign)
                cross++;
            last_sign = sign;
        }
    }
    double total = (double)ss - (double)s * (double)s / (double)n;
    between -= (double)s * (double)s / (double)n;
    *clarity = total > 0.0 ? fmin(1.0, fmax(0.0, between / total)) : 0.0;
    int64_t light_n = n - dark_n, light_s = s - dark_s;
    *contrast = (dark_n && light_n) ? (double)light_s / (double)light_n - (double)dark_s / (double)dark_n : 0.0;
    *crossings = cross;
}

/* Ridge period variety over the interior blocks (every one of the 8 neighbours has a period too, so no print
   outline, mask edge or frame edge is inside): the mean and standard deviation of ln period. A finger's period
   changes across the print (closer ridges near the core and the tip); a grating's or rings' does not. */
static void period_variety(const struct fingerprint_workspace *ws, struct fingerprint_quality *out)
{
    int w = ws->blocks_x, h = ws->blocks_y, count = 0;
    double sum = 0.0, sum_sq = 0.0;
    for (int y = 1; y < h - 1; y++) {
        for (int x = 1; x < w - 1; x++) {
            const double *p = ws->period + (size_t)y * (size_t)w + x;
            if (!(p[-w - 1] > 0.0 && p[-w] > 0.0 && p[-w + 1] > 0.0 && p[-1] > 0.0 && p[0] > 0.0 && p[1] > 0.0 &&
                  p[w - 1] > 0.0 && p[w] > 0.0 && p[w + 1] > 0.0))
                continue;
            double l = log(p[0]);
            sum += l;
            sum_sq += l * l;
            count++;
        }
    }
    double mean = count ? sum / count : 0.0;
    out->interior_blocks = count;
    out->ridge_period = count ? exp(mean) : 0.0;
    out->period_spread = count ? sqrt(fmax(0.0, sum_sq / count - mean * mean)) : 0.0;
}

int fingerprint_measure(const uint8_t *pixels, int width, int height, int stride,
                        const struct fingerprint_params *params, struct fingerprint_workspace *ws,
                        struct fingerprint_quality *out)
{
    if (!pixels || !ws || !out || !params_ok(params) || width < 1 || height < 1 || stride < width)
        return -1;
    int b = params->block, bx_n = width / b, by_n = height / b;
    if (bx_n < 1 || by_n < 1)
        return -1;
    if (ws->blocks_x != bx_n || ws->blocks_y != by_n || !ws->mask || !ws->coherence || !ws->clarity ||
        !ws->contrast || !ws->quality || !ws->period)
        return -2;
    int64_t n = (int64_t)b * b;
    double min_var = params->foreground_min_std * params->foreground_min_std;
    int fg = 0, ridge = 0, oriented = 0;
    double sum_coh = 0.0, sum_clar = 0.0, sum_con = 0.0, sum_q = 0.0, sum_u = 0.0, sum_v = 0.0;
    for (int by = 0; by < by_n; by++) {
        for (int bx = 0; bx < bx_n; bx++) {
            int x0 = bx * b, y0 = by * b, k = by * bx_n + bx;
            int64_t s = 0, ss = 0, gxx = 0, gyy = 0, gxy = 0;
            for (int y = y0; y < y0 + b; y++) {
                const uint8_t *row = pixels + (size_t)y * (size_t)stride;
                int32_t rs = 0, rss = 0; /* at most 64 * 255^2 */
                for (int x = x0; x < x0 + b; x++) {
                    rs += row[x];
                    rss += row[x] * row[x];
                }
                s += rs;
                ss += rss;
                if (y < 1 || y >= height - 1)
                    continue;
                const uint8_t *up = row - stride, *down = row + stride;
                int xa = x0 < 1 ? 1 : x0, xb = x0 + b < width - 1 ? x0 + b : width - 1;
                int32_t rxx = 0, ryy = 0, rxy = 0; /* one block row: at most 64 * 1020^2 < 2^31 */
                for (int x = xa; x < xb; x++) {
                    int32_t gx = sobel_x(up, row, down, x), gy = sobel_y(up, down, x);
                    rxx += gx * gx;
                    ryy += gy * gy;
                    rxy += gx * gy;
                }
                gxx += rxx;
                gyy += ryy;
                gxy += rxy;
            }
            double d = (double)(gxx - gyy), e = 2.0 * (double)gxy, energy = (double)(gxx + gyy);
            double coh = energy > 0.0 ? sqrt(d * d + e * e) / energy : 0.0;
            double var = ((double)ss * (double)n - (double)s * (double)s) / ((double)n * (double)n);
            ws->coherence[k] = coh;
            ws->mask[k] = var >= min_var && var > 0.0;
            ws->clarity[k] = ws->contrast[k] = ws->quality[k] = ws->period[k] = 0.0;
            if (!ws->mask[k])
                continue;
            int crossings;
            ridge_profile(pixels, stride, x0, y0, b, s, ss, gxx, gyy, gxy, &ws->clarity[k], &ws->contrast[k],
                          &crossings);
            if (crossings >= params->ridge_min_crossings) {
                ws->quality[k] = coh * ws->clarity[k];
                ws->mask[k] |= 4;
                ridge++;
                double r = sqrt(d * d + e * e);
                if (r > 0.0) { /* unit doubled-angle vector: orientation, with 0 and 180 degrees the same */
                    sum_u += d / r;
                    sum_v += e / r;
                    oriented++;
                }
                if (energy > 0.0) /* var / mean squared gradient = (period / 2 pi)^2 / 64 for a sinusoid */
                    ws->period[k] = PERIOD_GAIN * sqrt(var * (double)n / energy);
                if (ws->quality[k] >= params->segment_min_quality)
                    ws->mask[k] |= 2;
            }
            fg++;
            sum_coh += coh;
            sum_clar += ws->clarity[k];
            sum_con += ws->contrast[k];
            sum_q += ws->quality[k];
        }
    }
    int all = bx_n * by_n;
    out->blocks_x = bx_n;
    out->blocks_y = by_n;
    out->foreground_blocks = fg;
    out->foreground_fraction = (double)fg / all;
    out->coherence = fg ? sum_coh / fg : 0.0;
    out->clarity = fg ? sum_clar / fg : 0.0;
    out->contrast = fg ? sum_con / fg : 0.0;
    out->ridge_fraction = fg ? (double)ridge / fg : 0.0;
    int area = all < params->print_blocks ? all : params->print_blocks;
    out->ridge_quality = sum_q / (fg > area ? fg : area);
    out->present = fg > 0 && out->foreground_fraction >= params->present_min_fraction &&
                   sum_q / fg >= params->present_min_quality && out->contrast >= params->present_min_contrast;
    out->ridge_blocks = ridge;
    out->oriented_blocks = oriented;
    out->orientation_resultant = oriented ? sqrt(sum_u * sum_u + sum_v * sum_v) / oriented : 0.0;
    period_variety(ws, out);
    return 0;
}

struct component {
    int32_t label;
    int min_x, max_x, min_y, max_y, blocks;
    double sum_x, sum_y;
};

static void add_block(struct component *c, int x, int y)
{
    c->blocks++;
    c->sum_x += x;
    c->sum_y += y;
    c->min_x = x < c->min_x ? x : c->min_x;
    c->max_x = x > c->max_x ? x : c->max_x;
    c->min_y = y < c->min_y ? y : c->min_y;
    c->max_y = y > c->max_y ? y : c->max_y;
}

/* Flood-fills the component at block k with label, from ws->stack; returns its extent. */
static struct component fill(struct fingerprint_workspace *ws, int k, int32_t label)
{
    int w = ws->blocks_x, h = ws->blocks_y, top = 0;
    struct component c = {label, k % w, k % w, k / w, k / w, 0, 0.0, 0.0};
    ws->labels[k] = label;
    ws->stack[top++] = k;
    while (top) {
        int cur = ws->stack[--top], x = cur % w, y = cur / w;
        add_block(&c, x, y);
        int next[4] = {x > 0 ? cur - 1 : -1, x < w - 1 ? cur + 1 : -1, y > 0 ? cur - w : -1, y < h - 1 ? cur + w : -1};
        for (int i = 0; i < 4; i++) {
            if (next[i] >= 0 && (ws->mask[next[i]] & 2) && !ws->labels[next[i]]) {
                ws->labels[next[i]] = label; /* labelled on push, so each block is pushed once */
                ws->stack[top++] = next[i];
            }
        }
    }
    return c;
}

/* The blocks of component c's label within columns [x0, x1]. */
static struct component piece(const struct fingerprint_workspace *ws, const struct component *c, int x0, int x1)
{
    struct component p = {c->label, x1, x0, c->max_y, c->min_y, 0, 0.0, 0.0};
    for (int y = c->min_y; y <= c->max_y; y++)
        for (int x = x0; x <= x1; x++)
            if (ws->labels[y * ws->blocks_x + x] == c->label)
                add_block(&p, x, y);
    return p;
}

/* The column to split c at (deepest valley of its column profile, see SPLIT_RATIO), or -1. ws->stack is free
   after labelling and holds the profile. */
static int valley(struct fingerprint_workspace *ws, const struct component *c)
{
    int32_t *count = ws->stack;
    for (int x = c->min_x; x <= c->max_x; x++)
        count[x] = 0;
    for (int y = c->min_y; y <= c->max_y; y++)
        for (int x = c->min_x; x <= c->max_x; x++)
            count[x] += ws->labels[y * ws->blocks_x + x] == c->label;
    int best = -1;
    double best_ratio = SPLIT_RATIO;
    for (int x = c->min_x + SPLIT_MIN_WIDTH; x <= c->max_x - SPLIT_MIN_WIDTH; x++) {
        int left = 0, right = 0;
        for (int i = c->min_x; i < x; i++)
            left = count[i] > left ? count[i] : left;
        for (int i = x + 1; i <= c->max_x; i++)
            right = count[i] > right ? count[i] : right;
        double ratio = (double)count[x] / (left < right ? left : right);
        if (ratio <= best_ratio && (best < 0 || ratio < best_ratio)) {
            best = x;
            best_ratio = ratio;
        }
    }
    return best;
}

/* Keeps the MAX_CANDIDATES largest components, sorted by size (largest first). */
static void keep(struct component *cand, int *n, struct component c)
{
    int i;
    if (*n < MAX_CANDIDATES)
        i = (*n)++;
    else if (cand[MAX_CANDIDATES - 1].blocks < c.blocks)
        i = MAX_CANDIDATES - 1;
    else
        return;
    for (; i > 0 && cand[i - 1].blocks < c.blocks; i--)
        cand[i] = cand[i - 1];
    cand[i] = c;
}

/* Same finger: the column ranges overlap by at least half the narrower one, the vertical gap is at most 4 blocks,
   and neither piece is a speck (under a quarter of the minimum finger). */
static int same_finger(const struct component *a, const struct component *b, int min_blocks)
{
    int piece = min_blocks / 4 > 2 ? min_blocks / 4 : 2;
    if (a->blocks < piece || b->blocks < piece)
        return 0;
    int gap = a->min_y > b->max_y ? a->min_y - b->max_y - 1 : b->min_y - a->max_y - 1;
    int lo = a->min_x > b->min_x ? a->min_x : b->min_x, hi = a->max_x < b->max_x ? a->max_x : b->max_x;
    int narrow = a->max_x - a->min_x < b->max_x - b->min_x ? a->max_x - a->min_x : b->max_x - b->min_x;
    return gap <= 4 && hi >= lo && 2 * (hi - lo + 1) >= narrow + 1;
}

int fingerprint_segment(const struct fingerprint_params *params, struct fingerprint_workspace *ws,
                        struct fingerprint_box *boxes, int max_boxes, int *count)
{
    if (!params_ok(params) || !ws || !boxes || !count || max_boxes < 1 || ws->blocks_x < 1 || ws->blocks_y < 1 ||
        !ws->mask || !ws->labels || !ws->stack)
        return -1;
    int all = ws->blocks_x * ws->blocks_y, n = 0;
    struct component cand[MAX_CANDIDATES];
    for (int k = 0; k < all; k++)
        ws->labels[k] = 0;
    int32_t label = 0;
    for (int k = 0; k < all; k++)
        if ((ws->mask[k] & 2) && !ws->labels[k])
            keep(cand, &n, fill(ws, k, ++label));
    /* Split touching fingers at column valleys (the right part is queued and may split again). */
    for (int i = 0; i < n; i++) {
        int v;
        while (n < MAX_CANDIDATES && (v = valley(ws, &cand[i])) >= 0) {
            struct component whole = cand[i];
            cand[i] = piece(ws, &whole, whole.min_x, v);
            cand[n++] = piece(ws, &whole, v + 1, whole.max_x);
        }
    }
    /* Merge components that share their columns: one finger cut by a crease or a pale band. */
    for (int merged = 1; merged;) {
        merged = 0;
        for (int i = 0; i < n && !merged; i++) {
            for (int j = i + 1; j < n && !merged; j++) {
                if (!same_finger(&cand[i], &cand[j], params->segment_min_blocks))
                    continue;
                struct component *a = &cand[i], *z = &cand[j];
                a->min_x = z->min_x < a->min_x ? z->min_x : a->min_x;
                a->max_x = z->max_x > a->max_x ? z->max_x : a->max_x;
                a->min_y = z->min_y < a->min_y ? z->min_y : a->min_y;
                a->max_y = z->max_y > a->max_y ? z->max_y : a->max_y;
                a->blocks += z->blocks;
                a->sum_x += z->sum_x;
                a->sum_y += z->sum_y;
                cand[j] = cand[--n];
                merged = 1;
            }
        }
    }
    /* Drop specks, keep the largest max_boxes, then order left to right by centre. */
    int kept = 0;
    for (int i = 0; i < n; i++)
        if (cand[i].blocks >= params->segment_min_blocks)
            cand[kept++] = cand[i];
    for (int i = 1; i < kept; i++) /* by size, largest first */
        for (int j = i; j > 0 && cand[j - 1].blocks < cand[j].blocks; j--) {
            struct component t = cand[j];
            cand[j] = cand[j - 1];
            cand[j - 1] = t;
        }
    kept = kept < max_boxes ? kept : max_boxes;
    for (int i = 1; i < kept; i++)
        for (int j = i; j > 0 && cand[j - 1].sum_x * cand[j].blocks > cand[j].sum_x * cand[j - 1].blocks; j--) {
            struct component t = cand[j];
            cand[j] = cand[j - 1];
            cand[j - 1] = t;
        }
    int b = params->block;
    for (int i = 0; i < kept; i++) {
        const struct component *c = &cand[i];
        boxes[i].x = c->min_x * b;
        boxes[i].y = c->min_y * b;
        boxes[i].width = (c->max_x - c->min_x + 1) * b;
        boxes[i].height = (c->max_y - c->min_y + 1) * b;
        boxes[i].area = c->blocks * b * b;
        boxes[i].centre_x = (c->sum_x / c->blocks + 0.5) * b;
        boxes[i].centre_y = (c->sum_y / c->blocks + 0.5) * b;
    }
    *count = kept;
    return 0;
}
