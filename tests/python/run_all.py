"""Run the Python suite, then check that it called every exported C function.

The second check is a test of its own: the bindings count calls per C
function when LOYALTY_COUNT_CALLS=1 (set by run.sh), and every name in
tests/symbols.txt must have been called at least once by the suite.
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main() -> int:
    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    ok = result.wasSuccessful()
    from loyalty import _lib
    with open(os.environ["LOYALTY_SYMBOLS"]) as f:
        symbols = [line.strip() for line in f if line.strip()]
    missing = [s for s in symbols if _lib.call_counts.get(s, 0) == 0]
    print(f"\ncoverage: {len(symbols) - len(missing)} of {len(symbols)} exported functions "
          f"called by the suite")
    if missing:
        print("FAIL: never called from Python: " + " ".join(missing))
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
