/* iris_seed: the pupil stage's preparation - reflections filled, the dark threshold, the integral image of the
   dark mask binned on a coarse grid, and the mean-shift seeds from it (iris_parts.h; iris.c runs the pupil
   passes from each seed). */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include "iris_parts.h"
#include "rank_filter.h"

#define SHIFTS 6         /* mean-shift steps for the pupil seed */

/* Half the side of the square that the pupil stage's opening uses: reflections narrower than 2 q + 1 go. The
   square is the seed grid's window (side = min_side / SEED_PER_SIDE, q = side / 2): a sensor's ring of LED spots in the
   pupil, with its glow between the spots, is then filled as dark as the window that should seed on it (a third
   smaller square, min_side / 48 before, kept that glow above the dark threshold; docs/architecture.md). */
static int open_half(int width, int height)
{
    int q = min_side(width, height) / SEED_PER_SIDE / 2;
    return q > 1 ? q : 1;
}

/* The filled frame, the reflections' neighbourhood, and rank_square's workspaces. */
int iris_scratch_size(int width, int height)
{
    int q = open_half(width, height);
    return 2 * width * height + rank_square_tall_size(width, height, q) + rank_square_pad_size(width, q);
}

/* Threshold: a quarter of the way from the 0.5th-percentile grey to the mean grey. */
int iris_dark_threshold(const uint8_t *pixels, int width, int height, int stride)
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
void iris_fill_reflections(const uint8_t *pixels, int width, int height, int stride, uint8_t *scratch)
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
void iris_seed_grid(const uint8_t *pixels, int width, int height, int stride, int threshold, int32_t *integral,
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
int iris_next_seed(const double *grid, int gw, int gh, uint8_t *taken, double reach, double *cx, double *cy)
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
