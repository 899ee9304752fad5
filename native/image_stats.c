/* image_stats: one pass over the image builds a 256-bin histogram; every statistic comes from it. */
#include <math.h>
#include <string.h>
#include "image_stats.h"

int image_stats_compute(const uint8_t *pixels, int width, int height, int stride,
                        struct image_stats *out)
{
    if (!pixels || !out || width <= 0 || height <= 0 || stride < width)
        return -1;
    /* Four sub-histograms: neighbouring pixels often share a grey level, and one histogram would make each
       increment wait for the previous one to the same bin. uint32 bins hold up to 4 G pixels each. */
    uint32_t sub[4][256];
    uint64_t hist[256];
    memset(sub, 0, sizeof(sub));
    for (int y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        int x = 0;
        for (; x + 4 <= width; x += 4) {
            sub[0][row[x]]++;
            sub[1][row[x + 1]]++;
            sub[2][row[x + 2]]++;
            sub[3][row[x + 3]]++;
        }
        for (; x < width; x++)
            sub[0][row[x]]++;
    }
    for (int v = 0; v < 256; v++)
        hist[v] = (uint64_t)sub[0][v] + sub[1][v] + sub[2][v] + sub[3][v];
    double n = (double)width * (double)height;
    double sum = 0.0, sum_sq = 0.0;
    uint64_t dark = 0, bright = 0;
    int lo = -1, hi = 0;
    for (int v = 0; v < 256; v++) {
        if (!hist[v])
            continue;
        if (lo < 0)
            lo = v;
        hi = v;
        sum += (double)v * (double)hist[v];
        sum_sq += (double)v * (double)v * (double)hist[v];
        if (v <= 5)
            dark += hist[v];
        if (v >= 250)
            bright += hist[v];
    }
    double mean = sum / n;
    double var = sum_sq / n - mean * mean;
    out->mean = mean;
    out->stddev = var > 0.0 ? sqrt(var) : 0.0;
    out->min = lo;
    out->max = hi;
    out->dark_fraction = (double)dark / n;
    out->bright_fraction = (double)bright / n;
    return 0;
}
