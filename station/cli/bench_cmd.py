"""`sinopsis bench`: speed ratios of our kernels against a baseline run in the same process."""

import argparse

from station.cli.common import print_json


def register(sub: argparse._SubParsersAction) -> None:
    """Add `bench`."""
    p = sub.add_parser("bench", help="measure our C kernels against the OpenCV/numpy way (ratios, same run)")
    p.add_argument("--repeat", type=int, default=30, help="timed calls per measurement (median is reported)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_bench)


def _bench(args: argparse.Namespace) -> int:
    from native.bench import sharpness_bench  # OpenCV is imported only when benchmarking

    rows = sharpness_bench(repeat=max(1, args.repeat))
    if args.json:
        print_json(rows)
        return 0
    print(f"{'kernel':<10} {'frame':<16} {'C ms':>8} {'cv2 CV_64F ms':>14} {'cv2 prealloc ms':>16} "
          f"{'x idiomatic':>12} {'x prealloc':>11}")
    for r in rows:
        print(f"{r['kernel']:<10} {r['frame']:<16} {r['c_ms']:>8.3f} {r['opencv_idiomatic_ms']:>14.3f} "
              f"{r['opencv_prealloc_ms']:>16.3f} {r['speedup_vs_idiomatic']:>12.1f} {r['speedup_vs_prealloc']:>11.1f}")
    return 0
