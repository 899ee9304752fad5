"""native: the C quality kernels and vendor-SDK bindings, reached through cffi.

Callers use the checked wrappers in this package; the raw `native._native` extension is private.

Per-frame analyzers (C, buffers preallocated once per frame size, ValueError for a frame they cannot read):
`face.FaceQuality`, `fingerprint.FingerQuality` and `fingerprint.SlapSegmenter`, `iris.IrisQuality`,
`motion.StillnessGate`, plus the common meters `image_stats.ExposureMeter` and `sharpness.SharpnessMeter`.
The slow reference scorer for a candidate fingerprint (NIST NFIQ 2) is `confirm.Nfiq2Scorer`, run off the
caller's thread by `confirm.ConfirmWorker`. Vendor scanner SDKs are bound in `native.vendor`; their simulators
live in `native/sim/`.
"""
