"""Every screen in both languages at both sizes: rendered (not blank), no label's text overflows, and no touch
target is small (kiosk.testing.small_targets)."""

from pathlib import Path

import cv2

from sinopsis.screenshots import SIZES, render_everything, states


def test_every_screen_renders_in_both_languages_and_sizes_without_overflow_or_small_targets(tmp_path):
    results = render_everything(tmp_path)
    assert len(results) == len(SIZES) * 2 * len(list(states()))
    overflow = {png: labels for png, labels in results.items() if labels}
    assert not overflow
    for png in results:
        image = cv2.imread(png)
        width, height = (int(v) for v in png.rsplit("/", 1)[1].split("-")[0].split("x"))
        assert image.shape[:2] == (height, width), png
        assert image.std() > 10, f"{png} looks blank"
        assert (image < 80).mean() > 0.002, f"{png} has (almost) no dark text"
        assert Path(png).stat().st_mode & 0o777 == 0o600, f"{png}: a kiosk screenshot can show a student: 0600"
