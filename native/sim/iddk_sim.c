/* iddk_sim.c: a simulated IriTech binocular iris camera, built as libIddk2000.so with exactly the functions
 * that native/vendor/iddk2000.h declares, so native/vendor/iritech.py loads it like the real IDDK 2000.
 *
 * Serves 640 x 480 K2 raw images made from native/samples/iris/open-iris-anonymized.pgm (the right eye; the
 * left eye is its mirror image), driven by the script in $SINOPSIS_SIM_SCRIPT (see sim_common.h and
 * docs/devices.md). While capturing, each Iddk_GetCaptureStatus is a tick: absent/move keep it CAPTURING,
 * present/ramp complete it (a ramp gives blurred results first), busy -> IDDK_DEV_BUSY, timeout ->
 * IDDK_DEVICE_IO_TIMEOUT, unplug -> IDDK_DEVICE_IO_FAILED from then on (scan/open: IDDK_DEVICE_NOT_FOUND).
 * The capture callback of Iddk_StartCapture is not called: the simulator is polled. Iddk_GetStreamImage gives the
 * live frames of the capture under way without ticking the script: soft (the eye not yet in focus) until the
 * capture completes, then the result's sharpness.
 *
 * Iddk_GetSdkVersion reports 2.0.0, or the MAJOR.MINOR.BUILD in $SINOPSIS_SIM_IDDK_VERSION (read at every call,
 * since the binding asks before any device is opened), so tests can present an SDK the binding must refuse.
 * Built with -DIDDK_SIM_WITHOUT_VERSION it does not export Iddk_GetSdkVersion at all (a library that cannot say
 * its version). Only the version changes: images are always served in the 2.x layout of iddk2000.h.
 */
#define _GNU_SOURCE
#include "sim_common.h"

#include "iddk2000.h"

#define SIM_WIDTH 640
#define SIM_HEIGHT 480
#define SIM_DEVICE_NAME "SINOPSIS-SIM-IRIS-0001"
#define SIM_ENV_IDDK_VERSION "SINOPSIS_SIM_IDDK_VERSION"
#define SIM_DEFAULT_VERSION 0x02000000u /* 2.0.0 */

typedef struct {
    int open;
    int inited;
    int unplugged;
    IddkCaptureStatus status;
    IddkEyeSubtype eye;
    int level;
    sim_script script;
    uint8_t *base[2]; /* [0] right eye (the sample), [1] left eye (mirrored) */
    uint8_t *out[2];
    uint8_t *tmp;
    IddkImage images[2];
} iddk_sim_device;

static iddk_sim_device g_dev;
static const char *g_names[1] = {SIM_DEVICE_NAME};
static const sim_step iddk_defaults[] = {{SIM_ABSENT, 2}, {SIM_PRESENT, 1}};

static void iddk_free(void) {
    for (int i = 0; i < 2; i++) {
        free(g_dev.base[i]);
        free(g_dev.out[i]);
        g_dev.base[i] = g_dev.out[i] = NULL;
    }
    free(g_dev.tmp);
    g_dev.tmp = NULL;
}

static IddkResult iddk_check(HIRICAMM h) {
    if (h != (HIRICAMM)&g_dev) return IDDK_INVALID_HANDLE;
    if (!g_dev.open) return IDDK_DEVICE_NOT_OPEN;
    if (g_dev.unplugged) return IDDK_DEVICE_IO_FAILED;
    return IDDK_OK;
}

/* 1 when the device would be found now: the script does not start unplugged (a bad script is reported by
 * Iddk_OpenDevice, which reads it again). */
static int iddk_present(void) {
    static sim_script probe;
    if (sim_script_load(&probe, "iris", iddk_defaults, 2) != 0) return 1;
    return probe.steps[0].kind != SIM_UNPLUG;
}

#ifndef IDDK_SIM_WITHOUT_VERSION
/* 2.0.0, or $SINOPSIS_SIM_IDDK_VERSION as MAJOR.MINOR.BUILD (each 0-255) packed as the SDK packs it; a value that
 * is not one reports 0.0.0 (a version nobody binds) after saying why on stderr. */
SIM_EXPORT unsigned int Iddk_GetSdkVersion(void) {
    const char *text = getenv(SIM_ENV_IDDK_VERSION);
    if (text == NULL || text[0] == '\0') return SIM_DEFAULT_VERSION;
    unsigned int major = 0, minor = 0, build = 0;
    char extra = '\0';
    if (sscanf(text, "%u.%u.%u%c", &major, &minor, &build, &extra) != 3 || major > 255 || minor > 255 ||
        build > 255 || !isdigit((unsigned char)text[0])) {
        fprintf(stderr, "sinopsis sim: %s=%s is not MAJOR.MINOR.BUILD (each 0-255); reporting 0.0.0\n",
                SIM_ENV_IDDK_VERSION, text);
        return 0;
    }
    return major << 24 | minor << 16 | build;
}
#endif

