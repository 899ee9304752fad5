"""native: the C quality kernels and vendor-SDK bindings, reached through cffi.

Callers use the checked wrappers in this package; the raw `native._native` extension is private.
"""
