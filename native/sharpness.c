/* sharpness: one pass over the interior with integer arithmetic; no buffers, so no allocation per frame. */
#include <stddef.h>
#include "sharpness.h"

int sharpness_compute(const uint8_t *pixels, int width, int height, int stride, struct sharpness *out)
{
    if (!pixels || !out || width < 3 || height < 3 || stride < width)
        return -1;
    int64_t lap_sum = 0, lap_sq = 0, ten_sum = 0;
    for (int y = 1; y < height - 1; y++) {
        const uint8_t *up = pixels + (size_t)(y - 1) * (size_t)stride;
        const uint8_t *row = up + stride;
        const uint8_t *down = row + stride;
        int32_t row_lap = 0;
        int64_t row_sq = 0, row_ten = 0;
        for (int x = 1; x < width - 1; x++) {
            int32_t lap = up[x] + down[x] + row[x - 1] + row[x + 1] - 4 * row[x];
            int32_t gx = (up[x + 1] + 2 * row[x + 1] + down[x + 1]) - (up[x - 1] + 2 * row[x - 1] + down[x - 1]);
            int32_t gy = (down[x - 1] + 2 * down[x] + down[x + 1]) - (up[x - 1] + 2 * up[x] + up[x + 1]);
            row_lap += lap;
            row_sq += lap * lap;
            row_ten += gx * gx + gy * gy;
        }
        lap_sum += row_lap;
        lap_sq += row_sq;
        ten_sum += row_ten;
    }
    double n = (double)(width - 2) * (double)(height - 2);
    double mean = (double)lap_sum / n;
    double var = (double)lap_sq / n - mean * mean;
    out->laplacian_var = var > 0.0 ? var : 0.0;
    out->tenengrad = (double)ten_sum / n;
    return 0;
}
