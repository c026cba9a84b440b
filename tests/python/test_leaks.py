"""No handle leaks: 10,000 engine open/close cycles (and GC-freed objects)
keep the process's resident memory flat."""
import gc
import os
import unittest

import loyalty
from loyalty import EventType


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cycle():
    with loyalty.Engine() as e:
        e.customers.create("c1", name="Kim")
        e.events.record(EventType.VISIT, "v1", "c1")
        c = e.customers.get("c1")           # freed by the GC, not by close()
        del c


@unittest.skipUnless(os.path.exists("/proc/self/status"), "needs /proc for RSS")
class LeakTest(unittest.TestCase):
    def test_engine_open_close_is_flat(self):
        for _ in range(1000):        # warm up allocators and caches
            cycle()
        gc.collect()
        before = rss_kib()
        for _ in range(10000):
            cycle()
        gc.collect()
        grown = rss_kib() - before
        # a leak of one engine (store, records, callbacks) per cycle would be
        # tens of megabytes over 10,000 cycles
        self.assertLess(grown, 2048, f"RSS grew by {grown} KiB over 10,000 engines")

    def test_closed_objects_can_be_collected(self):
        e = loyalty.Engine()
        e.customers.create("c1")
        e.events.record(EventType.VISIT, "v1", "c1")
        r = e.analytics.rfm()
        e.close()
        del e
        gc.collect()
        self.assertEqual(len(r), 1)           # results outlive the engine
        r.close()


if __name__ == "__main__":
    unittest.main()
