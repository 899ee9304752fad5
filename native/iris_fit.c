/* iris_fit: the robust circle and harmonic fits of the iris kernel (declared in iris.h: tests check them against a
   numpy reference), and the small linear algebra they use. */
#include <math.h>
#include "iris_parts.h"

/* Solves the symmetric 3x3 system m p = v (Gaussian elimination, partial pivoting); 0 if singular. */
static int solve3(double m[3][3], double v[3], double p[3])
{
    for (int c = 0; c < 3; c++) {
        int piv = c;
        for (int r = c + 1; r < 3; r++)
            if (fabs(m[r][c]) > fabs(m[piv][c]))
                piv = r;
        if (!(fabs(m[piv][c]) > 1e-12))
            return 0;
        if (piv != c) {
            for (int k = 0; k < 3; k++) {
                double t = m[c][k];
                m[c][k] = m[piv][k];
                m[piv][k] = t;
            }
            double t = v[c];
            v[c] = v[piv];
            v[piv] = t;
        }
        for (int r = c + 1; r < 3; r++) {
            double f = m[r][c] / m[c][c];
            for (int k = c; k < 3; k++)
                m[r][k] -= f * m[c][k];
            v[r] -= f * v[c];
        }
    }
    for (int c = 2; c >= 0; c--) {
        double s = v[c];
        for (int k = c + 1; k < 3; k++)
            s -= m[c][k] * p[k];
        p[c] = s / m[c][c];
    }
    return isfinite(p[0]) && isfinite(p[1]) && isfinite(p[2]);
}

/* Least squares of rows (f0, f1, f2) -> t over the selected rows: the 3x3 normal equations. */
static void normal_add(double m[3][3], double v[3], double f0, double f1, double f2, double t)
{
    double f[3] = {f0, f1, f2};
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++)
            m[i][j] += f[i] * f[j];
        v[i] += f[i] * t;
    }
}

double iris_median(double *a, int n)
{
    for (int i = 1; i < n; i++) { /* insertion sort: n <= IRIS_RAYS */
        double t = a[i];
        int j = i - 1;
        while (j >= 0 && a[j] > t) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = t;
    }
    return (a[(n - 1) / 2] + a[n / 2]) / 2.0;
}

int iris_fit_circle(const double *x, const double *y, const uint8_t *valid, int n, double ox, double oy, double band,
                    double *cx, double *cy, double *radius, uint8_t *inlier)
{
    if (n <= 0 || n > IRIS_RAYS)
        return 0;
    double x0 = 0.0, y0 = 0.0, res[IRIS_RAYS], dist[IRIS_RAYS];
    int best = -1, best_count = 0;
    for (int i = 0; i < n; i++)
        dist[i] = hypot(x[i] - ox, y[i] - oy);
    for (int i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        int c = 0;
        for (int j = 0; j < n; j++)
            c += valid[j] && fabs(dist[j] - dist[i]) <= band;
        if (c > best_count) {
            best_count = c;
            best = i;
        }
    }
    int count = 0;
    for (int i = 0; i < n; i++) {
        inlier[i] = best >= 0 && valid[i] && fabs(dist[i] - dist[best]) <= band;
        if (inlier[i]) {
            x0 += x[i];
            y0 += y[i];
            count++;
        }
    }
    if (count < 6)
        return 0;
    x0 /= count;
    y0 /= count;
    for (int round = 0; round <= TRIMS; round++) {
        double m[3][3] = {{0}}, v[3] = {0}, p[3];
        for (int i = 0; i < n; i++) {
            if (!inlier[i])
                continue;
            double u = x[i] - x0, w = y[i] - y0;
            normal_add(m, v, u, w, 1.0, -(u * u + w * w));
        }
        if (!solve3(m, v, p))
            return 0;
        double r2 = p[0] * p[0] / 4.0 + p[1] * p[1] / 4.0 - p[2];
        if (!(r2 > 0.0))
            return 0;
        *cx = x0 - p[0] / 2.0;
        *cy = y0 - p[1] / 2.0;
        *radius = sqrt(r2);
        if (round == TRIMS)
            break;
        int k = 0;
        for (int i = 0; i < n; i++)
            if (inlier[i])
                res[k++] = fabs(hypot(x[i] - *cx, y[i] - *cy) - *radius);
        double keep = 3.0 * iris_median(res, k), floor_keep = 0.05 * *radius > 1.5 ? 0.05 * *radius : 1.5;
        keep = keep > floor_keep ? keep : floor_keep;
        count = 0;
        for (int i = 0; i < n; i++) {
            inlier[i] = valid[i] && fabs(hypot(x[i] - *cx, y[i] - *cy) - *radius) <= keep;
            count += inlier[i];
        }
        if (count < 6)
            return 0;
    }
    return count;
}

int iris_fit_harmonic(const double *r, const uint8_t *valid, int n, double tol, double *radius, double *a, double *b,
                      uint8_t *inlier)
{
    if (n <= 0 || n > IRIS_RAYS)
        return 0;
    int best = -1, best_count = 0;
    for (int i = 0; i < n; i++) {
        if (!valid[i])
            continue;
        int c = 0;
        for (int j = 0; j < n; j++)
            c += valid[j] && fabs(r[j] - r[i]) <= 2.0 * tol;
        if (c > best_count) {
            best_count = c;
            best = i;
        }
    }
    if (best < 0)
        return 0;
    int count = 0;
    for (int i = 0; i < n; i++) {
        inlier[i] = valid[i] && fabs(r[i] - r[best]) <= 2.0 * tol;
        count += inlier[i];
    }
    for (int round = 0; round <= TRIMS; round++) {
        if (count < 6)
            return 0;
        double m[3][3] = {{0}}, v[3] = {0}, p[3];
        for (int i = 0; i < n; i++)
            if (inlier[i])
                normal_add(m, v, 1.0, cos(TWO_PI * i / n), sin(TWO_PI * i / n), r[i]);
        if (round == TRIMS) { /* the last fit, on the kept rays, with the ridge: see CENTRE_PRIOR */
            m[1][1] += CENTRE_PRIOR * count;
            m[2][2] += CENTRE_PRIOR * count;
        }
        if (!solve3(m, v, p) || !(p[0] > 0.0))
            return 0;
        *radius = p[0];
        *a = p[1];
        *b = p[2];
        if (round == TRIMS)
            break;
        count = 0;
        for (int i = 0; i < n; i++) {
            double model = p[0] + p[1] * cos(TWO_PI * i / n) + p[2] * sin(TWO_PI * i / n);
            inlier[i] = valid[i] && fabs(r[i] - model) <= tol;
            count += inlier[i];
        }
    }
    return count;
}

