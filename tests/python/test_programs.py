"""Programs, rewards and referrals."""
import datetime as dt
import os
import unittest

import loyalty
from loyalty import EventType, ProgramKind, RewardKind, RewardState
from helpers import MONDAY, SRCDIR, Clock, engine

DAY = dt.timedelta(days=1)


class ProgramTest(unittest.TestCase):
    def setUp(self):
        self.clock = Clock()
        self.e = engine(clock=self.clock)
        self.e.customers.create("c1", name="Kim")

    def tearDown(self):
        self.e.close()

    def test_ladder(self):
        self.e.programs.define("ladder", "Business card", ProgramKind.LADDER,
                               steps=[loyalty.LadderStep(1, "Friend"),
                                      loyalty.LadderStep(3, "Manager")])
        for i in range(3):
            o = self.e.events.record(EventType.VISIT, f"v{i}", "c1", time=MONDAY + i * DAY)
        self.assertEqual(o.title, "Manager")
        self.assertEqual(o.promotions, 1)
        st = self.e.programs.status("c1", "ladder")
        self.assertEqual(st.title, "Manager")
        self.assertEqual(st.visits, 3)
        self.assertIs(st.kind, ProgramKind.LADDER)
        info = self.e.programs.info("ladder")
        self.assertEqual((info.name, info.levels, info.def_version), ("Business card", 2, 1))
        self.assertEqual(self.e.programs.list(), ["ladder"])
        kinds = [h.kind for h in self.e.programs.history("c1")]
        self.assertIn(loyalty.ProgramLogKind.PROMOTED, kinds)
        self.e.programs.rebuild("c1")
        self.assertEqual(self.e.programs.status("c1", "ladder").title, "Manager")

    def test_star_card_file_and_points(self):
        self.e.programs.load_file(os.path.join(SRCDIR, "examples", "programs", "starcard.ini"))
        self.e.events.record(EventType.PURCHASE, "p1", "c1", time=MONDAY, amount=6500)
        st = self.e.programs.status("c1", "starcard")
        self.assertEqual(st.balance, 6)
        self.assertEqual(st.title, "Green")
        self.e.programs.spend_points("c1", "starcard", "s1", 2)
        self.assertEqual(self.e.programs.status("c1", "starcard").balance, 4)
        self.assertGreaterEqual(self.e.programs.tick(MONDAY + 400 * DAY), 0)

    def test_rewards(self):
        self.e.rewards.issue("CPN-1", "c1", "Free drink", RewardKind.SERVICE, 5000,
                             valid_days=30)
        r = self.e.rewards.get("CPN-1")
        self.assertEqual((r.name, r.value, r.state), ("Free drink", 5000, RewardState.ISSUED))
        # valid through the end of the 30th local day
        self.assertEqual(r.expires, MONDAY + 31 * DAY - dt.timedelta(seconds=1))
        self.e.rewards.redeem("CPN-1", MONDAY + DAY)
        self.assertIs(self.e.rewards.get("CPN-1").state, RewardState.REDEEMED)
        self.e.rewards.issue("CPN-2", "c1", "Discount", RewardKind.DISCOUNT, 1000)
        self.e.rewards.void("CPN-2")
        states = {r.code: r.state for r in self.e.rewards.list("c1")}
        self.assertEqual(states, {"CPN-1": RewardState.REDEEMED, "CPN-2": RewardState.VOID})
        with self.assertRaises(loyalty.StateError):
            self.e.rewards.redeem("CPN-2")

    def test_referrals(self):
        self.e.customers.create("c2", name="Lee")
        self.e.referrals.set_policy(visit_qualifies=1, reversal_days=0)
        self.assertEqual(self.e.referrals.policy()["visit_qualifies"], 1)
        with self.assertRaises(TypeError):
            self.e.referrals.set_policy(no_such_field=1)
        self.e.referrals.register("c1", "c2")
        self.e.events.record(EventType.VISIT, "v1", "c2", time=MONDAY)
        ref = self.e.referrals.get("c2")
        self.assertEqual(ref.referrer, "c1")
        self.assertGreaterEqual(ref.stage, loyalty.ReferralStage.COMPLETED)
        self.assertEqual([r.referred for r in self.e.referrals.list("c1")], ["c2"])
        top = self.e.referrals.top(MONDAY - DAY, MONDAY + DAY)
        self.assertEqual([(t.referrer, t.completed) for t in top], [("c1", 1)])


if __name__ == "__main__":
    unittest.main()
