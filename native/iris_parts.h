/* iris_parts: what the parts of the iris kernel share (iris.c: the pupil passes and the whole; iris_seed.c: the
   reflection fill, dark threshold and pupil seeds; iris_fit.c: the robust fits; iris_limbus.c: the limbus;
   iris_annulus.c: lids, lashes and the usable area, or a lone pupil's reflections). Internal: native/_build.py
   compiles the parts with iris.c, and cffi reads iris.h only. */
#ifndef SINOPSIS_IRIS_PARTS_H
#define SINOPSIS_IRIS_PARTS_H
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include "iris.h"

#define TWO_PI 6.283185307179586
#define SEED_PER_SIDE 16 /* the pupil seed window: a square of min_side / SEED_PER_SIDE; the reflection fill uses
                            half of it (iris_seed.c) */
#define GRID 64          /* the seed grid has at most GRID x GRID cells */
#define SPECULAR 240     /* grey at or above which a pixel is a reflection */
#define MIN_RISE 6.0     /* a limbus edge rises by at least this many grey levels */
#define TRIMS 4          /* trimming rounds of the robust fits */
#define LID_STEP 0.5     /* a lid is brighter than the iris by at least this share of the iris-sclera step */
#define RING_STEP 1.25   /* the limbus lies at least this far out of a ring inside the iris: the collarette lies about a
                            third of the way from pupil to limbus, so for pupil/iris ratios up to 0.7 (the score's
                            limit) the limbus is >= 3 / (1 + 2 x 0.7) = 1.25 times as far; measured against hand-drawn
                            circles of three databases (docs/architecture.md), 1.2 let rings beyond the limbus in */
#define CENTRE_PRIOR 0.1 /* the limbus's centre is near the pupil's (decentration is a few % of the iris radius), so
                            the last fit of r = R + a cos + b sin, on the kept rays, has a ridge of this weight per
                            ray on the offset (a, b): lids hide the rays that would fix the vertical offset, and
                            without it the fit took a lid's pull for one (hand-drawn circles, docs/architecture.md) */
#define OUTWARD 3        /* rings inside the iris (collarette, furrows) stepped over on the way to the limbus */
#define LATERAL 0.7      /* the sides of the iris, where lids seldom reach: the rays within 45 degrees of horizontal */
#define MIN_LATERAL 5.0  /* the limbus: on the sides, an ISO/IEC 29794-6 iris-sclera contrast of at least its
                            recommended minimum (> 5) across it; a ring inside the iris has iris, not sclera, beyond */

static inline int min_side(int width, int height) { return width < height ? width : height; }

/* Ray i of IRIS_RAYS: its direction, and the radius along it of the circle r(theta) = R + a cos + b sin (R, and the
   circle's centre offset (a, b) from the rays' origin). */
static inline double ray_cos(int i) { return cos(TWO_PI * i / IRIS_RAYS); }
static inline double ray_sin(int i) { return sin(TWO_PI * i / IRIS_RAYS); }
static inline double circle_at(double r, double a, double b, int i) { return r + a * ray_cos(i) + b * ray_sin(i); }

/* The grey at radius r along the ray (c, s) from (cx, cy): nearest pixel, -1 outside the frame. */
static inline int ray_at(const uint8_t *pixels, int width, int height, int stride, double cx, double cy, double c,
                         double s, int r)
{
    int x = (int)floor(cx + r * c + 0.5), y = (int)floor(cy + r * s + 0.5);
    if (x < 0 || y < 0 || x >= width || y >= height)
        return -1;
    return pixels[(size_t)y * (size_t)stride + (size_t)x];
}

/* The median of a[0..n) (n <= IRIS_RAYS; sorts a in place). */
double iris_median(double *a, int n);

/* Mean grey of the valid samples at radii [r0[i], r1[i]] along the rays with use[i] (all rays if use is NULL). */
double iris_ray_mean(const uint8_t *pixels, int width, int height, int stride, double cx, double cy,
                     const uint8_t *use, const int *r0, const int *r1);

/* The pupil stage's preparation: iris_seed.c. The frame with its reflections filled (into the start of `scratch`,
   width x height), the dark threshold, the seed grid (counts and x/y sums per cell, its size out) and the next
   seed from it (0 when none is left). */
void iris_fill_reflections(const uint8_t *pixels, int width, int height, int stride, uint8_t *scratch);
int iris_dark_threshold(const uint8_t *pixels, int width, int height, int stride);
void iris_seed_grid(const uint8_t *pixels, int width, int height, int stride, int threshold, int32_t *integral,
                    double *grid, int side, int *gw_out, int *gh_out);
int iris_next_seed(const double *grid, int gw, int gh, uint8_t *taken, double reach, double *cx, double *cy);

/* The limbus around the pupil (px, py, pr) of grey `pupil`: iris_limbus.c. `rays` holds 3 x (min(w,h) + 2) doubles.
   Returns its inlier count (0 when none) and writes R, a, b of r = R + a cos + b sin, the inliers, the rays with
   an edge and the ISO iris-sclera contrast across it on its sides (-1 when not judged). */
int iris_limbus(const uint8_t *pixels, int width, int height, int stride, double *rays, double px, double py,
                double pr, double pupil, int halo, double *ir, double *ia, double *ib, uint8_t *inlier, int *edges,
                double *lateral);

/* The usable share of the annulus between m's circles, its reflections, occlusion and sharpness: iris_annulus.c. */
void iris_annulus(const uint8_t *pixels, int width, int height, int stride, struct iris_metrics *m);

/* No limbus found: the best pupil (x, y, r with n agreeing rays; nothing when n is 0) and the share of reflections
   where its iris would be, into m (found stays 0): iris_annulus.c. */
#define LONE_RING 2.5 /* reflections are counted out to this many pupil radii: the iris a pupil implies at the
                         usual pupil/iris ratio of 0.4 */
void iris_lone_pupil(const uint8_t *pixels, int width, int height, int stride, double x, double y, double r, int n,
                     struct iris_metrics *m);
#endif
