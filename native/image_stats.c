/* image_stats: one pass over the image builds a 256-bin histogram; every statistic comes from it. */
#include <math.h>
#include <string.h>
#include "image_stats.h"

int image_stats_compute(const uint8_t *pixels, int width, int height, int stride,
                        struct image_stats *out)
{
    if (!pixels || !out || width <= 0 || height <= 0 || stride < width)
        return -1;
    uint64_t hist[256];
    memset(hist, 0, sizeof(hist));
    for (int y = 0; y < height; y++) {
        const uint8_t *row = pixels + (size_t)y * (size_t)stride;
        for (int x = 0; x < width; x++)
            hist[row[x]]++;
    }
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
