/* iris: localisation and quality metrics of a near-infrared eye image (8-bit grey, pointer + row stride).

   Approximation, documented in docs/architecture.md: the pupil is found as the place where square windows of
   side min(w,h)/16 are at least 90 % darker than a histogram threshold; the pupil and iris radii come from the
   radial grey profile around that centre (reflections >= 240 left out; the iris edge only from the left/right sectors, which eyelids rarely
   cover). Not a segmentation network: good enough to gate live capture, not to make an iris template. */
#ifndef SINOPSIS_IRIS_H
#define SINOPSIS_IRIS_H
#include <stdint.h>

struct iris_metrics {
    int found;                /* 1 when a pupil was found; the other fields are 0 otherwise */
    int dark_threshold;       /* grey level at or below which a pixel counts as pupil-dark */
    double pupil_x, pupil_y;  /* pupil centre, pixels */
    int pupil_radius;         /* pixels */
    int iris_radius;          /* pixels */
    int iris_diameter;        /* 2 x iris_radius: ISO/IEC 29794-6 asks for >= 150 px (>= 120 acceptable) */
    double pupil_grey, iris_grey, sclera_grey; /* mean grey of each zone along the radial profile */
    double pupil_contrast;    /* (iris_grey - pupil_grey) / 255 */
    double iris_contrast;     /* (sclera_grey - iris_grey) / 255: the iris/sclera boundary */
    double annulus_sharpness; /* variance of the 4-neighbour Laplacian over the iris annulus */
    double specular_fraction; /* annulus pixels >= 240: reflections */
    double occluded_fraction; /* annulus pixels nearer the sclera or pupil grey than the iris grey: lids, lashes */
    double usable_fraction;   /* 1 - specular - occluded */
};

/* Workspace sizes the caller preallocates once per frame size (no allocation per frame). */
int iris_integral_size(int width, int height); /* int32 elements for `integral` */
int iris_profile_size(int width, int height);  /* double elements for `profile` */

/* Needs width, height >= 32. Returns 0 (out->found says whether a pupil was found), or -1 on a bad argument. */
int iris_measure(const uint8_t *pixels, int width, int height, int stride, int32_t *integral, double *profile,
                 struct iris_metrics *out);
#endif
