/* motion: how much two consecutive 8-bit grey frames differ, to require a still subject before auto-capture. */
#ifndef SINOPSIS_MOTION_H
#define SINOPSIS_MOTION_H
#include <stdint.h>

struct motion {
    double mean_abs_diff;    /* mean |cur - prev| over all pixels, 0..255 */
    double changed_fraction; /* share of pixels with |cur - prev| > threshold */
};

/* Both frames are width x height with their own row strides. threshold is 0..254.
   Returns 0, or -1 on a bad argument (null pointer, empty frame, stride < width, threshold out of range). */
int motion_compare(const uint8_t *prev, int prev_stride, const uint8_t *cur, int cur_stride, int width, int height,
                   int threshold, struct motion *out);
#endif
