/* sharpness: one read pass over the frame with integer arithmetic; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "sharpness.h"

/* Pixels per chunk: the 32-bit sum of squared Laplacians of one chunk cannot overflow (2048 * 1020^2 < 2^31). */
#define CHUNK 2048

/* Sum of squared 4-neighbour Laplacians over n pixels of one row, given that row and the rows above and below
   (the rolling 3-row window); reads row[-1] and row[n]. n <= CHUNK. Plain C (16-bit Laplacian, 32-bit sum of
   squares), the reference the vector versions below are tested against, and the path on CPUs without them. */
static int32_t laplacian_sq_sum_plain(const uint8_t *restrict up, const uint8_t *restrict row,
                                      const uint8_t *restrict down, int n)
{
    int32_t sum_sq = 0;
    for (int x = 0; x < n; x++) {
        int16_t lap = (int16_t)(up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x]);
        sum_sq += lap * lap;
    }
    return sum_sq;
}

/* The frame's sum of squared Laplacians over rows 1..height-2 and columns 1..width-2, row by row with the plain
   kernel, in chunks of at most CHUNK pixels. */
static int64_t rows_plain(const uint8_t *pixels, int width, int height, int stride)
{
    int64_t sum_sq = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        for (int x0 = 1; x0 < width - 1; x0 += CHUNK) {
            int n = width - 1 - x0 < CHUNK ? width - 1 - x0 : CHUNK;
            sum_sq += laplacian_sq_sum_plain(up + x0, up + stride + x0, up + 2 * (size_t)stride + x0, n);
        }
    }
    return sum_sq;
}

typedef int64_t (*frame_kernel)(const uint8_t *, int, int, int);

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The vector levels walk the frame in bands of BAND_ROWS rows, one vector column at a time down the band. They
   never widen bytes with shuffles (one shuffle port on most x86 cores): each 16-bit lane of a plain load holds two
   pixels, an even one in its low byte (and 0x00ff) and the odd one after it in its high byte (shift 8). Each row
   is split so once, when the walk reaches it, and its halves serve three times: as the row below, the row itself
   and the row above. With the row's loads at x - 1 and x + 1:
     even pixel: left - 4 c  = maddubs(load at x - 1, (1, -4)),  right = the row's own odd half
     odd pixel:  -4 c + right = maddubs(load at x + 1, (-4, 1)),  left  = the row's own even half
   plus the halves of the rows above and below: 12 vector operations and 3 loads per vector of pixels, where a row
   at a time took 16 and 5 (each row split anew for each of its three uses). Every sum is exact in 16 bits
   (|lap| <= 1020); pmaddwd (AVX2) or vpdpwssd (AVX-512 VNNI, into two accumulators so their latencies overlap)
   squares and adds pairs into 32-bit lanes, which a band keeps far below 2^31 (BAND_ROWS * 2 * 1020^2 per lane)
   and which are widened to 64 bits after each column. The last column of a row ends at the row's end with the
   lanes of pixels already counted (its first k) set to zero. While a band is walked, the same column of the band
   after it is prefetched: a fresh frame's next rows come from memory meanwhile (bands of 8 rows measured best of 4,
   8, 12 and 16; a non-temporal hint was 2-3x slower on fresh frames). Measured in C against the row-at-a-time
   vectors on an AVX-512 Xeon, 1920x1080 to 640x480: 1.3-1.45x with the frame in cache, 1.3-1.8x on fresh frames
   (1.35-1.6 read passes of a vpsadbw loop); from Python, docs/architecture.md "Benchmarks". The build has no
   -march=native: each level is compiled for its own target and picked at run time by what the CPU reports
   (pick_frame_kernel). */
#define BAND_ROWS 8

/* One band walk over P-bit vectors of W pixels: the shared operations by their P-bit names (_mm256_..., _mm512_...),
   the ones that differ (the last column's mask, the squares, their flush) from the *_256 / *_512 macros below. */
#define BAND_WALK(P, W)                                                                                            \
    const __m##P##i low = _mm##P##_set1_epi16(0x00ff), left_w = _mm##P##_set1_epi16((short)0xfc01),              \
                    right_w = _mm##P##_set1_epi16((short)0x01fc); /* (1, -4) and (-4, 1), low byte first */     \
    const int n = width - 2;                                                                                       \
    __m##P##i total = _mm##P##_setzero_si##P();                                                                    \
    for (int y0 = 1; y0 < height - 1; y0 += BAND_ROWS) {                                                           \
        const int y1 = y0 + BAND_ROWS < height - 1 ? y0 + BAND_ROWS : height - 1;                                  \
        for (int x = 0; x < n; x += (W)) {                                                                         \
            const int start = x + (W) <= n ? x : n - (W), k = x - start;                                          \
            KEEP_FROM_##P((k + 1) / 2, k / 2); /* even lane i is pixel 2i, odd lane i pixel 2i + 1 */             \
            const uint8_t *column = pixels + 1 + start;                                                            \
            __m##P##i above = LOAD(P, column + (size_t)(y0 - 1) * (size_t)stride);                                 \
            __m##P##i here = LOAD(P, column + (size_t)y0 * (size_t)stride);                                        \
            __m##P##i even_above = _mm##P##_and_si##P(above, low), odd_above = _mm##P##_srli_epi16(above, 8);      \
            __m##P##i even_here = _mm##P##_and_si##P(here, low), odd_here = _mm##P##_srli_epi16(here, 8);          \
            ACC_ZERO_##P;                                                                                          \
            for (int y = y0; y < y1; y++) {                                                                        \
                const uint8_t *row = column + (size_t)y * (size_t)stride;                                          \
                if (y + BAND_ROWS + 1 < height) /* the same column, BAND_ROWS + 1 rows on: inside the frame */     \
                    __builtin_prefetch(row + (size_t)(BAND_ROWS + 1) * (size_t)stride + (W) - 1);                \
                __m##P##i below = LOAD(P, row + stride);                                                           \
                __m##P##i even_below = _mm##P##_and_si##P(below, low), odd_below = _mm##P##_srli_epi16(below, 8);  \
                __m##P##i lap_even = _mm##P##_add_epi16(                                                           \
                    _mm##P##_add_epi16(_mm##P##_maddubs_epi16(LOAD(P, row - 1), left_w), odd_here),                \
                    _mm##P##_add_epi16(even_above, even_below));                                                   \
                __m##P##i lap_odd = _mm##P##_add_epi16(                                                            \
                    _mm##P##_add_epi16(_mm##P##_maddubs_epi16(LOAD(P, row + 1), right_w), even_here),              \
                    _mm##P##_add_epi16(odd_above, odd_below));                                                     \
                KEEP_##P;                                                                                          \
                SQUARES_##P;                                                                                       \
                even_above = even_here, odd_above = odd_here, even_here = even_below, odd_here = odd_below;       \
            }                                                                                                      \
            FLUSH_##P;                                                                                             \
        }                                                                                                          \
    }