SIM_EXPORT IddkResult Iddk_ScanDevices(const char ***ppDeviceDescs, int *pnDevicesCount) {
    if (ppDeviceDescs == NULL || pnDevicesCount == NULL) return IDDK_INVALID_PARAMETER;
    int present = g_dev.open ? !g_dev.unplugged : iddk_present();
    *ppDeviceDescs = present ? g_names : NULL;
    *pnDevicesCount = present;
    return present ? IDDK_OK : IDDK_DEVICE_NOT_FOUND;
}

SIM_EXPORT IddkResult Iddk_OpenDevice(const char *pDeviceDesc, HIRICAMM *phDevice) {
    if (pDeviceDesc == NULL || phDevice == NULL) return IDDK_INVALID_PARAMETER;
    if (strcmp(pDeviceDesc, SIM_DEVICE_NAME) != 0) return IDDK_DEVICE_NOT_FOUND;
    if (g_dev.open) return IDDK_DEVICE_ALREADY_OPEN;
    if (sim_script_load(&g_dev.script, "iris", iddk_defaults, 2) != 0) return IDDK_DEVICE_OPEN_FAILED;
    if (g_dev.script.steps[0].kind == SIM_UNPLUG) return IDDK_DEVICE_NOT_FOUND;
    char path[PATH_MAX];
    if (g_dev.script.image[0] != '\0') {
        snprintf(path, sizeof(path), "%s", g_dev.script.image);
    } else if (sim_sample_path(path, sizeof(path), "iris/open-iris-anonymized.pgm") != 0) {
        return IDDK_DEVICE_OPEN_FAILED;
    }
    size_t n = (size_t)SIM_WIDTH * SIM_HEIGHT;
    g_dev.base[0] = sim_load_pgm_fitted(path, SIM_WIDTH, SIM_HEIGHT, 0);
    g_dev.base[1] = malloc(n);
    g_dev.out[0] = malloc(n);
    g_dev.out[1] = malloc(n);
    g_dev.tmp = malloc(n);
    if (!g_dev.base[0] || !g_dev.base[1] || !g_dev.out[0] || !g_dev.out[1] || !g_dev.tmp) {
        iddk_free();
        return IDDK_DEVICE_OPEN_FAILED;
    }
    for (int y = 0; y < SIM_HEIGHT; y++) {
        for (int x = 0; x < SIM_WIDTH; x++) {
            g_dev.base[1][y * SIM_WIDTH + x] = g_dev.base[0][y * SIM_WIDTH + (SIM_WIDTH - 1 - x)];
        }
    }
    g_dev.open = 1;
    g_dev.inited = 0;
    g_dev.unplugged = 0;
    g_dev.status = IDDK_IDLE;
    *phDevice = (HIRICAMM)&g_dev;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_CloseDevice(HIRICAMM hDevice) {
    if (hDevice != (HIRICAMM)&g_dev) return IDDK_INVALID_HANDLE;
    if (!g_dev.open) return IDDK_DEVICE_NOT_OPEN;
    iddk_free();
    g_dev.open = 0;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_InitCamera(HIRICAMM hDevice, int *pnImageWidth, int *pnImageHeight) {
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    if (pnImageWidth == NULL || pnImageHeight == NULL) return IDDK_INVALID_PARAMETER;
    *pnImageWidth = SIM_WIDTH;
    *pnImageHeight = SIM_HEIGHT;
    g_dev.inited = 1;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_DeinitCamera(HIRICAMM hDevice) {
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    g_dev.inited = 0;
    g_dev.status = IDDK_IDLE;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_StartCapture(HIRICAMM hDevice, IddkCaptureMode captureMode, int nCaptureModeParam,
                                        IddkQualityMode qualityMode, IddkCaptureOperationMode operationMode,
                                        IddkEyeSubtype eyeSubtype, unsigned char bAutoLeds,
                                        IDDKCAPTUREPROC captureProc, void *pParam) {
    (void)bAutoLeds;
    (void)captureProc;
    (void)pParam;
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    if (!g_dev.inited) return IDDK_SE_NOT_INIT;
    if (g_dev.status == IDDK_CAPTURING) return IDDK_SE_STARTSTOP_CAPTURE_FAILED;
    if ((captureMode != IDDK_TIMEBASED && captureMode != IDDK_FRAMEBASED) || nCaptureModeParam < 0 ||
        qualityMode < IDDK_QUALITY_NORMAL || qualityMode > IDDK_QUALITY_VERY_HIGH ||
        (operationMode != IDDK_AUTO_CAPTURE && operationMode != IDDK_OPERATOR_INITIATED_AUTO_CAPTURE)) {
        return IDDK_INVALID_PARAMETER;
    }
    if (eyeSubtype < IDDK_UNKNOWN_EYE || eyeSubtype > IDDK_BOTH_EYE) return IDDK_WRONG_EYE_SUBTYPE;
    g_dev.eye = eyeSubtype;
    g_dev.status = IDDK_CAPTURING;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_GetCaptureStatus(HIRICAMM hDevice, IddkCaptureStatus *pCaptureStatus) {
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    if (pCaptureStatus == NULL) return IDDK_INVALID_PARAMETER;
    if (g_dev.status == IDDK_CAPTURING) {
        int level = 1000;
        switch (sim_script_tick(&g_dev.script, &level)) {
        case SIM_BUSY: return IDDK_DEV_BUSY;
        case SIM_TIMEOUT: return IDDK_DEVICE_IO_TIMEOUT;
        case SIM_UNPLUG: g_dev.unplugged = 1; return IDDK_DEVICE_IO_FAILED;
        case SIM_PRESENT:
        case SIM_RAMP:
            g_dev.level = level;
            g_dev.status = IDDK_COMPLETE;
            break;
        default: break; /* absent, move: still looking for a good eye */
        }
    }
    *pCaptureStatus = g_dev.status;
    return IDDK_OK;
}

#define SIM_STREAM_LEVEL 250 /* how sharp a live frame is before the capture completes (1000: the sample itself) */

static void iddk_fill(IddkImageKind kind, int level) {
    for (int i = 0; i < 2; i++) {
        int wanted = g_dev.eye == IDDK_BOTH_EYE || g_dev.eye == IDDK_UNKNOWN_EYE || (int)g_dev.eye == i + 1;
        IddkImage *img = &g_dev.images[i];
        memset(img, 0, sizeof(*img));
        if (!wanted) continue;
        sim_degrade(g_dev.base[i], g_dev.out[i], g_dev.tmp, SIM_WIDTH, SIM_HEIGHT, level);
        img->imageKind = (unsigned char)kind;
        img->imageFormat = (unsigned char)IDDK_IFORMAT_MONO_RAW;
        img->imageWidth = SIM_WIDTH;
        img->imageHeight = SIM_HEIGHT;
        img->imageData = g_dev.out[i];
        img->imageDataLen = SIM_WIDTH * SIM_HEIGHT;
    }
}

SIM_EXPORT IddkResult Iddk_GetStreamImage(HIRICAMM hDevice, IddkImage **pImages, int *pnMaxEyeSubtypes,
                                          IddkCaptureStatus *pCaptureStatus) {
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    if (pImages == NULL || pnMaxEyeSubtypes == NULL || pCaptureStatus == NULL) return IDDK_INVALID_PARAMETER;
    if (g_dev.status != IDDK_CAPTURING && g_dev.status != IDDK_COMPLETE) return IDDK_SE_NO_FRAME_AVAILABLE;
    iddk_fill(IDDK_IKIND_K2, g_dev.status == IDDK_COMPLETE ? g_dev.level : SIM_STREAM_LEVEL);
    *pImages = g_dev.images;
    *pnMaxEyeSubtypes = 2;
    *pCaptureStatus = g_dev.status;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_GetResultImage(HIRICAMM hDevice, IddkImageKind imageKind, IddkImageFormat imageFormat,
                                          unsigned char nCompressionQuality, IddkImage **pImages,
                                          int *pnMaxEyeSubtypes) {
    (void)nCompressionQuality;
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    if (pImages == NULL || pnMaxEyeSubtypes == NULL) return IDDK_INVALID_PARAMETER;
    if (g_dev.status != IDDK_COMPLETE) return IDDK_SE_NO_FRAME_AVAILABLE;
    if (imageFormat != IDDK_IFORMAT_MONO_RAW || (imageKind != IDDK_IKIND_K1 && imageKind != IDDK_IKIND_K2)) {
        return IDDK_UNSUPPORTED_IMAGE_FORMAT;
    }
    iddk_fill(imageKind, g_dev.level);
    *pImages = g_dev.images;
    *pnMaxEyeSubtypes = 2;
    return IDDK_OK;
}

SIM_EXPORT IddkResult Iddk_StopCapture(HIRICAMM hDevice) {
    IddkResult r = iddk_check(hDevice);
    if (r != IDDK_OK) return r;
    g_dev.status = IDDK_IDLE;
    return IDDK_OK;
}
