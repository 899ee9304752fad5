/* iddk2000.h: our declarations of the subset of IriTech's IDDK 2000 API (libIddk2000.so) that SINOPSIS uses.
 *
 * Written by us from IriTech's published IDDK 2000 API (the 2.x function set, where Iddk_GetResultImage takes
 * six arguments), not copied from the vendor's headers. One file serves two readers:
 *   - native/vendor/iritech.py: the cffi cdef (ABI mode, ffi.dlopen) is read from this file;
 *   - native/sim/iddk_sim.c: the simulated libIddk2000.so includes it, so the sim cannot drift from the binding.
 * Keep it cffi-parsable: plain C declarations, enum values as integer literals.
 *
 * Only the 2.x layout is declared here: Iddk_GetResultImage with six arguments and IddkImage with six fields.
 * Public headers of a later IDDK add a seventh argument to Iddk_GetResultImage and fields after imageDataLen;
 * native/vendor/iritech.py therefore asks Iddk_GetSdkVersion first and refuses any major version but 2
 * (docs/devices.md, "IriTech SDK versions").
 *
 * Every call returns an IddkResult (except Iddk_GetSdkVersion); IDDK_OK is success. Memory handed out by the SDK (device names, images)
 * belongs to the SDK and stays valid only until the next call on the device.
 */
#ifndef SINOPSIS_IDDK2000_H
#define SINOPSIS_IDDK2000_H

typedef void *HIRICAMM;

typedef enum _IddkResult_ {
    IDDK_OK = 0,
    IDDK_FAILED = 1,
    IDDK_DEVICE_NOT_FOUND = 2,
    IDDK_DEVICE_OPEN_FAILED = 3,
    IDDK_DEVICE_NOT_OPEN = 4,
    IDDK_DEVICE_ALREADY_OPEN = 5,
    IDDK_DEVICE_ACCESS_DENIED = 6,
    IDDK_TOO_MANY_OPEN_DEVICES = 7,
    IDDK_DEVICE_IO_FAILED = 8,
    IDDK_DEVICE_IO_TIMEOUT = 9,
    IDDK_DEVICE_IO_DATA_INVALID = 10,
    IDDK_UNSUPPORTED_IMAGE_FORMAT = 11,
    IDDK_MEMORY_ALLOCATION_FAILED = 12,
    IDDK_INVALID_MEMORY = 13,
    IDDK_INVALID_HANDLE = 14,
    IDDK_INVALID_PARAMETER = 15,
    IDDK_AUTHEN_FAILED = 16,
    IDDK_NOT_ENOUGH_BUFFER = 17,
    IDDK_VERSION_INCOMPATIBLE = 18,
    IDDK_THREAD_FAILED = 19,
    IDDK_UNSUPPORTED_COMMAND = 20,
    IDDK_IMAGE_CORRUPTED = 21,
    IDDK_WRONG_EYE_SUBTYPE = 22,
    IDDK_UNKNOWN_DEVICE = 23,
    IDDK_UNEXPECTED_ERROR = 255,
    IDDK_DEV_OUTOFMEMORY = 0x1001,
    IDDK_DEV_NOT_ENOUGH_MEMORY = 0x1002,
    IDDK_DEV_INSUFFICIENT_BUFFER = 0x1003,
    IDDK_DEV_INVALID_LICENSE = 0x1004,
    IDDK_DEV_IO_FAILED = 0x1005,
    IDDK_DEV_BAD_DATA = 0x1008,
    IDDK_DEV_FUNCTION_DISABLED = 0x1009,
    IDDK_DEV_LOCKED = 0x100A,
    IDDK_DEV_BUSY = 0x100B,
    IDDK_DEV_LOW_BATTERY = 0x1014,
    IDDK_DEV_RUNTIME_EXCEPTION = 0x10FF,
    IDDK_SE_NOT_INIT = 0x3001,
    IDDK_SE_NO_CAM = 0x3002,
    IDDK_SE_STARTSTOP_CAPTURE_FAILED = 0x3003,
    IDDK_SE_QM_FAILED = 0x3004,
    IDDK_SE_NO_FRAME_AVAILABLE = 0x3005,
    IDDK_SE_NO_QUALIFIED_FRAME = 0x3006,
    IDDK_SE_RIGHT_FRAME_UNQUALIFIED = 0x3007,
    IDDK_SE_LEFT_FRAME_UNQUALIFIED = 0x3008,
    IDDK_SE_COMPRESSION_FAILED = 0x3009
} IddkResult;

