/* ftrscan_sim.c: a simulated Futronic scanner, built as libScanAPI.so with exactly the functions that
 * native/vendor/ftrScanAPI.h declares, so native/vendor/futronic.py loads it like the real SDK.
 *
 * It behaves as an FS88-class scanner (320 x 480, 500 ppi; or, with the script setting `slap`, an FS64-class
 * 1600 x 1500 slap platen) serving a centred crop of a sample print (or the script's `image`) from
 * native/samples/fingerprint/, driven by the script in $SINOPSIS_SIM_SCRIPT (see sim_common.h and
 * docs/devices.md). Errors follow the SDK's convention: FALSE/NULL, then ftrScanGetLastError().
 * Codes chosen for situations the SDK documents loosely: busy -> FTR_ERROR_NOT_READY, timeout ->
 * FTR_ERROR_TIMEOUT, unplugged -> FTR_ERROR_LIBUSB_ERROR (open: FTR_ERROR_NO_MORE_ITEMS, none found).
 */
#define _GNU_SOURCE
#include "sim_common.h"

#include "ftrScanAPI.h"

#define SIM_WIDTH 320 /* FS88-class single-finger sensor */
#define SIM_HEIGHT 480
#define SLAP_WIDTH 1600 /* FS64-class 4-4-2 slap platen (script setting `slap`) */
#define SLAP_HEIGHT 1500

typedef struct {
    int open;
    int unplugged;
    int width, height;
    sim_script script;
    uint8_t *base; /* the sample fitted to the sensor */
    uint8_t *tmp;  /* scratch for sim_degrade */
} ftr_sim_device;

static ftr_sim_device g_dev;
static __thread FTR_DWORD g_last_error;

static const sim_step ftr_defaults[] = {{SIM_ABSENT, 2}, {SIM_PRESENT, 1}};

SIM_EXPORT void ftrScanSetLastError(FTR_DWORD dwErrCode) { g_last_error = dwErrCode; }

SIM_EXPORT FTR_DWORD ftrScanGetLastError(void) { return g_last_error; }

static FTR_BOOL ftr_fail(FTR_DWORD code) {
    g_last_error = code;
    return 0;
}

/* 1 when the handle is our open device; else sets the last error. */
static int ftr_check(FTRHANDLE h) {
    if (h != (FTRHANDLE)&g_dev || !g_dev.open) return ftr_fail(FTR_ERROR_INVALID_PARAMETER), 0;
    if (g_dev.unplugged) return ftr_fail(FTR_ERROR_LIBUSB_ERROR), 0;
    return 1;
}

SIM_EXPORT FTRHANDLE ftrScanOpenDevice(void) {
    if (g_dev.open) return ftr_fail(FTR_ERROR_NO_MORE_ITEMS), NULL; /* the one scanner is in use */
    if (sim_script_load(&g_dev.script, "finger", ftr_defaults, 2) != 0) {
        return ftr_fail(FTR_ERROR_BAD_CONFIGURATION), NULL;
    }
    if (g_dev.script.steps[0].kind == SIM_UNPLUG) return ftr_fail(FTR_ERROR_NO_MORE_ITEMS), NULL;
    char path[PATH_MAX];
    if (g_dev.script.image[0] != '\0') {
        snprintf(path, sizeof(path), "%s", g_dev.script.image);
    } else {
        char rel[64];
        snprintf(rel, sizeof(rel), "fingerprint/SFinGe_Test%02d.pgm", g_dev.script.sample);
        if (sim_sample_path(path, sizeof(path), rel) != 0) return ftr_fail(FTR_ERROR_BAD_CONFIGURATION), NULL;
    }
    g_dev.width = g_dev.script.slap ? SLAP_WIDTH : SIM_WIDTH;
    g_dev.height = g_dev.script.slap ? SLAP_HEIGHT : SIM_HEIGHT;
    g_dev.base = sim_load_pgm_fitted(path, g_dev.width, g_dev.height, 255);
    g_dev.tmp = malloc((size_t)g_dev.width * (size_t)g_dev.height);
    if (g_dev.base == NULL || g_dev.tmp == NULL) {
        free(g_dev.base);
        free(g_dev.tmp);
        g_dev.base = g_dev.tmp = NULL;
        return ftr_fail(FTR_ERROR_BAD_CONFIGURATION), NULL;
    }
    g_dev.open = 1;
    g_dev.unplugged = 0;
    g_last_error = FTR_ERROR_NO_ERROR;
    return (FTRHANDLE)&g_dev;
}

