/* motion: one pass over both frames with integer sums; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "motion.h"

#ifdef __SSE2__
#include <emmintrin.h>

/* Sum of |a - b| and count of |a - b| > threshold for x in [0, n), 16 pixels a step; returns the first x not done. */
static int row_sse2(const uint8_t *a, const uint8_t *b, int n, uint8_t threshold, uint64_t *sad, uint64_t *changed)
{
    const __m128i bias = _mm_set1_epi8((char)0x80);
    const __m128i limit = _mm_xor_si128(_mm_set1_epi8((char)threshold), bias);
    const __m128i zero = _mm_setzero_si128();
    __m128i sad_acc = zero, count_acc = zero, counts = zero;
    int x = 0, steps = 0;
    for (; x + 16 <= n; x += 16) {
        __m128i va = _mm_loadu_si128((const __m128i *)(a + x));
        __m128i vb = _mm_loadu_si128((const __m128i *)(b + x));
        __m128i diff = _mm_or_si128(_mm_subs_epu8(va, vb), _mm_subs_epu8(vb, va));
        sad_acc = _mm_add_epi64(sad_acc, _mm_sad_epu8(va, vb));
        /* unsigned diff > threshold, via a signed compare after flipping the top bit; -1 per changed pixel */
        __m128i over = _mm_cmpgt_epi8(_mm_xor_si128(diff, bias), limit);
        counts = _mm_sub_epi8(counts, over);
        if (++steps == 255) { /* 8-bit lane counters would overflow at 256: fold them into 64-bit sums */
            count_acc = _mm_add_epi64(count_acc, _mm_sad_epu8(counts, zero));
            counts = zero;
            steps = 0;
        }
    }
    count_acc = _mm_add_epi64(count_acc, _mm_sad_epu8(counts, zero));
    uint64_t lanes[2], count_lanes[2];
    _mm_storeu_si128((__m128i *)lanes, sad_acc);
    _mm_storeu_si128((__m128i *)count_lanes, count_acc);
    *sad += lanes[0] + lanes[1];
    *changed += count_lanes[0] + count_lanes[1];
    return x;
}
#endif

int motion_compare(const uint8_t *prev, int prev_stride, const uint8_t *cur, int cur_stride, int width, int height,
                   int threshold, struct motion *out)
{
    if (!prev || !cur || !out || width < 1 || height < 1 || prev_stride < width || cur_stride < width ||
        threshold < 0 || threshold > 254)
        return -1;
    uint64_t sad = 0, changed = 0;
    for (int y = 0; y < height; y++) {
        const uint8_t *a = prev + (size_t)y * (size_t)prev_stride;
        const uint8_t *b = cur + (size_t)y * (size_t)cur_stride;
        int x = 0;
#ifdef __SSE2__
        x = row_sse2(a, b, width, (uint8_t)threshold, &sad, &changed);
#endif
        for (; x < width; x++) {
            int d = a[x] > b[x] ? a[x] - b[x] : b[x] - a[x];
            sad += (uint64_t)d;
            changed += d > threshold;
        }
    }
    double n = (double)width * (double)height;
    out->mean_abs_diff = (double)sad / n;
    out->changed_fraction = (double)changed / n;
    return 0;
}