typedef enum _IddkCaptureMode_ {
    IDDK_TIMEBASED = 1,
    IDDK_FRAMEBASED = 2
} IddkCaptureMode;

typedef enum _IddkCaptureOperationMode_ {
    IDDK_AUTO_CAPTURE = 1,
    IDDK_OPERATOR_INITIATED_AUTO_CAPTURE = 2
} IddkCaptureOperationMode;

typedef enum _IddkQualityMode_ {
    IDDK_QUALITY_NORMAL = 1,
    IDDK_QUALITY_HIGH = 2,
    IDDK_QUALITY_VERY_HIGH = 3
} IddkQualityMode;

typedef enum _IddkCaptureStatus_ {
    IDDK_IDLE = 0,
    IDDK_READY = 1,
    IDDK_CAPTURING = 2,
    IDDK_COMPLETE = 3,
    IDDK_ABORT = 5
} IddkCaptureStatus;

/* ISO/IEC 19794-6 image kinds: K1/K2 are 640x480 rectilinear images. */
typedef enum _IddkImageKind_ {
    IDDK_IKIND_UNKNOWN = 0,
    IDDK_IKIND_K1 = 1,
    IDDK_IKIND_K2 = 2,
    IDDK_IKIND_K3 = 3,
    IDDK_IKIND_K7 = 7
} IddkImageKind;

typedef enum _IddkImageFormat_ {
    IDDK_IFORMAT_MONO_RAW = 0x02,
    IDDK_IFORMAT_MONO_JPEG = 0x06,
    IDDK_IFORMAT_MONO_JPEG2000 = 0x0A,
    IDDK_IFORMAT_MONO_PNG = 0x0E
} IddkImageFormat;

/* On a binocular camera the result array is indexed by eye: [0] right, [1] left (subtype - 1). */
typedef enum _IddkEyeSubtype_ {
    IDDK_UNKNOWN_EYE = 0,
    IDDK_RIGHT_EYE = 1,
    IDDK_LEFT_EYE = 2,
    IDDK_BOTH_EYE = 3
} IddkEyeSubtype;

typedef struct _IddkImage_ {
    unsigned char imageKind;
    unsigned char imageFormat;
    int imageWidth;
    int imageHeight;
    unsigned char *imageData;
    int imageDataLen;
} IddkImage;

/* Optional completion callback of Iddk_StartCapture; SINOPSIS passes NULL and polls the status instead. */
typedef void (*IDDKCAPTUREPROC)(void *pParam, IddkImage *pImages, int nMaxEyeSubtypes,
                                IddkCaptureStatus *pCaptureStatus, IddkResult *pCaptureError);

/* The SDK's version, packed: major in bits 31-24, minor in bits 23-16, build in bits 7-0 (bits 15-8 unused). */
unsigned int Iddk_GetSdkVersion(void);

IddkResult Iddk_ScanDevices(const char ***ppDeviceDescs, int *pnDevicesCount);
IddkResult Iddk_OpenDevice(const char *pDeviceDesc, HIRICAMM *phDevice);
IddkResult Iddk_CloseDevice(HIRICAMM hDevice);
IddkResult Iddk_InitCamera(HIRICAMM hDevice, int *pnImageWidth, int *pnImageHeight);
IddkResult Iddk_DeinitCamera(HIRICAMM hDevice);
IddkResult Iddk_StartCapture(HIRICAMM hDevice, IddkCaptureMode captureMode, int nCaptureModeParam,
                             IddkQualityMode qualityMode, IddkCaptureOperationMode operationMode,
                             IddkEyeSubtype eyeSubtype, unsigned char bAutoLeds, IDDKCAPTUREPROC captureProc,
                             void *pParam);
IddkResult Iddk_GetCaptureStatus(HIRICAMM hDevice, IddkCaptureStatus *pCaptureStatus);
/* The camera's live frames while it captures (the operator's preview): the images are valid until the next call. */
IddkResult Iddk_GetStreamImage(HIRICAMM hDevice, IddkImage **pImages, int *pnMaxEyeSubtypes,
                               IddkCaptureStatus *pCaptureStatus);
IddkResult Iddk_GetResultImage(HIRICAMM hDevice, IddkImageKind imageKind, IddkImageFormat imageFormat,
                               unsigned char nCompressionQuality, IddkImage **pImages, int *pnMaxEyeSubtypes);
IddkResult Iddk_StopCapture(HIRICAMM hDevice);

#endif
