/* sim_common.h: what both simulated vendor libraries share: the behaviour script, PGM samples, degradation.
 *
 * Header-only (static inline) so each simulator stays one .c file and one .so with only the vendor's symbols
 * exported (everything here is hidden). Built at install time by setup.py; see docs/devices.md.
 *
 * Script (path in $SINOPSIS_SIM_SCRIPT, read when the device is opened), one step per line, '#' comments:
 *     [finger|iris] STEP [N]
 * A prefix limits the line to one simulator. Steps last N ticks (default 1); a tick is one polling call
 * (ftrScanIsFingerPresent / ftrScanGetFrame; Iddk_GetCaptureStatus while capturing). The last step lasts
 * forever. STEP is absent | present | ramp | move | busy | timeout | unplug, or the settings
 * `sample K` (fingerprint sample 1-3), `image PATH` (a binary PGM to serve instead of the sample) and `slap`
 * (the fingerprint simulator becomes a 1600 x 1500 4-4-2 slap platen).
 */
#ifndef SINOPSIS_SIM_COMMON_H
#define SINOPSIS_SIM_COMMON_H

#include <ctype.h>
#include <dlfcn.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_EXPORT __attribute__((visibility("default")))
#define SIM_MAX_STEPS 256
#define SIM_ENV_SCRIPT "SINOPSIS_SIM_SCRIPT"

enum sim_kind { SIM_ABSENT, SIM_PRESENT, SIM_RAMP, SIM_MOVE, SIM_BUSY, SIM_TIMEOUT, SIM_UNPLUG };

typedef struct {
    int kind;
    int count;
} sim_step;

typedef struct {
    sim_step steps[SIM_MAX_STEPS];
    int n;         /* number of steps */
    int cur;       /* current step */
    int used;      /* ticks already spent in the current step */
    int sample;    /* fingerprint sample number (1-3) */
    int slap;      /* fingerprint: a 4-4-2 slap platen (1600 x 1500) instead of a single-finger sensor */
    char image[PATH_MAX];
} sim_script;

static const char *const sim_kind_names[] = {"absent", "present", "ramp", "move", "busy", "timeout", "unplug"};

/* Parse $SINOPSIS_SIM_SCRIPT for `device` ("finger" or "iris"); no variable means `defaults`.
 * Returns 0, or -1 after printing the file, line and problem to stderr. */
