"""A terminal progress bar with rate and ETA (stderr, redrawn at most 5 times a second)."""

import sys
import time


class Progress:
    def __init__(self, label, total, stream=None, enabled=True):
        self.label = label
        self.total = max(total or 0, 0)
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.done = 0
        self.start = time.monotonic()
        self.last = 0.0

    def advance(self, count=1):
        self.done += count
        # called for every legacy row: the clock is read every 256th only
        if self.enabled and not self.done & 255:
            now = time.monotonic()
            if now - self.last >= 0.2:
                self.last = now
                self._draw(now)

    def update(self, done):
        """Set the count (rows counted elsewhere, e.g. by other processes)."""
        self.done = done
        now = time.monotonic()
        if self.enabled and now - self.last >= 0.2:
            self.last = now
            self._draw(now)

    def _draw(self, now, end="\r"):
        elapsed = max(now - self.start, 1e-6)
        rate = self.done / elapsed
        if self.total:
            share = min(self.done / self.total, 1.0)
            bar = "#" * int(share * 30)
            remaining = (self.total - self.done) / rate if rate else 0
            text = (f"{self.label:<12} [{bar:<30}] {self.done:>9,}/{self.total:,} {share:6.1%} "
                    f"{rate:>9,.0f}/s ETA {_clock(max(remaining, 0))}")
        else:
            text = f"{self.label:<12} {self.done:>9,} {rate:>9,.0f}/s"
        self.stream.write(text + end)
        self.stream.flush()

    def finish(self):
        if self.enabled:
            self._draw(time.monotonic(), end="\n")
        return self.done / max(time.monotonic() - self.start, 1e-6)


def _clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