#define LOAD(P, p) _mm##P##_loadu_si##P((const void *)(p))

/* AVX2: the last column's lanes kept by comparing lane numbers; pmaddwd squares and adds pairs. */
#define KEEP_FROM_256(e, o)                                                                           \
    const __m256i keep_even = _mm256_cmpgt_epi16(lane, _mm256_set1_epi16((short)((e) - 1))),       \
                  keep_odd = _mm256_cmpgt_epi16(lane, _mm256_set1_epi16((short)((o) - 1)))
#define ACC_ZERO_256 __m256i acc = _mm256_setzero_si256()
#define KEEP_256 lap_even = _mm256_and_si256(lap_even, keep_even), lap_odd = _mm256_and_si256(lap_odd, keep_odd)
#define SQUARES_256 \
    acc = _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(lap_even, lap_even), _mm256_madd_epi16(lap_odd, lap_odd)))
#define FLUSH_256                                                                                     \
    total = _mm256_add_epi64(total, _mm256_add_epi64(_mm256_cvtepu32_epi64(_mm256_castsi256_si128(acc)), \
                                                     _mm256_cvtepu32_epi64(_mm256_extracti128_si256(acc, 1))))

/* AVX-512: the last column's lanes kept by a mask register; vpdpwssd into two accumulators. */
#define KEEP_FROM_512(e, o) \
    const __mmask32 keep_even = (__mmask32)~((1ULL << (e)) - 1), keep_odd = (__mmask32)~((1ULL << (o)) - 1)
#define ACC_ZERO_512 __m512i acc = _mm512_setzero_si512(), acc_odd = _mm512_setzero_si512()
#define KEEP_512                                                                               \
    lap_even = _mm512_maskz_mov_epi16(keep_even, lap_even), lap_odd = _mm512_maskz_mov_epi16(keep_odd, lap_odd)
#define SQUARES_512 \
    acc = _mm512_dpwssd_epi32(acc, lap_even, lap_even), acc_odd = _mm512_dpwssd_epi32(acc_odd, lap_odd, lap_odd)
#define FLUSH_512                                                                                            \
    acc = _mm512_add_epi32(acc, acc_odd); /* two lanes' bands: < 2^31 */                                  \
    total = _mm512_add_epi64(total, _mm512_add_epi64(_mm512_cvtepu32_epi64(_mm512_castsi512_si256(acc)),  \
                                                     _mm512_cvtepu32_epi64(_mm512_extracti64x4_epi64(acc, 1))))

__attribute__((target("avx2"))) static int64_t bands_avx2(const uint8_t *pixels, int width, int height, int stride)
{
    if (width - 2 < 32)
        return rows_plain(pixels, width, height, stride);
    const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    BAND_WALK(256, 32)
    __m128i half = _mm_add_epi64(_mm256_castsi256_si128(total), _mm256_extracti128_si256(total, 1));
    return _mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1);
}

__attribute__((target("avx512bw,avx512vnni"))) static int64_t bands_avx512(const uint8_t *pixels, int width,
                                                                            int height, int stride)
{
    if (width - 2 < 64)
        return bands_avx2(pixels, width, height, stride);
    BAND_WALK(512, 64)
    return _mm512_reduce_add_epi64(total);
}

/* The widest frame kernel this CPU runs, at most `cap` (0 plain, 1 AVX2, 2 AVX-512BW with VNNI); its level in
   *level. */
static frame_kernel pick_frame_kernel(int cap, int *level)
{
    __builtin_cpu_init();
    if (cap >= 2 && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
        return *level = 2, bands_avx512;
    if (cap >= 1 && __builtin_cpu_supports("avx2"))
        return *level = 1, bands_avx2;
    return *level = 0, rows_plain;
}
#else
static frame_kernel pick_frame_kernel(int cap, int *level)
{
    (void)cap;
    return *level = 0, rows_plain;
}
#endif

/* The frame kernel in use: the widest the CPU runs unless sharpness_use_vectors capped it (tests compare the
   levels; the bench names the one it timed). Set once at load in practice; a race sets the same value. */
static frame_kernel active_kernel;
static int active_level = -1;

int sharpness_use_vectors(int cap)
{
    active_kernel = pick_frame_kernel(cap, &active_level);
    return active_level;
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
    if (!active_kernel)
        sharpness_use_vectors(2);
    int64_t sum_sq = active_kernel(pixels, width, height, stride);
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
