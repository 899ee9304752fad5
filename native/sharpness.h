/* sharpness: focus measures of an 8-bit grey image given as pointer + row stride (interior pixels only). */
#ifndef SINOPSIS_SHARPNESS_H
#define SINOPSIS_SHARPNESS_H
#include <stdint.h>

struct sharpness {
    double laplacian_var; /* variance of the 4-neighbour Laplacian (cv2.Laplacian ksize=1) over the interior */
    double tenengrad;     /* mean of Sobel gx^2 + gy^2 (3x3) over the interior */
};

/* Needs width >= 3 and height >= 3 (the interior is (w-2)x(h-2)). Returns 0, or -1 on a bad argument. */
/* The per-frame fast path: Laplacian variance only. Returns the variance, or -1.0 on a bad argument. */
double sharpness_laplacian_var(const uint8_t *pixels, int width, int height, int stride);

/* Use the widest vector row kernel the CPU runs up to `cap` (0 plain C, 1 AVX2, 2 AVX-512BW with VNNI; the default is 2)
   for sharpness_laplacian_var; returns the level now in use. All levels compute the same exact sums. */
int sharpness_use_vectors(int cap);

int sharpness_compute(const uint8_t *pixels, int width, int height, int stride, struct sharpness *out);
#endif
