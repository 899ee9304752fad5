/* iris: localisation and quality metrics of a near-infrared eye image (8-bit grey, pointer + row stride).

   Approximation, documented in docs/architecture.md ("Iris quality score"):
   0. reflections filled: within q = min(w,h)/48 of a pixel >= 240, the grey opening (min then max filter over a
      (2q+1) square) replaces the frame, so the LED spots a camera puts in the pupil take the pupil's grey; the
      pupil is looked for in that copy, the rest in the frame itself;
   1. pupil seed: windows of side min(w,h)/16 that are >= 90 % darker than a histogram threshold are binned on a
      coarse grid; the densest 3x3 cell block starts a mean shift over those windows (other dark things - text,
      lashes, dark frame corners - do not pull the seed); up to 3 seeds;
   2. pupil circle: 128 rays from the seed; on each, the first radius where the grey leaves the dark range for
      good; a circle is fitted to those edge points (algebraic least squares) with outliers trimmed (residual >
      3 x the median residual); twice, the second time from the fitted centre. Each seed's limbus (3) is looked
      for: the candidate with the most agreeing rays, pupil and limbus together, wins, among those whose iris is
      at least 100 px across if any is;
   3. limbus: 128 rays from the pupil centre; on each, the radius of the steepest rise (mean of k outer minus
      mean of k inner samples, reflections left out); r(theta) = R + a cos + b sin (a circle of radius R centred
      at pupil + (a, b)) is fitted robustly: started at the densest radius, refitted on the rays within tolerance.
      Rays into eyelids and lashes disagree with the others and are left out, whatever the eye's rotation. A
      ring inside the iris (collarette, furrows) can win that; the steepest rise beyond the circle is fitted too,
      and replaces it when >= 1.25 R, seen left and right, with the sclera's step beyond it; up to 3 times. On
      its sides (the rays within 45 degrees of horizontal, where lids seldom reach) the circle must show the
      ISO/IEC 29794-6 iris-sclera contrast >= 5; else the next ring out seen on both sides is taken, up to 3
      times; with none, the first circle stays and limbus_contrast says how little sclera it has beside it;
   4. annulus between the two circles: pixels >= 240 are specular; lashes are pixels whose 3x3 mean is nearer
      the pupil grey than the iris grey; lids are found per ray, scanned inward from the limbus (a dense stretch
      of skin or lashes reaching it; the median of 5 neighbouring rays), every annulus pixel past a lid's start
      on its ray is occluded; annulus pixels outside the frame are occluded; the rest is usable (ISO/IEC 29794-6
      usable iris area). Sharpness is the Laplacian variance over the usable pixels only.
   Not a segmentation network: good enough to gate live capture, not to make an iris template. */
#ifndef SINOPSIS_IRIS_H
#define SINOPSIS_IRIS_H
#include <stdint.h>

#define IRIS_RAYS 128

struct iris_metrics {
    int found;                /* 1 when a pupil and a limbus were found; the other fields are 0 otherwise */
    int dark_threshold;       /* grey level at or below which a pixel counts as pupil-dark */
    double pupil_x, pupil_y;  /* pupil centre, pixels */
    double pupil_radius;      /* pixels */
    double iris_x, iris_y;    /* limbus (iris outer boundary) centre, pixels */
    double iris_radius;       /* pixels */
    double iris_diameter;     /* 2 x iris_radius: ISO/IEC 29794-6 asks for >= 150 px (>= 120 acceptable) */
    int pupil_inliers;        /* rays (of IRIS_RAYS) whose pupil edge agrees with the fitted circle */
    int limbus_edges;         /* rays on which a limbus edge (a rise >= 6 grey levels) was found at all */
    int limbus_inliers;       /* rays whose limbus edge agrees with the fitted circle */
    double pupil_grey, iris_grey, sclera_grey; /* mean grey of each zone along the rays */
    double pupil_contrast;    /* (iris_grey - pupil_grey) / 255 */
    double iris_contrast;     /* (sclera_grey - iris_grey) / 255: the iris/sclera boundary */
    double annulus_sharpness; /* variance of the 4-neighbour Laplacian over the usable annulus pixels */
    double specular_fraction; /* annulus pixels >= 240: reflections */
    double occluded_fraction; /* annulus pixels nearer the sclera or pupil grey than the iris grey, or off-frame */
    double usable_fraction;   /* 1 - specular - occluded */
    double limbus_contrast;   /* ISO/IEC 29794-6 iris-sclera contrast across the limbus on its sides (rays within 45
                                 degrees of horizontal); -1 when not judged (an iris whose sides leave the frame) */
};

/* Workspace sizes the caller preallocates once per frame size (no allocation per frame). */
int iris_integral_size(int width, int height); /* int32 elements for `integral` */
int iris_profile_size(int width, int height);  /* double elements for `profile` */
int iris_scratch_size(int width, int height);  /* uint8 elements for `scratch` */

/* Needs width, height >= 32. Returns 0 (out->found says whether an iris was found), or -1 on a bad argument. */
int iris_measure(const uint8_t *pixels, int width, int height, int stride, int32_t *integral, double *profile,
                 uint8_t *scratch, struct iris_metrics *out);

/* The robust fits iris_measure uses, exported so that tests can check them against a numpy reference.
   iris_fit_circle: points (x[i], y[i]) where valid[i], found on rays from (ox, oy); starts with the points whose
   distance from (ox, oy) is within `band` of the distance with the most others within `band`; algebraic circle
   fit, then 4 times: keep the valid points with |distance - radius| <= max(1.5, 0.05 radius, 3 x the median of
   it over the kept points), refit. Writes the centre and radius and
   inlier[i]; returns the number of inliers, or 0 when fewer than 6 valid points or a degenerate fit.
   iris_fit_harmonic: r[i] at angle 2 pi i / n where valid[i]; starts at the radius with the most others within
   2 tol, then 4 fits of r = R + a cos + b sin, each but the last followed by keeping |residual| <= tol. Same
   return convention. n <= IRIS_RAYS for both. */
int iris_fit_circle(const double *x, const double *y, const uint8_t *valid, int n, double ox, double oy, double band,
                    double *cx, double *cy, double *radius, uint8_t *inlier);
int iris_fit_harmonic(const double *r, const uint8_t *valid, int n, double tol, double *radius, double *a, double *b,
                      uint8_t *inlier);
#endif
