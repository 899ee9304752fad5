/* fingerprint: block-based quality metrics of an 8-bit grey fingerprint image (pointer + row stride) and
   segmentation of a 4-4-2 slap into finger boxes. Every buffer is the caller's (struct fingerprint_workspace,
   made once per frame size); the kernels allocate nothing.

   The image is cut into square blocks of params.block pixels (16 at 500 ppi: 1.5-2 ridge periods), starting at
   the top-left corner; the partial blocks at the right and bottom edges are left out. Gradients are 3x3 Sobel,
   taken only at interior pixels (the one-pixel image border has none). */
#ifndef SINOPSIS_FINGERPRINT_H
#define SINOPSIS_FINGERPRINT_H
#include <stdint.h>

struct fingerprint_params {
    int block;                        /* block side in pixels, 8..64 */
    double foreground_min_std;        /* a block whose grey std reaches this is foreground (ridge area) */
    int ridge_min_crossings;          /* a block is ridge-like if its profile crosses its mean this often */
    double present_min_fraction;      /* finger present: foreground share of the blocks at least this, */
    double present_min_quality;       /* mean block quality over the foreground at least this, */
    double present_min_contrast;      /* and mean ridge-valley separation (grey levels) at least this */
    double segment_min_quality;       /* slaps are segmented on foreground blocks of at least this quality */
    int segment_min_blocks;           /* a slap component smaller than this (after merging) is a speck */
    int print_blocks;                 /* blocks of one whole print (a fingertip pressed flat); a larger frame's
                                         ridge quality is taken over this many, not over the empty platen */
};

/* Per-block results, blocks_x * blocks_y entries each, row-major. */
struct fingerprint_workspace {
    int blocks_x, blocks_y;           /* the grid the arrays were made for */
    uint8_t *mask;                    /* bit 0: foreground; bit 1: foreground of quality >= segment_min_quality;
                                         bit 2: ridge-like foreground (profile crosses its mean often enough) */
    double *coherence;                /* sqrt((gxx-gyy)^2 + 4 gxy^2) / (gxx + gyy), 0 if no gradient */
    double *clarity;                  /* share of block variance explained by the profile across the ridges */
    double *contrast;                 /* mean of pixels above the block mean minus mean of those at or below */
    double *quality;                  /* coherence * clarity if ridge-like, else 0 (0 for background too) */
    double *period;                   /* ridge-like blocks: ridge period estimate in pixels, 16 pi sqrt(var * n /
                                         (gxx + gyy)) (exact for a sinusoid under 3x3 Sobel at low frequency);
                                         0 for other blocks */
    int32_t *labels;                  /* segmentation scratch: component label per block */
    int32_t *stack;                   /* segmentation scratch: flood-fill stack */
};

struct fingerprint_quality {
    int blocks_x, blocks_y;
    int foreground_blocks;
    double foreground_fraction;       /* foreground blocks / all blocks */
    double coherence;                 /* mean over foreground blocks, 0..1 */
    double clarity;                   /* mean over foreground blocks, 0..1 */
    double contrast;                  /* mean over foreground blocks, grey levels 0..255 */
    double ridge_fraction;            /* share of foreground blocks that are ridge-like */
    double ridge_quality;             /* sum of block quality / max(foreground blocks, min(all blocks,
                                         print_blocks)), 0..1: quality and area in one (a small or partial print
                                         scores low; a print larger than print_blocks by its mean quality) */
    int present;                      /* 1 if a finger is on the platen (see the present_* params) */
    /* Pattern checks (is it a finger at all?): a grating has one orientation, rings and gratings one period, a
       textured surface no solid ridge area. */
    int ridge_blocks;                 /* ridge-like foreground blocks */
    int oriented_blocks;              /* ridge-like blocks with a gradient direction */
    double orientation_resultant;     /* |mean of the unit doubled-angle vectors| of those blocks, 0..1: 1 = one
                                         orientation everywhere (a grating), 0 if none */
    int interior_blocks;              /* ridge-like blocks with a period whose 8 neighbours are all ridge-like
                                         blocks with a period (no print or mask outline inside) */
    double ridge_period;              /* exp(mean ln period) over the interior blocks, pixels; 0 if none */
    double period_spread;             /* standard deviation of ln period over the interior blocks; 0 if none */
};

struct fingerprint_box {
    int x, y, width, height;          /* pixels, block-aligned */
    int area;                         /* foreground pixels (foreground blocks * block^2) */
    double centre_x, centre_y;        /* centroid of the foreground blocks, pixels */
};

/* Fills ws (which must match the grid: width / block by height / block, both >= 1) and out.
   Returns 0, -1 on a bad argument (null pointer, bad params, stride < width), -2 if the workspace grid differs. */
int fingerprint_measure(const uint8_t *pixels, int width, int height, int stride,
                        const struct fingerprint_params *params, struct fingerprint_workspace *ws,
                        struct fingerprint_quality *out);

/* Finger boxes from ws->mask as left by fingerprint_measure: 4-connected components of ridge blocks (bit 1: a
   noisy platen is foreground but not ridge-like); a
   component is split at a column where its foreground count falls to 3/4 of the lower of the peaks either side
   (touching fingertips; 8 columns at least each side); pieces whose column ranges overlap by half the narrower
   one are merged (a finger cut by a crease); specks dropped; the max_boxes largest kept, ordered left to right.
   Writes *count boxes. Returns 0 or -1. */
int fingerprint_segment(const struct fingerprint_params *params, struct fingerprint_workspace *ws,
                        struct fingerprint_box *boxes, int max_boxes, int *count);
#endif