SIM_EXPORT void ftrScanCloseDevice(FTRHANDLE ftrHandle) {
    if (ftrHandle != (FTRHANDLE)&g_dev || !g_dev.open) return;
    free(g_dev.base);
    free(g_dev.tmp);
    g_dev.base = g_dev.tmp = NULL;
    g_dev.open = 0;
}

SIM_EXPORT FTR_BOOL ftrScanGetImageSize(FTRHANDLE ftrHandle, PFTRSCAN_IMAGE_SIZE pImageSize) {
    if (!ftr_check(ftrHandle)) return 0;
    if (pImageSize == NULL) return ftr_fail(FTR_ERROR_NULL_PARAMETER);
    pImageSize->nWidth = g_dev.width;
    pImageSize->nHeight = g_dev.height;
    pImageSize->nImageSize = g_dev.width * g_dev.height;
    return 1;
}

static void ftr_fill_parameters(PFTRSCAN_FRAME_PARAMETERS p, int level) {
    if (p == NULL) return;
    memset(p, 0, sizeof(*p));
    p->nDose = 4;
    p->nContrastOnDose2 = p->nContrastOnDose4 = 40 + level / 20;
    p->nBrightnessOnDose1 = p->nBrightnessOnDose2 = p->nBrightnessOnDose3 = p->nBrightnessOnDose4 = 128;
}

/* One tick of the script; returns its kind, or -1 after setting the last error for busy/timeout/unplug. */
static int ftr_tick(int *level) {
    int kind = sim_script_tick(&g_dev.script, level);
    switch (kind) {
    case SIM_BUSY: return ftr_fail(FTR_ERROR_NOT_READY), -1;
    case SIM_TIMEOUT: return ftr_fail(FTR_ERROR_TIMEOUT), -1;
    case SIM_UNPLUG: g_dev.unplugged = 1; return ftr_fail(FTR_ERROR_LIBUSB_ERROR), -1;
    default: return kind;
    }
}

SIM_EXPORT FTR_BOOL ftrScanIsFingerPresent(FTRHANDLE ftrHandle, PFTRSCAN_FRAME_PARAMETERS pFrameParameters) {
    if (!ftr_check(ftrHandle)) return 0;
    int level = 0;
    int kind = ftr_tick(&level);
    if (kind < 0) return 0;
    if (kind == SIM_ABSENT) return ftr_fail(FTR_ERROR_EMPTY_FRAME);
    ftr_fill_parameters(pFrameParameters, level);
    return 1;
}

SIM_EXPORT FTR_BOOL ftrScanGetFrame(FTRHANDLE ftrHandle, FTR_PVOID pBuffer,
                                    PFTRSCAN_FRAME_PARAMETERS pFrameParameters) {
    if (!ftr_check(ftrHandle)) return 0;
    if (pBuffer == NULL) return ftr_fail(FTR_ERROR_NULL_PARAMETER);
    int level = 0;
    int kind = ftr_tick(&level);
    if (kind < 0) return 0;
    if (kind == SIM_ABSENT) return ftr_fail(FTR_ERROR_EMPTY_FRAME);
    if (kind == SIM_MOVE) return ftr_fail(FTR_ERROR_MOVABLE_FINGER);
    sim_degrade(g_dev.base, (uint8_t *)pBuffer, g_dev.tmp, g_dev.width, g_dev.height, level);
    ftr_fill_parameters(pFrameParameters, level);
    g_last_error = FTR_ERROR_NO_ERROR;
    return 1;
}
