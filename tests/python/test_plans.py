"""Treatments (aftercare), the daily plan and journeys."""
import datetime as dt
import unittest

import loyalty
from loyalty import Channel, Purpose
from helpers import MONDAY, Clock, engine


class PlanTest(unittest.TestCase):
    def setUp(self):
        self.e = engine()
        self.e.customers.create("c1", name="Kim", phone="010-1234-5678", birthday=(0, 3, 5))
        self.e.customers.set_consent("c1", Channel.SMS, Purpose.MARKETING, True)
        self.e.messages.set_template("bday", Channel.SMS, "Happy birthday {name}")
        self.e.messages.set_template("week", Channel.SMS, "Week {days}")
        self.e.messages.set_template("after", Channel.SMS, "How is your {item}?")

    def tearDown(self):
        self.e.close()

    def test_treatments(self):
        p = self.e.plans
        p.define_treatment("botox", "Botox", 90, "after", lead_days=7)
        t = p.treatment("botox")
        self.assertEqual((t.name, t.effect_days, t.lead_days, t.template_id),
                         ("Botox", 90, 7, "after"))
        self.assertEqual(p.treatments(), ["botox"])
        self.e.events.record(loyalty.EventType.PURCHASE, "p1", "c1", amount=100, item="botox")
        self.assertEqual(len(self.e.messages.list(customer_id="c1")), 1)
        p.remove_treatment("botox")
        self.assertEqual(p.treatments(), [])

    def test_plan_day(self):
        n = self.e.plans.plan_day(dt.date(2026, 3, 2), birthday_template="bday")
        self.assertEqual(n, 1)
        self.assertEqual(self.e.messages.list()[0].template_id, "bday")

    def test_journeys(self):
        p = self.e.plans
        p.define_journey("pregnancy", "Pregnancy", [
            loyalty.JourneyStep(0, "week"), loyalty.JourneyStep(7, "week")])
        info = p.journey("pregnancy")
        self.assertEqual(info.name, "Pregnancy")
        self.assertEqual([s.offset_days for s in info.steps], [0, 7])
        p.enrol("pregnancy", "c1", dt.date(2026, 3, 2))
        enr = p.enrolments("c1")
        self.assertEqual([(x.journey_id, x.anchor) for x in enr],
                         [("pregnancy", dt.date(2026, 3, 2))])
        self.assertEqual(len(self.e.messages.list(customer_id="c1")), 2)
        p.unenrol("pregnancy", "c1")
        self.assertEqual(p.enrolments("c1"), [])


if __name__ == "__main__":
    unittest.main()
