"""Campaigns: presets, define, eligibility, simulate, launch, members, measure."""
import datetime as dt
import unittest

import loyalty
from loyalty import CampaignDef, Channel, EventType, Purpose
from helpers import MONDAY, Clock, engine

DAY = dt.timedelta(days=1)


class CampaignTest(unittest.TestCase):
    def test_winback_lifecycle(self):
        clock = Clock(MONDAY - 200 * DAY)
        with engine(clock=clock) as e:
            e.messages.set_template("miss-you", Channel.SMS, "We miss you, {name}")
            for k in range(40):
                cid = f"c{k}"
                e.customers.create(cid, name=f"N{k}", phone=f"010-1000-{k:04d}")
                e.customers.set_consent(cid, Channel.SMS, Purpose.MARKETING, True)
                e.events.record(EventType.PURCHASE, f"{cid}-p", cid, amount=10000,
                                time=MONDAY - (150 + k) * DAY)
            clock.now = MONDAY
            vip = CampaignDef.vip(id="vip")
            self.assertTrue(vip.segments)
            bday = CampaignDef.birthday(3, id="bday")
            self.assertEqual(bday.birthday_month, 3)
            c = CampaignDef.winback(90, id="winback", name="Win-back",
                                    template_id="miss-you", channel=Channel.SMS,
                                    control_share=0.25, cost_per_message=30)
            self.assertEqual(c.days_since_visit_min, 90)
            e.campaigns.define(c)
            rep = e.campaigns.eligibility("winback")
            self.assertEqual((rep.customers, rep.eligible), (40, 40))
            fc = e.campaigns.simulate("winback", seed=42)
            self.assertFalse(fc.from_history)
            self.assertEqual(fc.eligibility.eligible, 40)
            self.assertLessEqual(fc.roi_low, fc.roi_high)
            launched = e.campaigns.launch("winback")
            self.assertEqual(launched.treatment + launched.control, 40)
            self.assertEqual(launched.planned, launched.treatment)
            groups = [e.campaigns.member("winback", f"c{k}").group for k in range(40)]
            self.assertEqual(groups.count(loyalty.CampaignGroup.CONTROL), launched.control)
            m = e.campaigns.member("winback", "c0")
            self.assertEqual(m.launched_at, MONDAY)
            control = f"c{groups.index(loyalty.CampaignGroup.CONTROL)}"
            e.events.record(EventType.PURCHASE, "back", control, amount=20000,
                            time=MONDAY + 3 * DAY)
            res = e.campaigns.measure("winback", MONDAY + 20 * DAY)
            self.assertEqual(res.treatment + res.unsent + res.control, 40)
            self.assertEqual((res.treatment_responders, res.control_responders), (0, 1))
            self.assertEqual(res.control_revenue, 20000)
            self.assertEqual(res.overall.control_revenue, 20000)
            # nobody has RFM scores: one segment row, named ""
            self.assertEqual([r.segment for r in res.segments], [""])
            self.assertEqual(res.segments[0].figures, res.overall)
            self.assertEqual(res.measured_at, MONDAY + 20 * DAY)
            kept = e.campaigns.result("winback")
            self.assertEqual(kept, res)
            with self.assertRaises(loyalty.NotFoundError):
                e.campaigns.result("vip-never")
            # read back, copy, list
            back = e.campaigns.get("winback")
            self.assertEqual((back.id, back.name, back.control_share), ("winback", "Win-back",
                                                                        0.25))
            self.assertEqual(back.days_since_visit_min, 90)
            back.id = "copy"
            e.campaigns.define(back)
            self.assertEqual(e.campaigns.list(), [("copy", "Win-back", False),
                                                  ("winback", "Win-back", True)])
            # the next forecast learns from the kept result, per segment
            fc2 = e.campaigns.simulate("copy", seed=7)
            self.assertTrue(fc2.from_history)
            self.assertEqual(fc2.history_control_responders, 1)
            self.assertEqual(sum(g.treatment for g in fc2.segments),
                             fc2.eligibility.treatment)
            with self.assertRaises(loyalty.NotFoundError):
                e.campaigns.eligibility("nope")


if __name__ == "__main__":
    unittest.main()
