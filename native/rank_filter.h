/* rank_filter: the minimum or maximum of an 8-bit grey frame over a (2q+1) x (2q+1) square (grey erosion or
   dilation with a square), pointer + row stride in, packed out.

   The window is clipped at the frame's edges, which for a min or max is what a replicated border gives (and what
   OpenCV's erode/dilate do with their default border): tests/native/test_rank_filter.py checks it against
   cv2.erode and cv2.dilate. Each 1-D window is two overlapping power-of-two spans built by doubling (the span
   2s at i is the spans s at i and i + s), so a pass costs about log2(2q+1) + 1 whole-row min/max loops, which
   vectorise, instead of 2q + 1. Used by native/iris.c to fill the reflections in a pupil. */
#ifndef SINOPSIS_RANK_FILTER_H
#define SINOPSIS_RANK_FILTER_H
#include <stdint.h>

/* Workspace sizes, in bytes, for rank_square's `tall` and `pad`. */
int rank_square_tall_size(int width, int height, int q);
int rank_square_pad_size(int width, int q);

/* dst = min (is_max 0) or max (is_max 1) of src over the square. With threshold >= 0, src is read as a mask:
   255 where src >= threshold, else 0. dst is packed (stride width) and may be src when src is packed.
   Returns 0, or -1 on a bad argument (null pointer, width or height < 1, stride < width, q < 0). */
int rank_square(const uint8_t *src, int stride, int threshold, uint8_t *dst, int width, int height, int q, int is_max,
                uint8_t *tall, uint8_t *pad);
#endif
