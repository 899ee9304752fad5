/* sharpness: one read pass over the frame with integer arithmetic; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "sharpness.h"

/* Pixels per chunk: the 32-bit sum of squared Laplacians of one chunk cannot overflow (2048 * 1020^2 < 2^31). */
#define CHUNK 2048

/* The inner loop is plain C that GCC/Clang vectorise at -O3 (16-bit Laplacian, 32-bit sum of squares: pmaddwd
   on x86-64, NEON on arm64). The build has no -march=native (the kit's CPU may differ from the build machine's),
   so on x86-64 the loop is also compiled for AVX2 and the loader picks the version the CPU runs (target_clones,
   an ifunc); elsewhere the baseline vector unit only. */
#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef VECTOR_CLONES
#define VECTOR_CLONES
#endif

/* Sum of squared 4-neighbour Laplacians over n pixels of one row, given that row and the rows above and below
   (the rolling 3-row window); reads row[-1] and row[n]. n <= CHUNK. */
VECTOR_CLONES
static int32_t laplacian_sq_sum(const uint8_t *restrict up, const uint8_t *restrict row,
                                const uint8_t *restrict down, int n)
{
    int32_t sum_sq = 0;
    for (int x = 0; x < n; x++) {
        int16_t lap = (int16_t)(up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x]);
        sum_sq += lap * lap;
    }
    return sum_sq;
}

/* The sum of the Laplacian over the interior telescopes to the frame's border: each interior pixel's +1 as a
   neighbour and -4 as a centre cancel, leaving rows 0, 1, h-2, h-1 and columns 0, 1, w-2, w-1. O(w + h). */
static int64_t laplacian_sum(const uint8_t *pixels, int width, int height, int stride)
{
    const uint8_t *first = pixels, *second = pixels + stride;
    const uint8_t *before_last = pixels + (size_t)(height - 2) * (size_t)stride, *last = before_last + stride;
    int64_t sum = 0;
    for (int x = 1; x < width - 1; x++)
        sum += (int32_t)first[x] - second[x] - before_last[x] + last[x];
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        sum += (int32_t)row[0] - row[1] - row[width - 2] + row[width - 1];
    }
    return sum;
}

double sharpness_laplacian_var(const uint8_t *pixels, int width, int height, int stride)
{
    if (!pixels || width < 3 || height < 3 || stride < width)
        return -1.0;
    int64_t sum_sq = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        for (int x0 = 1; x0 < width - 1; x0 += CHUNK) {
            int n = width - 1 - x0 < CHUNK ? width - 1 - x0 : CHUNK;
            sum_sq += laplacian_sq_sum(up + x0, row + x0, down + x0, n);
        }
    }
    double n = (double)(width - 2) * (double)(height - 2);
    double mean = (double)laplacian_sum(pixels, width, height, stride) / n;
    double var = (double)sum_sq / n - mean * mean;
    return var > 0.0 ? var : 0.0;
}

int sharpness_compute(const uint8_t *pixels, int width, int height, int stride, struct sharpness *out)
{
    if (!pixels || !out || width < 3 || height < 3 || stride < width)
        return -1;
    int64_t lap_sum = 0, lap_sq = 0, ten_sum = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        int32_t row_lap = 0;
        int64_t row_sq = 0, row_ten = 0;
        for (int x = 1; x < width - 1; x++) {
            int32_t lap = up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x];
            int32_t gx = (up[x + 1] + 2 * row[x + 1] + down[x + 1]) - (up[x - 1] + 2 * row[x - 1] + down[x - 1]);
            int32_t gy = (down[x - 1] + 2 * down[x] + down[x + 1]) - (up[x - 1] + 2 * up[x] + up[x + 1]);
            row_lap += lap;
            row_sq += lap * lap;
            row_ten += gx * gx + gy * gy;
        }
        lap_sum += row_lap;
        lap_sq += row_sq;
        ten_sum += row_ten;
    }
    double n = (double)(width - 2) * (double)(height - 2);
    double mean = (double)lap_sum / n;
    double var = (double)lap_sq / n - mean * mean;
    out->laplacian_var = var > 0.0 ? var : 0.0;
    out->tenengrad = (double)ten_sum / n;
    return 0;
}
