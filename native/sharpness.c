/* sharpness: one pass over the interior with integer arithmetic; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "sharpness.h"

/* Pixels per chunk: the 32-bit partial sums of one chunk cannot overflow (1024 * 1020^2 < 2^31). */
#define CHUNK 1024

#ifdef __SSE2__
#include <emmintrin.h>

/* Sum and sum of squares of the Laplacian for x in [x0, x1), 16 pixels a step; returns the first x not done. */
static int lap_chunk_sse2(const uint8_t *up, const uint8_t *row, const uint8_t *down, int x0, int x1,
                          int32_t *sum, int32_t *sum_sq)
{
    const __m128i zero = _mm_setzero_si128(), ones = _mm_set1_epi16(1);
    __m128i acc = _mm_setzero_si128(), acc_sq = _mm_setzero_si128();
    int x = x0;
    for (; x + 16 <= x1; x += 16) {
        __m128i u = _mm_loadu_si128((const __m128i *)(up + x));
        __m128i d = _mm_loadu_si128((const __m128i *)(down + x));
        __m128i l = _mm_loadu_si128((const __m128i *)(row + x - 1));
        __m128i r = _mm_loadu_si128((const __m128i *)(row + x + 1));
        __m128i c = _mm_loadu_si128((const __m128i *)(row + x));
        __m128i lap_lo = _mm_add_epi16(_mm_add_epi16(_mm_unpacklo_epi8(u, zero), _mm_unpacklo_epi8(d, zero)),
                                       _mm_add_epi16(_mm_unpacklo_epi8(l, zero), _mm_unpacklo_epi8(r, zero)));
        __m128i lap_hi = _mm_add_epi16(_mm_add_epi16(_mm_unpackhi_epi8(u, zero), _mm_unpackhi_epi8(d, zero)),
                                       _mm_add_epi16(_mm_unpackhi_epi8(l, zero), _mm_unpackhi_epi8(r, zero)));
        lap_lo = _mm_sub_epi16(lap_lo, _mm_slli_epi16(_mm_unpacklo_epi8(c, zero), 2));
        lap_hi = _mm_sub_epi16(lap_hi, _mm_slli_epi16(_mm_unpackhi_epi8(c, zero), 2));
        acc = _mm_add_epi32(acc, _mm_madd_epi16(_mm_add_epi16(lap_lo, lap_hi), ones));
        acc_sq = _mm_add_epi32(acc_sq, _mm_add_epi32(_mm_madd_epi16(lap_lo, lap_lo), _mm_madd_epi16(lap_hi, lap_hi)));
    }
    int32_t lanes[4], lanes_sq[4];
    _mm_storeu_si128((__m128i *)lanes, acc);
    _mm_storeu_si128((__m128i *)lanes_sq, acc_sq);
    *sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
    *sum_sq = lanes_sq[0] + lanes_sq[1] + lanes_sq[2] + lanes_sq[3];
    return x;
}
#endif

double sharpness_laplacian_var(const uint8_t *pixels, int width, int height, int stride)
{
    if (!pixels || width < 3 || height < 3 || stride < width)
        return -1.0;
    int64_t sum = 0, sum_sq = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        for (int x0 = 1; x0 < width - 1; x0 += CHUNK) {
            int x1 = x0 + CHUNK < width - 1 ? x0 + CHUNK : width - 1;
            int32_t s = 0, sq = 0;
            int x = x0;
#ifdef __SSE2__
            /* Loads read up to row[x + 16], which stays inside the row because x + 16 <= x1 <= width - 1. */
            x = lap_chunk_sse2(up, row, down, x0, x1, &s, &sq);
#endif
            for (; x < x1; x++) {
                int32_t lap = (int32_t)up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * (int32_t)row[x];
                s += lap;
                sq += lap * lap;
            }
            sum += s;
            sum_sq += sq;
        }
    }
    double n = (double)(width - 2) * (double)(height - 2);
    double mean = (double)sum / n;
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
