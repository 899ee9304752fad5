/* rank_filter: square min/max by doubling spans (see rank_filter.h). No allocation: the caller's workspaces. */
#include <stddef.h>
#include <string.h>
#include "rank_filter.h"

int rank_square_tall_size(int width, int height, int q) { return (height + 2 * q) * width; }

int rank_square_pad_size(int width, int q) { return 2 * (width + 2 * q); }

/* dst[i] = min (or max) of a[i], b[i]: one branch per call, so each loop vectorises. */
static void pick_row(uint8_t *dst, const uint8_t *a, const uint8_t *b, int n, int is_max)
{
    if (is_max)
        for (int i = 0; i < n; i++)
            dst[i] = a[i] > b[i] ? a[i] : b[i];
    else
        for (int i = 0; i < n; i++)
            dst[i] = a[i] < b[i] ? a[i] : b[i];
}

int rank_square(const uint8_t *src, int stride, int threshold, uint8_t *dst, int width, int height, int q, int is_max,
                uint8_t *tall, uint8_t *pad)
{
    if (!src || !dst || !tall || !pad || width < 1 || height < 1 || stride < width || q < 0)
        return -1;
    int len = width + 2 * q, top = 1;
    while (2 * top <= 2 * q + 1)
        top *= 2;
    uint8_t *p = pad, *o = pad + len;
    /* rows: each padded (edges replicated), doubled, and written to row y + q of `tall` */
    for (int y = 0; y < height; y++) {
        const uint8_t *row = src + (size_t)y * (size_t)stride;
        if (threshold >= 0)
            for (int x = 0; x < width; x++)
                p[q + x] = row[x] >= threshold ? 255 : 0;
        else
            memcpy(p + q, row, (size_t)width);
        memset(p, p[q], (size_t)q);
        memset(p + q + width, p[q + width - 1], (size_t)q);
        uint8_t *cur = p, *nxt = o;
        for (int span = 1; span < top; span *= 2) {
            pick_row(nxt, cur, cur + span, len - 2 * span + 1, is_max);
            uint8_t *t = cur;
            cur = nxt;
            nxt = t;
        }
        pick_row(tall + (size_t)(y + q) * (size_t)width, cur, cur + (2 * q + 1 - top), width, is_max);
    }
    /* columns: q replicated rows above and below, then the same doubling over whole rows */
    for (int y = 0; y < q; y++) {
        memcpy(tall + (size_t)y * (size_t)width, tall + (size_t)q * (size_t)width, (size_t)width);
        memcpy(tall + (size_t)(height + q + y) * (size_t)width, tall + (size_t)(height + q - 1) * (size_t)width,
               (size_t)width);
    }
    int rows = height + 2 * q;
    for (int span = 1; span < top; span *= 2) /* row i becomes the rank of rows i .. i + 2 span - 1 */
        for (int i = 0; i + span < rows; i++)
            pick_row(tall + (size_t)i * (size_t)width, tall + (size_t)i * (size_t)width,
                     tall + (size_t)(i + span) * (size_t)width, width, is_max);
    for (int y = 0; y < height; y++)
        pick_row(dst + (size_t)y * (size_t)width, tall + (size_t)y * (size_t)width,
                 tall + (size_t)(y + 2 * q + 1 - top) * (size_t)width, width, is_max);
    return 0;
}
