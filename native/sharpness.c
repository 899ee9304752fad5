/* sharpness: one read pass over the frame with integer arithmetic; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "sharpness.h"

/* Pixels per chunk: the 32-bit sum of squared Laplacians of one chunk cannot overflow (2048 * 1020^2 < 2^31). */
#define CHUNK 2048
#define PREFETCH_ROWS 4  /* rows ahead asked for while this one is computed: a fresh frame's next rows come from memory meanwhile */

/* Sum of squared 4-neighbour Laplacians over n pixels of one row, given that row and the rows above and below
   (the rolling 3-row window); reads row[-1] and row[n]. n <= CHUNK. Plain C (16-bit Laplacian, 32-bit sum of
   squares), the reference the vector versions below are tested against, and the path on CPUs without them. */
#define ROW_KERNEL(name) \
    static int32_t name(const uint8_t *restrict up, const uint8_t *restrict row, const uint8_t *restrict down, int n)

ROW_KERNEL(laplacian_sq_sum_plain)
{
    int32_t sum_sq = 0;
    for (int x = 0; x < n; x++) {
        int16_t lap = (int16_t)(up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x]);
        sum_sq += lap * lap;
    }
    return sum_sq;
}

typedef int32_t (*row_kernel)(const uint8_t *, const uint8_t *, const uint8_t *, int);

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
/* The vector versions never widen bytes with shuffles (one shuffle port on most x86 cores, the old loop's
   bottleneck). Each 16-bit lane of a plain load holds two pixels: an even one in its low byte and the odd one
   after it in its high byte. With loads at x - 1, x and x + 1 of the row:
     even pixel: -4 c + right  = maddubs(row0, (-4, 1)),  left  = low byte of the load at x - 1  (and 0x00ff)
     odd pixel:  left - 4 c    = maddubs(row0, (1, -4)),  right = high byte of the load at x + 1  (shift 8)
   and up + down as the low and high bytes of the rows above and below. Every sum is exact in 16 bits
   (|lap| <= 1020); pmaddwd (AVX2) or vpdpwssd (AVX-512 VNNI, into two accumulators so their latencies overlap)
   squares and adds pairs into 32-bit lanes, and no sum of n <= CHUNK squares reaches 2^31. Against the old
   compiler-vectorised loop (pmovzxbw per neighbour): 1.7-2.2x on an AVX-512 Xeon. The build has no
   -march=native: these are compiled for their own targets and picked at run time by what the CPU reports
   (pick_row_kernel). */
#define LAP_PAIR(P, AND, SHR, ADD, MADDUBS, LOAD)                                                          \
    __m##P##i r0 = LOAD(row + x), u = LOAD(up + x), d = LOAD(down + x);                                    \
    __m##P##i lap_even = ADD(ADD(MADDUBS(r0, even_w), AND(LOAD(row + x - 1), low)), ADD(AND(u, low), AND(d, low))); \
    __m##P##i lap_odd = ADD(ADD(MADDUBS(r0, odd_w), SHR(LOAD(row + x + 1), 8)), ADD(SHR(u, 8), SHR(d, 8)))

/* The low byte of each 16-bit lane, and the maddubs weights (-4, 1) for even pixels and (1, -4) for odd ones. */
#define ROW_CONSTANTS(P)                                                                              \
    const __m##P##i low = _mm##P##_set1_epi16(0x00ff), even_w = _mm##P##_set1_epi16((short)0x01fc), \
                    odd_w = _mm##P##_set1_epi16((short)0xfc01)

#define LOAD256(p) _mm256_loadu_si256((const __m256i *)(p))
#define LOAD512(p) _mm512_loadu_si512((const void *)(p))

/* A row, W pixels a step (PAIR makes lap_even and lap_odd at x, ADD_SQUARES adds their squares); the tail shorter
   than a step is one more step ending at the row's end with the lanes of pixels already counted (the first k) set
   to zero by KEEP_FROM(first even lane, first odd lane): even lane i is pixel 2i, odd lane i pixel 2i + 1. */
#define ROW_STEPS(W, PAIR, KEEP_FROM, ADD_SQUARES) \
    int x = 0;                                      \
    for (; x + (W) <= n; x += (W)) {                \
        PAIR;                                       \
        ADD_SQUARES;                                \
    }                                               \
    if (x < n) {                                    \
        int k = x - (n - (W));                      \
        x = n - (W);                                \
        PAIR;                                       \
        KEEP_FROM((k + 1) / 2, k / 2);              \
        ADD_SQUARES;                                \
    }

