"""A progress line for loops that are not training steps (reading files, evaluation)."""
import sys
import time


class Progress:
    """``label done/total (rate/s, ETA)``: in place on a terminal, a plain line every 10% in a log."""

    def __init__(self, total, label, unit="items", stream=None):
        self.total = max(1, int(total))
        self.label, self.unit = label, unit
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.done = 0
        self.t0 = time.time()
        self._next_tick = 0.1

    def update(self, n):
        self.done += n
        frac = min(1.0, self.done / self.total)
        if not self.tty and frac < self._next_tick:
            return
        while self._next_tick <= frac:
            self._next_tick += 0.1
        elapsed = time.time() - self.t0
        rate = self.done / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.done) / rate if rate > 0 else 0.0
        line = (f"{self.label}: {self.done}/{self.total} {self.unit} "
                f"({rate:.0f}/s, ETA {eta:.0f}s)")
        self.stream.write(("\r" + line.ljust(78)) if self.tty else line + "\n")
        self.stream.flush()

    def close(self):
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
