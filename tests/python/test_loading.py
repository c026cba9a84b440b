"""Library loading, the version check and the one table of C functions."""
import os
import subprocess
import sys
import unittest

import loyalty
from loyalty import _lib


class LoadingTest(unittest.TestCase):
    def test_version_matches_loaded_library(self):
        v = loyalty.version()
        self.assertEqual(v.split(".")[0], str(_lib.REQUIRED_MAJOR))
        self.assertEqual(tuple(int(x) for x in v.split(".")), _lib.core().version)
        self.assertEqual(loyalty.library_path(), os.environ["LOYALTY_LIBRARY"])

    def test_env_var_comes_first(self):
        self.assertEqual(_lib.candidates("loyalty"),
                         [("$LOYALTY_LIBRARY", os.environ["LOYALTY_LIBRARY"])])

    def _run(self, env_changes, code="import loyalty; loyalty.version()"):
        env = dict(os.environ, **env_changes)
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True)

    def test_bad_env_var_is_an_error_naming_the_file(self):
        r = self._run({"LOYALTY_LIBRARY": "/nonexistent/libloyalty.so"})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("LibraryError", r.stderr)
        self.assertIn("/nonexistent/libloyalty.so", r.stderr)

    def test_other_major_version_refused(self):
        code = ("from loyalty import _lib; _lib.REQUIRED_MAJOR = 99\n"
                "import loyalty; loyalty.version()")
        r = self._run({}, code)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("need major version 99", r.stderr)
        self.assertIn(os.environ["LOYALTY_LIBRARY"], r.stderr)

    def test_not_libloyalty_refused(self):
        import ctypes.util
        libm = ctypes.util.find_library("m")
        if not libm:
            self.skipTest("no libm to load")
        r = self._run({"LOYALTY_LIBRARY": libm})
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not libloyalty", r.stderr)


class TableTest(unittest.TestCase):
    def test_every_exported_symbol_is_declared_once(self):
        with open(os.environ.get("LOYALTY_SYMBOLS",
                                 os.path.join(os.path.dirname(__file__), "..",
                                              "symbols.txt"))) as f:
            symbols = {line.strip() for line in f if line.strip()}
        names = _lib.declared_names()
        self.assertEqual(len(names), len(set(names)), "a function is declared twice")
        self.assertEqual(symbols - set(names), set(), "exported but not declared")
        self.assertEqual(set(names) - symbols, set(), "declared but not exported")

    def test_declared_functions_have_types_and_checks(self):
        lib = _lib.core()
        for name in _lib.declared_names():
            fn = getattr(lib, name)
            self.assertIsNotNone(fn.argtypes, name)
            self.assertIsNotNone(fn.errcheck, name)

    def test_counting_is_on_in_the_suite(self):
        before = _lib.call_counts.get("lty_strerror", 0)
        loyalty.strerror(-1)
        self.assertEqual(_lib.call_counts.get("lty_strerror", 0), before + 1)


if __name__ == "__main__":
    unittest.main()
