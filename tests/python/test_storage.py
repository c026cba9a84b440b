"""Storage written in Python (DictStorage), exceptions in storage callbacks,
the memory store shared by engines, and the SQLite backend by path."""
import os
import tempfile
import unittest

import loyalty
from loyalty import REV_ANY, REV_NONE, DictStorage, EventType
from helpers import MONDAY, engine


class DictStorageContractTest(unittest.TestCase):
    """The guarantees of include/loyalty/storage.h, checked on the Python store."""

    def setUp(self):
        self.s = DictStorage()

    def test_revisions_and_conditional_writes(self):
        s = self.s
        r1 = s.put(b"k", b"v1", REV_NONE)
        with self.assertRaises(loyalty.ConflictError):
            s.put(b"k", b"again", REV_NONE)
        r2 = s.put(b"k", b"v2", r1)
        self.assertNotEqual(r1, r2)
        with self.assertRaises(loyalty.ConflictError):
            s.put(b"k", b"stale", r1)
        self.assertEqual(s.get(b"k"), (b"v2", r2))
        r3 = s.put(b"k", b"v3", REV_ANY)
        with self.assertRaises(loyalty.ConflictError):
            s.delete(b"k", r2)
        s.delete(b"k", r3)
        self.assertIsNone(s.get(b"k"))
        with self.assertRaises(loyalty.NotFoundError):
            s.delete(b"k", REV_ANY)
        self.assertGreater(s.put(b"k", b"v4", REV_NONE), r3)   # never reused

    def test_binary_keys_and_ordered_scans(self):
        s = self.s
        for k in (b"b\x00z", b"a", b"b", b"b\x00", b"ba", b"c"):
            s.put(k, k * 2, REV_NONE)
        self.assertEqual([k for k, _, _ in s.scan(b"b", None)], [b"b", b"b\x00", b"b\x00z", b"ba"])
        self.assertEqual([k for k, _, _ in s.scan(b"b", b"b\x00")], [b"b\x00z", b"ba"])
        self.assertEqual([k for k, _, _ in s.scan(b"", b"ba")], [b"c"])

    def test_rollback_restores_exactly(self):
        s = self.s
        r = s.put(b"keep", b"1", REV_NONE)
        s.put(b"gone", b"x", REV_NONE)
        before = dict(s.data)
        s.begin()
        s.put(b"keep", b"2", r)
        s.delete(b"gone", REV_ANY)
        s.put(b"new", b"n", REV_NONE)
        self.assertEqual(s.get(b"keep")[0], b"2")          # sees its own writes
        s.rollback()
        self.assertEqual(s.data, before)
        self.assertEqual([k for k, _, _ in s.scan(b"", None)], [b"gone", b"keep"])


class PythonStoreEngineTest(unittest.TestCase):
    def _workload(self, e):
        e.customers.create("c1", name="Kim", phone="010-1234-5678")
        e.customers.set_preference("c1", "food", "no garlic")
        for i in range(5):
            e.events.record(EventType.PURCHASE, f"p{i}", "c1", time=MONDAY, amount=1000 * i)
        e.rewards.issue("CPN", "c1", "Gift", loyalty.RewardKind.SERVICE)
        return (e.customers.get("c1").stats(), [x.id for x in e.events.history("c1")],
                e.customers.find_by_phone("010-1234-5678").preferences)

    def test_same_results_as_memory_store(self):
        store = DictStorage()
        with engine(store) as e:
            got = self._workload(e)
            self.assertEqual(e.verify(), [])
        self.assertTrue(store.closed)           # destroy() reached close()
        with engine() as e:
            expected = self._workload(e)
        self.assertEqual(got, expected)
        # the records persist in the Python store: a new engine reads them
        store.closed = False
        with engine(store) as e:
            self.assertEqual(e.customers.get("c1").name, "Kim")

    def test_failed_call_leaves_store_unchanged(self):
        class Failing(DictStorage):
            fail_put = False

            def put(self, key, value, expected_rev):
                if self.fail_put:
                    raise OSError("disk full")
                return super().put(key, value, expected_rev)

        store = Failing()
        with engine(store) as e:
            e.customers.create("c1", name="Kim")
            before = dict(store.data)
            store.fail_put = True
            with self.assertRaises(OSError) as cm:       # the original exception
                e.events.record(EventType.VISIT, "v1", "c1")
            self.assertIsInstance(cm.exception.__cause__, loyalty.StorageError)
            self.assertEqual(store.data, before)        # rolled back
            self.assertIn("OSError", e.last_error())
            store.fail_put = False
            e.events.record(EventType.VISIT, "v1", "c1")   # works again

    def test_conflicts_from_the_store_are_retried(self):
        class Contended(DictStorage):
            conflicts = 2

            def commit(self):
                if self.conflicts:
                    self.conflicts -= 1
                    self.rollback()
                    raise loyalty.ConflictError("concurrent writer won")
                super().commit()

            def rollback(self):
                if self._journal is not None:
                    super().rollback()

        store = Contended()
        with engine(store) as e:
            e.customers.create("c1", name="Kim")
            self.assertEqual(store.conflicts, 0)
            self.assertEqual(e.customers.get("c1").name, "Kim")

    def test_missing_method_refused(self):
        with self.assertRaises(TypeError):
            loyalty.Engine(object())


class MemoryStoreTest(unittest.TestCase):
    def test_shared_by_two_engines(self):
        with loyalty.MemoryStore() as store:
            with engine(store) as a, engine(store) as b:
                a.customers.create("c1", name="Kim")
                self.assertEqual(b.customers.get("c1").name, "Kim")
                self.assertGreater(store.count(), 0)
        with self.assertRaises(loyalty.ClosedError):
            store.count()


class SQLiteTest(unittest.TestCase):
    def test_store_in_a_file(self):
        path_var = os.environ.get("LOYALTY_SQLITE_LIBRARY")
        if not path_var or not os.path.exists(path_var):
            self.skipTest("libloyalty-sqlite was not built")
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "shop.db")
            with engine(loyalty.SQLite(db)) as e:
                e.customers.create("c1", name="Kim")
            with engine(loyalty.SQLite(db)) as e:
                self.assertEqual(e.customers.get("c1").name, "Kim")
            with self.assertRaises(loyalty.LoyaltyError) as cm:
                engine(loyalty.SQLite(os.path.join(d, "no", "such", "dir.db"), create=False))
            self.assertIn("lty_sqlite_open", str(cm.exception))


class PostgresTest(unittest.TestCase):
    def test_conninfo(self):
        conninfo = os.environ.get("LOYALTY_TEST_PG_CONNINFO")
        if not conninfo:
            self.skipTest("set LOYALTY_TEST_PG_CONNINFO to test the PostgreSQL backend")
        with engine(loyalty.PostgreSQL(conninfo, table_prefix="pytest_")) as e:
            e.customers.erase("c1") if e.customers.find("c1") else None
            e.customers.create("c1", name="Kim")
            self.assertEqual(e.customers.get("c1").name, "Kim")


if __name__ == "__main__":
    unittest.main()
