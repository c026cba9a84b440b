"""Briefings and caller-ID cards; cards belong to their briefing."""
import datetime as dt
import unittest

import loyalty
from loyalty import EventType, ProgramKind
from helpers import MONDAY, Clock, engine

H = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


class FrontDeskTest(unittest.TestCase):
    def setUp(self):
        self.clock = Clock(MONDAY - 400 * DAY)
        self.e = e = engine(clock=self.clock)
        e.programs.define("card", "Visit card", ProgramKind.LADDER,
                          steps=[loyalty.LadderStep(1, "Friend"), loyalty.LadderStep(5, "Regular")])
        e.customers.create("c1", name="Kim Minji", phone="010-1234-5678",
                           birthday=(1986, 3, 5))
        e.customers.create("c2", name="Lee Jiho", phone="010-2222-3333")
        for i in range(4):
            e.events.record(EventType.VISIT, f"v{i}", "c1", time=MONDAY - (300 - 30 * i) * DAY,
                            item="scaling")
        e.rewards.issue("GIFT", "c1", "Free scaling", loyalty.RewardKind.SERVICE,
                        valid_days=800)
        self.clock.now = MONDAY - 5 * DAY
        e.referrals.register("c1", "c2")
        e.appointments.book("R1", "c1", MONDAY + 9 * H, 30, item="whitening")
        e.appointments.book("R2", "c2", MONDAY + 10 * H, 30)
        with e.analytics.rfm(save=True):
            pass
        self.clock.now = MONDAY + 8 * H

    def tearDown(self):
        self.e.close()

    def test_briefing(self):
        with self.e.front_desk.briefing(dt.date(2026, 3, 2)) as b:
            self.assertEqual(b.date, dt.date(2026, 3, 2))
            self.assertEqual(len(b), 2)
            kim = b[0]
            self.assertEqual((kim.customer_id, kim.name, kim.visits), ("c1", "Kim Minji", 4))
            self.assertEqual(kim.customer.name, "Kim Minji")
            self.assertEqual(kim.appointment.id, "R1")
            self.assertEqual(kim.title, "Friend")
            self.assertEqual(kim.last_item, "scaling")
            self.assertEqual(kim.last_visit, MONDAY - 210 * DAY)
            self.assertFalse(kim.first_visit)
            self.assertEqual(kim.welcome_back, 210)
            self.assertEqual([p.program_id for p in kim.programs], ["card"])
            self.assertEqual([o.kind for o in kim.occasions], [loyalty.OccasionKind.BIRTHDAY])
            self.assertEqual([r.code for r in kim.rewards], ["GIFT"])
            self.assertEqual(kim.referral_count, 1)
            self.assertIsNone(kim.tier)
            self.assertEqual(kim.promotion_due, "Regular")   # the 5th visit is today
            self.assertIsNotNone(kim.segment)
            self.assertEqual(len(kim.rfm), 3)
            self.assertIsNone(kim.p_alive)
            self.assertIsNone(kim.clv)
            self.assertFalse(kim.vip)
            lee = b[1]
            self.assertEqual(lee.referrer_id, "c1")
            self.assertEqual(lee.referrer_name, "Kim Minji")
            self.assertTrue(lee.came_together)     # both booked today
            self.assertTrue(lee.first_visit)
            text = b.render_text()
            self.assertIn("Kim Minji", text)
            with self.assertRaises(IndexError):
                b[2]
        with self.assertRaises(loyalty.ClosedError):
            kim.name            # the card went with its briefing
        with self.e.front_desk.briefing(occasion_days=0) as b:
            self.assertEqual(b[0].occasions, [])

    def test_caller_id(self):
        with self.e.front_desk.recognize_phone("010-1234-5678") as card:
            self.assertEqual(card.customer_id, "c1")
            self.assertIn("Kim Minji", card.render_text())
        with self.e.front_desk.recognize_phone("010-1234-5678", welcome_back_days=1000) as card:
            self.assertIsNone(card.welcome_back)
        with self.assertRaises(loyalty.NotFoundError):
            self.e.front_desk.recognize_phone("010-9999-9999")


if __name__ == "__main__":
    unittest.main()