static inline int sim_script_load(sim_script *s, const char *device, const sim_step *defaults, int n_defaults) {
    memset(s, 0, sizeof(*s));
    s->sample = 1;
    const char *path = getenv(SIM_ENV_SCRIPT);
    if (path == NULL || path[0] == '\0') {
        memcpy(s->steps, defaults, (size_t)n_defaults * sizeof(sim_step));
        s->n = n_defaults;
        return 0;
    }
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "sinopsis sim: %s: cannot open the script named by %s\n", path, SIM_ENV_SCRIPT);
        return -1;
    }
    char line[PATH_MAX + 64];
    int lineno = 0;
    int bad = 0;
    while (!bad && fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash != NULL) *hash = '\0';
        char *words[3] = {NULL, NULL, NULL};
        int nw = 0;
        char *save = NULL;
        for (char *w = strtok_r(line, " \t\r\n", &save); w != NULL; w = strtok_r(NULL, " \t\r\n", &save)) {
            if (nw == 3) { bad = 1; break; }
            words[nw++] = w;
        }
        if (bad) {
            fprintf(stderr, "sinopsis sim: %s:%d: too many words (want [finger|iris] STEP [N])\n", path, lineno);
            break;
        }
        if (nw == 0) continue;
        int first = 0;
        if (strcmp(words[0], "finger") == 0 || strcmp(words[0], "iris") == 0) {
            if (strcmp(words[0], device) != 0) continue;
            first = 1;
        }
        if (first >= nw) {
            fprintf(stderr, "sinopsis sim: %s:%d: a step is missing after '%s'\n", path, lineno, words[0]);
            bad = 1;
            break;
        }
        const char *step = words[first];
        const char *arg = first + 1 < nw ? words[first + 1] : NULL;
        if (first == 0 && nw == 3) {
            fprintf(stderr, "sinopsis sim: %s:%d: too many words after '%s'\n", path, lineno, step);
            bad = 1;
            break;
        }
        if (strcmp(step, "slap") == 0) {
            if (arg != NULL) {
                fprintf(stderr, "sinopsis sim: %s:%d: 'slap' takes no argument\n", path, lineno);
                bad = 1;
            }
            s->slap = 1;
            continue;
        }
        if (strcmp(step, "image") == 0) {
            if (arg == NULL || strlen(arg) >= sizeof(s->image)) {
                fprintf(stderr, "sinopsis sim: %s:%d: 'image' needs the path of a binary PGM\n", path, lineno);
                bad = 1;
            } else {
                strcpy(s->image, arg);
            }
            continue;
        }
        char *end = NULL;
        long value = arg != NULL ? strtol(arg, &end, 10) : 1;
        if (arg != NULL && (*end != '\0' || value < 1 || value > 1000000)) {
            fprintf(stderr, "sinopsis sim: %s:%d: '%s' is not a count from 1 to 1000000\n", path, lineno, arg);
            bad = 1;
            break;
        }
        if (strcmp(step, "sample") == 0) {
            if (value < 1 || value > 3) {
                fprintf(stderr, "sinopsis sim: %s:%d: 'sample' is 1, 2 or 3\n", path, lineno);
                bad = 1;
            }
            s->sample = (int)value;
            continue;
        }
        int kind = -1;
        for (int k = 0; k < (int)(sizeof(sim_kind_names) / sizeof(sim_kind_names[0])); k++) {
            if (strcmp(step, sim_kind_names[k]) == 0) kind = k;
        }
        if (kind < 0) {
            fprintf(stderr, "sinopsis sim: %s:%d: unknown step '%s' (absent, present, ramp, move, busy, timeout, "
                            "unplug, sample, image, slap)\n", path, lineno, step);
            bad = 1;
            break;
        }
        if (s->n == SIM_MAX_STEPS) {
            fprintf(stderr, "sinopsis sim: %s:%d: more than %d steps\n", path, lineno, SIM_MAX_STEPS);
            bad = 1;
            break;
        }
        s->steps[s->n].kind = kind;
        s->steps[s->n].count = (int)value;
        s->n++;
    }
    fclose(f);
    if (bad) return -1;
    if (s->n == 0) {
        memcpy(s->steps, defaults, (size_t)n_defaults * sizeof(sim_step));
        s->n = n_defaults;
    }
    return 0;
}

/* The behaviour of the next tick, advancing the script; *level is the image quality in per mille
 * (a ramp climbs from 0 to 1000 over its N ticks, everything else is 1000). */
static inline int sim_script_tick(sim_script *s, int *level) {
    const sim_step *st = &s->steps[s->cur];
    int idx = s->used;
    if (s->cur < s->n - 1 && idx + 1 >= st->count) {
        s->cur++;
        s->used = 0;
    } else if (s->used < INT_MAX / 2) {
        s->used++;
    }
    *level = st->kind == SIM_RAMP && idx < st->count ? (int)((long)idx * 1000 / st->count) : 1000;
    return st->kind;
}

