"""The Python examples run and check their own results (exit status 0)."""
import os
import subprocess
import sys
import unittest

from helpers import SRCDIR

EXAMPLES = os.path.join(SRCDIR, "examples", "python")


class ExamplesTest(unittest.TestCase):
    def _run(self, name, *args):
        r = subprocess.run([sys.executable, os.path.join(EXAMPLES, name), *args],
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(r.returncode, 0, f"{name} failed:\n{r.stdout}\n{r.stderr}")
        return r.stdout

    def test_front_desk(self):
        self.assertIn("Kim Minji", self._run("front_desk.py"))

    def test_star_card(self):
        self.assertIn("tier Gold", self._run("star_card.py"))

    def test_rfm_csv(self):
        self.assertIn("bring 80% of revenue", self._run("rfm_csv.py"))

    def test_winback_campaign(self):
        self.assertIn("uplift", self._run("winback_campaign.py"))


if __name__ == "__main__":
    unittest.main()
