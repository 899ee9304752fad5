/* ftrScanAPI.h: our declarations of the subset of Futronic's scanner API (libScanAPI.so) that SINOPSIS uses.
 *
 * Written by us from Futronic's published API (ftrScanAPI programming manual and the SDK's Linux samples),
 * not copied from the vendor's header. One file serves two readers:
 *   - native/vendor/futronic.py: the cffi cdef (ABI mode, ffi.dlopen) is read from this file;
 *   - native/sim/ftrscan_sim.c: the simulated libScanAPI.so includes it, so the sim cannot drift from the binding.
 * Keep it cffi-parsable: plain C declarations, and #define lines whose value is a single integer literal.
 *
 * On Unix the vendor packs its structs (1-byte alignment, FTR_PACKED); FTRSCAN_FRAME_PARAMETERS depends on it.
 * The binding loads this cdef with packed=True. Errors are reported the Windows way: a function returns FALSE
 * (or NULL) and ftrScanGetLastError() gives the code.
 */
#ifndef SINOPSIS_FTRSCANAPI_H
#define SINOPSIS_FTRSCANAPI_H

#ifndef FTR_PACKED
#define FTR_PACKED __attribute__((packed))
#endif

/* Error codes (ftrScanGetLastError). The FTR_ERROR_CODE(x) family is 0x20000000 | x; the rest are
 * Windows-compatible system error numbers, as the SDK documents. */
#define FTR_ERROR_NO_ERROR 0
#define FTR_ERROR_EMPTY_FRAME 4306
#define FTR_ERROR_MOVABLE_FINGER 0x20000001
#define FTR_ERROR_NO_FRAME 0x20000002
#define FTR_ERROR_USER_CANCELED 0x20000003
#define FTR_ERROR_HARDWARE_INCOMPATIBLE 0x20000004
#define FTR_ERROR_FIRMWARE_INCOMPATIBLE 0x20000005
#define FTR_ERROR_INVALID_AUTHORIZATION_CODE 0x20000006
#define FTR_ERROR_NULL_PARAMETER 0x20000010
#define FTR_ERROR_LIBUSB_ERROR 0x20000011
#define FTR_ERROR_NOT_ENOUGH_MEMORY 8
#define FTR_ERROR_WRITE_PROTECT 19
#define FTR_ERROR_NOT_READY 21
#define FTR_ERROR_NOT_SUPPORTED 50
#define FTR_ERROR_INVALID_PARAMETER 87
#define FTR_ERROR_CALL_NOT_IMPLEMENTED 120
#define FTR_ERROR_NO_MORE_ITEMS 259
#define FTR_ERROR_NO_SYSTEM_RESOURCES 1450
#define FTR_ERROR_TIMEOUT 1460
#define FTR_ERROR_BAD_CONFIGURATION 1610

typedef void *FTRHANDLE;
typedef int FTR_BOOL;
typedef unsigned int FTR_DWORD;
typedef unsigned char FTR_BYTE;
typedef void *FTR_PVOID;

/* Size of the frames the open scanner delivers: nImageSize = nWidth * nHeight bytes, 8-bit grey, row-major. */
typedef struct FTR_PACKED __FTRSCAN_IMAGE_SIZE {
    int nWidth;
    int nHeight;
    int nImageSize;
} FTRSCAN_IMAGE_SIZE, *PFTRSCAN_IMAGE_SIZE;

/* Live-finger-detection figures the scanner fills in beside a frame (may be left unset). */
typedef struct FTR_PACKED __FTRSCAN_FAKE_REPLICA_PARAMETERS {
    FTR_BOOL bCalculated;
    int nCalculatedSum1;
    int nCalculatedSumFuzzy;
    int nCalculatedSumEmpty;
    int nCalculatedSum2;
    double dblCalculatedTremor;
    double dblCalculatedValue;
} FTRSCAN_FAKE_REPLICA_PARAMETERS, *PFTRSCAN_FAKE_REPLICA_PARAMETERS;

/* Per-frame exposure figures; 92 bytes on Unix (packed): 7 ints, the 36-byte struct above, 28 reserved. */
typedef struct FTR_PACKED __FTRSCAN_FRAME_PARAMETERS {
    int nContrastOnDose2;
    int nContrastOnDose4;
    int nDose;
    int nBrightnessOnDose1;
    int nBrightnessOnDose2;
    int nBrightnessOnDose3;
    int nBrightnessOnDose4;
    FTRSCAN_FAKE_REPLICA_PARAMETERS FakeReplicaParams;
    FTR_BYTE Reserved[28];
} FTRSCAN_FRAME_PARAMETERS, *PFTRSCAN_FRAME_PARAMETERS;

/* The first scanner found, or NULL (ftrScanGetLastError says why, e.g. FTR_ERROR_NO_MORE_ITEMS: none found). */
FTRHANDLE ftrScanOpenDevice(void);
void ftrScanCloseDevice(FTRHANDLE ftrHandle);
FTR_BOOL ftrScanGetImageSize(FTRHANDLE ftrHandle, PFTRSCAN_IMAGE_SIZE pImageSize);
/* TRUE when a finger lies on the platen; FALSE otherwise (last error FTR_ERROR_EMPTY_FRAME) or on failure. */
FTR_BOOL ftrScanIsFingerPresent(FTRHANDLE ftrHandle, PFTRSCAN_FRAME_PARAMETERS pFrameParameters);
/* Fills pBuffer (nImageSize bytes) with one frame; pFrameParameters may be NULL. */
FTR_BOOL ftrScanGetFrame(FTRHANDLE ftrHandle, FTR_PVOID pBuffer, PFTRSCAN_FRAME_PARAMETERS pFrameParameters);
FTR_DWORD ftrScanGetLastError(void);
void ftrScanSetLastError(FTR_DWORD dwErrCode);

#endif
