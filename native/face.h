/* face: quality metrics of a portrait frame, given the face box found by the detector.
   The grey frame and the BGR frame are the same picture (grey = luma of bgr), each with its own row stride. */
#ifndef SINOPSIS_FACE_H
#define SINOPSIS_FACE_H
#include <stdint.h>

struct face_box {
    int x, y, width, height; /* inside the frame, width and height >= 3 */
};

struct face_metrics {
    /* inside the face box (grey) */
    double sharpness;       /* variance of the 4-neighbour Laplacian over the box interior */
    double mean;            /* mean grey level */
    double stddev;          /* standard deviation of grey levels */
    double dark_fraction;   /* share of pixels <= 5 */
    double bright_fraction; /* share of pixels >= 250 */
    /* background band: pixels within `border` of the left, top or right edge, above the box's bottom edge,
       outside the head's columns (the box's columns grown by a quarter of its width on each side: hair) */
    int64_t bg_pixels;       /* pixels in the band; 0 when the face fills the frame */
    double bg_mean_b, bg_mean_g, bg_mean_r;
    double bg_stddev;        /* standard deviation of grey levels in the band: 0 for a perfectly flat backdrop */
    double bg_red_fraction;  /* share of band pixels that are red: r >= 90, r >= 1.5 g, r >= 1.5 b */
    double bg_blue_fraction; /* share of band pixels that are blue: b >= 90, b >= 1.5 r, b >= 1.1 g */
};

/* Returns 0, or -1 on a bad argument (null pointer, frame < 3x3, strides too small, box outside the frame,
   border < 0). */
int face_measure(const uint8_t *grey, int grey_stride, const uint8_t *bgr, int bgr_stride, int width, int height,
                 const struct face_box *box, int border, struct face_metrics *out);
#endif
