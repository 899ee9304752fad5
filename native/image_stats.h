/* image_stats: exposure statistics of an 8-bit grey image given as pointer + row stride. */
#ifndef SINOPSIS_IMAGE_STATS_H
#define SINOPSIS_IMAGE_STATS_H
#include <stdint.h>

struct image_stats {
    double mean;            /* mean grey level, 0..255 */
    double stddev;          /* population standard deviation of grey levels */
    int min;                /* darkest pixel */
    int max;                /* brightest pixel */
    double dark_fraction;   /* share of pixels <= 5 (crushed shadows) */
    double bright_fraction; /* share of pixels >= 250 (blown highlights) */
};

/* Returns 0 on success, -1 on a bad argument (null pointer, empty image, stride < width). */
int image_stats_compute(const uint8_t *pixels, int width, int height, int stride,
                        struct image_stats *out);
#endif
