"""RFM and CLV: over the store, from Python transactions and from CSV."""
import datetime as dt
import os
import random
import tempfile
import unittest

import loyalty
from loyalty import EventType
from helpers import MONDAY, engine

DAY = dt.timedelta(days=1)


def shop(e):
    """Ten customers; customer k buys k times, 1000*k won each time."""
    for k in range(1, 11):
        cid = f"c{k:02d}"
        e.customers.create(cid, name=f"Customer {k}")
        for j in range(k):
            e.events.record(EventType.PURCHASE, f"{cid}-{j}", cid,
                            time=MONDAY - (100 - 9 * k + j) * DAY, amount=1000 * k)


class RfmTest(unittest.TestCase):
    def test_rfm_over_store(self):
        with engine() as e:
            shop(e)
            with e.analytics.rfm(frequency=loyalty.RfmFrequency.PURCHASES) as r:
                self.assertEqual(len(r), 10)
                best = r.find("c10")
                self.assertEqual((best.frequency, best.monetary), (10, 100000))
                self.assertEqual(best.m, 5)
                rows = r.to_records()
                self.assertEqual(len(rows), 10)
                self.assertEqual(set(rows[0]), {"customer_id", "recency_days", "frequency",
                                                "monetary", "r", "f", "m", "score", "segment",
                                                "segment_index"})
                self.assertEqual(sum(s.customers for s in r.segments()), 10)
                curve = r.concentration()      # cumulative share of the top deciles
                self.assertEqual(curve, sorted(curve))
                self.assertAlmostEqual(curve[-1], 1.0, places=6)
                self.assertAlmostEqual(curve[0], 100000 / 385000, places=6)
                self.assertTrue(0 < r.pareto() <= 1)
                self.assertEqual(r.levels("M"), 5)
                self.assertEqual(r.as_of, MONDAY)
                with self.assertRaises(ValueError):
                    r.levels("X")
            with self.assertRaises(loyalty.ClosedError):
                len(r)
            saved = e.analytics.rfm_scores("c10")
            self.assertEqual((saved.m, saved.segment), (best.m, best.segment))

    def test_dataframe_when_pandas_present(self):
        r = loyalty.rfm_from_transactions([("a", MONDAY, 100), ("b", MONDAY - DAY, 50)],
                                          as_of=MONDAY)
        try:
            import pandas  # noqa: F401
        except ImportError:
            with self.assertRaises(ImportError):
                r.to_dataframe()
            return
        df = r.to_dataframe()
        self.assertEqual(list(df["customer_id"]), [row.customer_id for row in r])

    def test_custom_segments_and_csv(self):
        segs = loyalty.RfmSegments([loyalty.RfmSegment("Top", 4, 5, 4, 5, 4, 5)], bins=5,
                                   other_name="Rest")
        self.assertTrue(loyalty.RfmSegments.default())
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sales.csv")
            with open(path, "w") as f:
                f.write("customer_id,date,amount\n")
                for k in range(1, 11):
                    for j in range(k):
                        f.write(f"c{k},2026-02-{1 + j:02d},{1000 * k}\n")
            with loyalty.rfm_from_csv(path, as_of=MONDAY, segments=segs,
                                      frequency=loyalty.RfmFrequency.PURCHASES) as r:
                self.assertEqual(r.find("c10").segment, "Top")
                self.assertEqual(r.find("c1").segment, "Rest")
            with open(path, "a") as f:
                f.write("c11,not-a-date,5\n")
            with self.assertRaises(loyalty.ParseError) as cm:
                loyalty.rfm_from_csv(path, as_of=MONDAY)
            self.assertIn("sales.csv:57", str(cm.exception))
        with self.assertRaises(loyalty.InvalidError):
            loyalty.RfmSegments([loyalty.RfmSegment("Bad", 5, 1, 1, 5, 1, 5)], bins=5)
        segs.close()


class ClvTest(unittest.TestCase):
    def _txns(self):
        """200 simulated customers: purchases at a personal rate until they drop out."""
        rnd = random.Random(7)
        out = []
        start = MONDAY - 365 * DAY
        for k in range(200):
            rate = rnd.gammavariate(0.8, 1 / 20)        # purchases per day
            spend = rnd.gammavariate(4, 2500)
            t = rnd.uniform(0, 200)
            out.append((f"k{k}", start + dt.timedelta(days=int(t)), int(spend)))
            while True:
                t += rnd.expovariate(rate)
                if t >= 365 or rnd.random() < 0.15:
                    break
                out.append((f"k{k}", start + dt.timedelta(days=int(t)),
                            int(spend * rnd.uniform(0.5, 1.5))))
        return out

    def test_fit_score_store(self):
        with loyalty.clv_summary_from_transactions(self._txns(), end=MONDAY) as s:
            self.assertEqual(len(s), 200)
            model = s.fit()
            self.assertGreater(model.bgnbd_params["r"], 0)
            self.assertGreater(model.gamgam_params["p"], 0)
            self.assertLess(model.log_likelihood(s), 0)
            p = model.p_alive(2, 30, 100)
            self.assertTrue(0 < p <= 1)
            self.assertGreater(model.expected_purchases(2, 30, 100, 30), 0)
            self.assertGreater(model.expected_spend(2, 1500), 0)
            self.assertNotEqual(model.fingerprint(), 0)
            scores = s.compute(model)
            self.assertEqual(len(scores), 200)
            risky = s.churn_risk(scores, 0.99)
            self.assertTrue(risky and all(r.startswith("k") for r in risky))

    def test_csv_and_store(self):
        with engine() as e:
            shop(e)
            for i, (cid, t, amount) in enumerate(self._txns()):
                if not e.customers.find(cid):
                    e.customers.create(cid)
                e.events.record(EventType.PURCHASE, f"t{i}", cid, time=t, amount=amount)
            with e.analytics.clv_summary(end=MONDAY) as s:
                rows = s.rows()
                self.assertEqual(len(rows), 210)
                model = loyalty.ClvModel.fit(s)
                e.analytics.store_clv(s, model)
            figs, top = e.analytics.clv_figures("c10")
            self.assertEqual(figs.of, 210)
            self.assertEqual(figs.model_fingerprint, model.fingerprint())
            self.assertIsInstance(top, bool)
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "sales.csv")
            with open(path, "w") as f:
                f.write("customer_id,date,amount\nc1,2026-01-05,100\nc1,2026-02-05,200\n")
            with loyalty.clv_summary_from_csv(path, end=MONDAY) as s:
                self.assertEqual(s.rows()[0]["frequency"], 1)


if __name__ == "__main__":
    unittest.main()
