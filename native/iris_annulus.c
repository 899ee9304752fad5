/* iris_annulus: the zone greys along the rays, where lids begin, and the usable share of the iris annulus
   (ISO/IEC 29794-6 usable iris area): reflections, lids by ray, lashes by the 3x3 mean, off-frame pixels. */
#include <math.h>
#include "iris_parts.h"

/* Mean grey of the valid samples at radii [r0, r1] along the rays with use[i] (all rays if use is NULL). */
double iris_ray_mean(const uint8_t *pixels, int width, int height, int stride, double cx, double cy,
                     const uint8_t *use, const int *r0, const int *r1)
{
    double s = 0.0;
    int64_t n = 0;
    for (int i = 0; i < IRIS_RAYS; i++) {
        if (use && !use[i])
            continue;
        double c = ray_cos(i), sn = ray_sin(i);
        for (int r = r0[i]; r <= r1[i]; r++) {
            int v = ray_at(pixels, width, height, stride, cx, cy, c, sn, r);
            if (v >= 0 && v < SPECULAR) {
                s += v;
                n++;
            }
        }
    }
    return n ? s / (double)n : 0.0;
}

/* Where a lid begins on each ray from the pupil. A lid comes in from outside the iris: scanned inward from the
   limbus, the lid lasts while at least half of the last 2 run_len samples are not iris grey (brighter than `bright`:
   skin, sclera; or darker than `dark`: lashes, the lid margin), and begins at the innermost such sample; it is a
   lid when at least `run_len` samples were brighter than `bright`. Infinity on a ray whose iris edge is not under
   a lid. Iris texture has bright and dark specks too, but sparse, and iris grey between them and the limbus. */
static void lid_starts(const uint8_t *pixels, int width, int height, int stride, const struct iris_metrics *m,
                       double dark, double bright, int run_len, double *lid)
{
    double a = m->iris_x - m->pupil_x, b = m->iris_y - m->pupil_y, raw[IRIS_RAYS];
    int window = 2 * run_len;
    for (int i = 0; i < IRIS_RAYS; i++) {
        double c = ray_cos(i), s = ray_sin(i);
        int r0 = (int)(m->pupil_radius + 2.0), r1 = (int)circle_at(m->iris_radius, a, b, i);
        int lit = 0, odd = 0, innermost = -1;
        uint8_t flag[2 * 64]; /* the window's flags, circular; run_len <= 64 */
        for (int r = r1; r >= r0; r--) {
            int v = ray_at(pixels, width, height, stride, m->pupil_x, m->pupil_y, c, s, r);
            int is_odd = v > bright || (v >= 0 && v < dark), slot = (r1 - r) % window;
            if (r1 - r >= window)
                odd -= flag[slot];
            flag[slot] = (uint8_t)is_odd;
            odd += is_odd;
            if (r1 - r + 1 >= window && 2 * odd < window)
                break;
            if (is_odd)
                innermost = r;
            lit += v > bright;
        }
        raw[i] = lit >= run_len && innermost >= 0 ? innermost : HUGE_VAL;
    }
    /* a lid spans many rays: the median of five neighbouring rays drops a single ray run deep along a furrow */
    for (int i = 0; i < IRIS_RAYS; i++) {
        double w[5];
        for (int j = 0; j < 5; j++)
            w[j] = raw[(i + j - 2 + IRIS_RAYS) % IRIS_RAYS];
        lid[i] = iris_median(w, 5);
    }
}