/* Path of a sample image relative to this library: <dir of the .so>/../samples/<rel>. */
static inline int sim_sample_path(char *out, size_t size, const char *rel) {
    Dl_info info;
    if (dladdr((void *)&sim_sample_path, &info) == 0 || info.dli_fname == NULL) return -1;
    const char *slash = strrchr(info.dli_fname, '/');
    int dir_len = slash != NULL ? (int)(slash - info.dli_fname) : 1;
    const char *dir = slash != NULL ? info.dli_fname : ".";
    int n = snprintf(out, size, "%.*s/../samples/%s", dir_len, dir, rel);
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static inline int sim_pgm_int(FILE *f, int *value) {
    int c = fgetc(f);
    while (c != EOF && (isspace(c) || c == '#')) {
        if (c == '#') {
            while (c != EOF && c != '\n') c = fgetc(f);
        }
        c = fgetc(f);
    }
    long v = 0;
    if (c == EOF || !isdigit(c)) return -1;
    while (c != EOF && isdigit(c)) {
        v = v * 10 + (c - '0');
        if (v > 1000000) return -1;
        c = fgetc(f);
    }
    *value = (int)v;
    return 0;
}

/* Read a binary 8-bit PGM (P5, maxval 255) and centre it on a w x h canvas of `fill` (crop or pad).
 * Returns a malloc'ed w*h buffer, or NULL after printing why to stderr. */
static inline uint8_t *sim_load_pgm_fitted(const char *path, int w, int h, uint8_t fill) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "sinopsis sim: cannot open sample image %s\n", path);
        return NULL;
    }
    int pw = 0, ph = 0, maxval = 0;
    uint8_t *img = NULL;
    uint8_t *out = NULL;
    if (fgetc(f) != 'P' || fgetc(f) != '5' || sim_pgm_int(f, &pw) || sim_pgm_int(f, &ph) ||
        sim_pgm_int(f, &maxval) || maxval != 255 || pw < 1 || ph < 1) {
        fprintf(stderr, "sinopsis sim: %s is not an 8-bit binary PGM (P5, maxval 255)\n", path);
        goto done;
    }
    img = malloc((size_t)pw * (size_t)ph);
    out = malloc((size_t)w * (size_t)h);
    if (img == NULL || out == NULL || fread(img, 1, (size_t)pw * (size_t)ph, f) != (size_t)pw * (size_t)ph) {
        fprintf(stderr, "sinopsis sim: %s: truncated image or out of memory\n", path);
        free(out);
        out = NULL;
        goto done;
    }
    memset(out, fill, (size_t)w * (size_t)h);
    int ox = (pw - w) / 2, oy = (ph - h) / 2; /* source offset of the canvas (negative: pad) */
    for (int y = 0; y < h; y++) {
        int sy = y + oy;
        if (sy < 0 || sy >= ph) continue;
        for (int x = 0; x < w; x++) {
            int sx = x + ox;
            if (sx >= 0 && sx < pw) out[(size_t)y * (size_t)w + (size_t)x] = img[(size_t)sy * (size_t)pw + (size_t)sx];
        }
    }
done:
    free(img);
    fclose(f);
    return out;
}

/* dst = src blurred (box, radius shrinking as level rises) with contrast squeezed toward the mean:
 * level 0 is a smeared, washed-out frame, level 1000 the sample itself. tmp is w*h bytes of scratch. */
static inline void sim_degrade(const uint8_t *src, uint8_t *dst, uint8_t *tmp, int w, int h, int level) {
    size_t n = (size_t)w * (size_t)h;
    if (level >= 1000) {
        memcpy(dst, src, n);
        return;
    }
    int r = (1000 - level) * 6 / 1000 + 1;
    for (int y = 0; y < h; y++) { /* horizontal pass: src -> tmp */
        const uint8_t *row = src + (size_t)y * (size_t)w;
        for (int x = 0; x < w; x++) {
            int lo = x - r < 0 ? 0 : x - r, hi = x + r >= w ? w - 1 : x + r, sum = 0;
            for (int i = lo; i <= hi; i++) sum += row[i];
            tmp[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)(sum / (hi - lo + 1));
        }
    }
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++) total += src[i];
    int mean = (int)(total / n);
    int contrast = 150 + 850 * level / 1000; /* per mille */
    for (int y = 0; y < h; y++) { /* vertical pass: tmp -> dst, with the contrast squeeze */
        for (int x = 0; x < w; x++) {
            int lo = y - r < 0 ? 0 : y - r, hi = y + r >= h ? h - 1 : y + r, sum = 0;
            for (int i = lo; i <= hi; i++) sum += tmp[(size_t)i * (size_t)w + (size_t)x];
            int v = mean + (sum / (hi - lo + 1) - mean) * contrast / 1000;
            dst[(size_t)y * (size_t)w + (size_t)x] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
    }
}

#endif
