"""Recording events, batches, the paginated history and verify()."""
import datetime as dt
import unittest

import loyalty
from loyalty import EventType, NewEvent
from helpers import MONDAY, engine


class EventTest(unittest.TestCase):
    def setUp(self):
        self.e = engine()
        self.e.customers.create("c1", name="Kim")

    def tearDown(self):
        self.e.close()

    def test_record_and_duplicate(self):
        o = self.e.events.record(EventType.PURCHASE, "p1", "c1", time=MONDAY, amount=12000,
                                 item="latte")
        self.assertFalse(o.duplicate)
        self.assertEqual(o.net_spend, 12000)
        again = self.e.events.record(EventType.PURCHASE, "p1", "c1", time=MONDAY, amount=12000,
                                     item="latte")
        self.assertTrue(again.duplicate)
        self.e.events.record(EventType.REFUND, "r1", "c1", amount=2000, refund_of="p1")
        stats = self.e.customers.get("c1").stats()
        self.assertEqual(stats.net_spend, 10000)
        self.assertEqual(stats.refunds, 1)
        self.assertEqual(stats.last_item, "latte")

    def test_batch_and_history_pages(self):
        events = [NewEvent(EventType.VISIT, f"v{i}", "c1",
                           time=MONDAY + dt.timedelta(days=i)) for i in range(25)]
        bad = events + [NewEvent(EventType.VISIT, "bad", "nobody")]
        with self.assertRaises(loyalty.NotFoundError) as cm:
            self.e.events.record_batch(bad)
        self.assertEqual(cm.exception.index, 25)
        self.assertEqual(list(self.e.events.history("c1")), [])     # all or nothing
        outcomes = self.e.events.record_batch(events)
        self.assertEqual(len(outcomes), 25)
        self.assertEqual(outcomes[24].visits, 25)
        page, cursor = self.e.events.history_page("c1", limit=10)
        self.assertEqual(len(page), 10)
        self.assertIsNotNone(cursor)
        all_events = list(self.e.events.history("c1", page_size=7))
        self.assertEqual([ev.id for ev in all_events], [f"v{i}" for i in reversed(range(25))])   # newest first
        self.assertEqual(all_events[3].time, MONDAY + dt.timedelta(days=21))
        self.assertIs(all_events[0].type, EventType.VISIT)

    def test_history_refunded(self):
        self.e.events.record(EventType.PURCHASE, "p1", "c1", time=MONDAY, amount=5000)
        self.e.events.record(EventType.REFUND, "r1", "c1", amount=1500, refund_of="p1")
        first = next(iter(self.e.events.history("c1")))
        self.assertEqual(first.refunded, 1500)

    def test_engine_clock_and_dates(self):
        self.assertEqual(self.e.now(), MONDAY)
        self.assertEqual(self.e.local_date(), dt.date(2026, 3, 2))      # UTC+9
        self.assertEqual(self.e.local_date(MONDAY - dt.timedelta(hours=1)), dt.date(2026, 3, 1))

    def test_transaction_all_or_nothing(self):
        def ok(e):
            e.customers.create("t1", name="Lee")
            e.events.record(EventType.PURCHASE, "tp1", "t1", time=MONDAY, amount=7000)
            self.assertEqual(e.customers.get("t1").stats().net_spend, 7000)  # own writes
        self.e.transaction(ok)
        self.assertEqual(self.e.customers.get("t1").stats().net_spend, 7000)

        class Stop(Exception):
            pass

        def raises(e):
            e.customers.create("t2", name="Park")
            raise Stop()
        with self.assertRaises(Stop):
            self.e.transaction(raises)
        with self.assertRaises(loyalty.NotFoundError):
            self.e.customers.get("t2")

        def swallows(e):
            e.customers.create("t3", name="Choi")
            try:
                e.customers.create("t1", name="again")   # exists: fails
            except loyalty.ExistsError:
                pass                                      # ... and is ignored
        with self.assertRaises(loyalty.ExistsError):
            self.e.transaction(swallows)
        with self.assertRaises(loyalty.NotFoundError):
            self.e.customers.get("t3")

    def test_store_settings(self):
        with self.assertRaises(loyalty.NotFoundError):
            self.e.store_settings()
        s = loyalty.StoreSettings(currency="USD", currency_exponent=2, utc_offset_minutes=-300,
                                  country_code=1, locale="en-US")
        self.e.set_store_settings(s)
        self.assertEqual(self.e.store_settings(), s)
        self.assertEqual(s.engine_options(), {"currency_exponent": 2, "country_code": 1,
                                              "utc_offset_minutes": -300})
        with self.assertRaises(loyalty.InvalidError) as cm:
            self.e.set_store_settings(loyalty.StoreSettings(currency="usd"))
        self.assertIn("currency", str(cm.exception))
        with self.assertRaises(loyalty.InvalidError):
            loyalty.StoreSettings(country_code=0).engine_options()

    def test_verify_clean_store(self):
        self.e.events.record(EventType.VISIT, "v1", "c1", time=MONDAY)
        self.assertEqual(self.e.verify(), [])

    def test_tz_callback(self):
        calls = []

        def tz(t):
            calls.append(t)
            return dt.timedelta(hours=-5)
        with loyalty.Engine(clock=lambda: MONDAY, tz_offset=tz) as e:
            self.assertEqual(e.local_date(), dt.date(2026, 3, 1))
        self.assertTrue(calls)


if __name__ == "__main__":
    unittest.main()