void iris_annulus(const uint8_t *pixels, int width, int height, int stride, struct iris_metrics *m)
{
    double inner = m->pupil_radius + 2.0, outer = m->iris_radius - 2.0;
    double occlude_lo = (m->pupil_grey + m->iris_grey) / 2.0;
    double lid[IRIS_RAYS];
    int run_len = (int)(m->pupil_radius / 8.0) > 3 ? (int)(m->pupil_radius / 8.0) : 3;
    lid_starts(pixels, width, height, stride, m, occlude_lo, m->iris_grey + LID_STEP * (m->sclera_grey - m->iris_grey),
               run_len < 64 ? run_len : 64, lid);
    double nearest_lid = HUGE_VAL;
    for (int i = 0; i < IRIS_RAYS; i++)
        nearest_lid = lid[i] < nearest_lid ? lid[i] : nearest_lid;
    int y0 = (int)floor(m->iris_y - outer), y1 = (int)ceil(m->iris_y + outer);
    int x0 = (int)floor(m->iris_x - outer), x1 = (int)ceil(m->iris_x + outer);
    int64_t total = 0, specular = 0, occluded = 0, usable = 0, lap_sum = 0, lap_sq = 0;
    for (int y = y0; y <= y1; y++) {
        int in_y = y >= 0 && y < height;
        const uint8_t *row = pixels + (size_t)(in_y ? y : 0) * (size_t)stride;
        double dy = y - m->iris_y, py = y - m->pupil_y;
        for (int x = x0; x <= x1; x++) {
            double dx = x - m->iris_x, px = x - m->pupil_x;
            if (dx * dx + dy * dy > outer * outer || px * px + py * py <= inner * inner)
                continue;
            total++;
            if (!in_y || x < 0 || x >= width) {
                occluded++; /* not captured */
                continue;
            }
            int v = row[x], inner_px = x >= 1 && y >= 1 && x < width - 1 && y < height - 1;
            /* lashes by the 3x3 mean (iris texture darker than the midpoint comes in specks); lids by the 3x3 mean
               and, on the pixel's ray, past where the lid begins (bright iris texture before that is iris) */
            double local = v;
            if (inner_px) {
                const uint8_t *up = row - stride, *down = row + stride;
                local = (up[x - 1] + up[x] + up[x + 1] + row[x - 1] + v + row[x + 1] + down[x - 1] + down[x] +
                         down[x + 1]) / 9.0;
            }
            int lidded = 0;
            double d2 = px * px + py * py;
            if (d2 >= nearest_lid * nearest_lid) { /* the angle only where some lid could reach */
                int ray = (int)floor(atan2(py, px) / TWO_PI * IRIS_RAYS + 0.5);
                ray = ((ray % IRIS_RAYS) + IRIS_RAYS) % IRIS_RAYS;
                lidded = d2 >= lid[ray] * lid[ray];
            }
            if (v >= SPECULAR) {
                specular++;
            } else if (lidded || local < occlude_lo) {
                occluded++;
            } else if (inner_px) {
                int lap = row[x - stride] + row[x + stride] + row[x - 1] + row[x + 1] - 4 * v;
                lap_sum += lap;
                lap_sq += (int64_t)lap * lap;
                usable++;
            }
        }
    }
    if (total == 0)
        return;
    double n = (double)total;
    m->specular_fraction = (double)specular / n;
    m->occluded_fraction = (double)occluded / n;
    m->usable_fraction = 1.0 - m->specular_fraction - m->occluded_fraction;
    if (usable > 0) {
        double u = (double)usable, mean = (double)lap_sum / u, var = (double)lap_sq / u - mean * mean;
        m->annulus_sharpness = var > 0.0 ? var : 0.0;
    }
}

/* No limbus found, but a pupil (n > 0 agreeing rays): its circle and the share of reflections (>= SPECULAR) among
   the frame's pixels from 2 px outside it to LONE_RING radii, where its iris would be; `found` stays 0. When
   reflections hide the limbus (glasses, a lamp), the score can then say so rather than only "not found". */
void iris_lone_pupil(const uint8_t *pixels, int width, int height, int stride, double x, double y, double r, int n,
                     struct iris_metrics *m)
{
    if (n == 0)
        return;
    m->pupil_x = x;
    m->pupil_y = y;
    m->pupil_radius = r;
    m->pupil_inliers = n;
    double inner = r + 2.0, outer = LONE_RING * r;
    int y0 = (int)floor(y - outer), y1 = (int)ceil(y + outer), x0 = (int)floor(x - outer), x1 = (int)ceil(x + outer);
    long seen = 0, bright = 0;
    for (int yy = y0 > 0 ? y0 : 0; yy <= y1 && yy < height; yy++) {
        const uint8_t *row = pixels + (size_t)yy * (size_t)stride;
        for (int xx = x0 > 0 ? x0 : 0; xx <= x1 && xx < width; xx++) {
            double d2 = (xx - x) * (xx - x) + (yy - y) * (yy - y);
            if (d2 <= inner * inner || d2 > outer * outer)
                continue;
            seen++;
            bright += row[xx] >= SPECULAR;
        }
    }
    m->specular_fraction = seen > 0 ? (double)bright / (double)seen : 0.0;
}
