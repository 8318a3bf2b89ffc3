"""The one check counter the Python tests share."""
import sys


class Checks:
    """check(condition, what) counts and reports; check.done() exits 0 or 1."""

    def __init__(self):
        self.checks = 0
        self.failures = 0

    def __call__(self, cond, what):
        self.checks += 1
        if not cond:
            self.failures += 1
            print("FAIL", what)
        return bool(cond)

    def done(self):
        print(f"{self.checks} checks, {self.failures} failed")
        sys.exit(1 if self.failures else 0)