#define PAIR256 LAP_PAIR(256, _mm256_and_si256, _mm256_srli_epi16, _mm256_add_epi16, _mm256_maddubs_epi16, LOAD256)
#define KEEP256(e, o)                                                                                      \
    lap_even = _mm256_and_si256(lap_even, _mm256_cmpgt_epi16(lane, _mm256_set1_epi16((short)((e) - 1)))); \
    lap_odd = _mm256_and_si256(lap_odd, _mm256_cmpgt_epi16(lane, _mm256_set1_epi16((short)((o) - 1))))
#define SQUARES256 \
    acc = _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(lap_even, lap_even), _mm256_madd_epi16(lap_odd, lap_odd)))

#define PAIR512 LAP_PAIR(512, _mm512_and_si512, _mm512_srli_epi16, _mm512_add_epi16, _mm512_maddubs_epi16, LOAD512)
#define KEEP512(e, o)                                                               \
    lap_even = _mm512_maskz_mov_epi16((__mmask32)~((1ULL << (e)) - 1), lap_even); \
    lap_odd = _mm512_maskz_mov_epi16((__mmask32)~((1ULL << (o)) - 1), lap_odd)
#define SQUARES512                                     \
    acc = _mm512_dpwssd_epi32(acc, lap_even, lap_even); \
    acc_odd = _mm512_dpwssd_epi32(acc_odd, lap_odd, lap_odd)

__attribute__((target("avx2"))) ROW_KERNEL(laplacian_sq_sum_avx2)
{
    if (n < 32)
        return laplacian_sq_sum_plain(up, row, down, n);
    ROW_CONSTANTS(256);
    const __m256i lane = _mm256_setr_epi16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
    __m256i acc = _mm256_setzero_si256();
    ROW_STEPS(32, PAIR256, KEEP256, SQUARES256)
    __m128i half = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0x4e));
    half = _mm_add_epi32(half, _mm_shuffle_epi32(half, 0xb1));
    return _mm_cvtsi128_si32(half);
}

__attribute__((target("avx512bw,avx512vnni"))) ROW_KERNEL(laplacian_sq_sum_avx512)
{
    if (n < 64)
        return laplacian_sq_sum_avx2(up, row, down, n);
    ROW_CONSTANTS(512);
    __m512i acc = _mm512_setzero_si512(), acc_odd = _mm512_setzero_si512();
    ROW_STEPS(64, PAIR512, KEEP512, SQUARES512)
    return _mm512_reduce_add_epi32(_mm512_add_epi32(acc, acc_odd));
}

/* The widest row kernel this CPU runs, at most `cap` (0 plain, 1 AVX2, 2 AVX-512BW with VNNI); its level in
   *level. */
static row_kernel pick_row_kernel(int cap, int *level)
{
    __builtin_cpu_init();
    if (cap >= 2 && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vnni"))
        return *level = 2, laplacian_sq_sum_avx512;
    if (cap >= 1 && __builtin_cpu_supports("avx2"))
        return *level = 1, laplacian_sq_sum_avx2;
    return *level = 0, laplacian_sq_sum_plain;
}
#else
static row_kernel pick_row_kernel(int cap, int *level)
{
    (void)cap;
    return *level = 0, laplacian_sq_sum_plain;
}
#endif

/* The row kernel in use: the widest the CPU runs unless sharpness_use_vectors capped it (tests compare the
   levels; the bench names the one it timed). Set once at load in practice; a race sets the same value. */
static row_kernel active_kernel;
static int active_level = -1;

int sharpness_use_vectors(int cap)
{
    active_kernel = pick_row_kernel(cap, &active_level);
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
    row_kernel kernel = active_kernel;
    int64_t sum_sq = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        if (y + 1 + PREFETCH_ROWS < height) {  /* `ahead` is row y + 1 + PREFETCH_ROWS: inside the frame */
            const uint8_t *ahead = down + (size_t)PREFETCH_ROWS * (size_t)stride;
            for (int x = 0; x < width; x += 64)
                __builtin_prefetch(ahead + x);
        }
        for (int x0 = 1; x0 < width - 1; x0 += CHUNK) {
            int n = width - 1 - x0 < CHUNK ? width - 1 - x0 : CHUNK;
            sum_sq += kernel(up + x0, row + x0, down + x0, n);
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
