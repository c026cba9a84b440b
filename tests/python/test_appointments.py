"""Appointments, reminders and no-show figures."""
import datetime as dt
import unittest

import loyalty
from loyalty import AppointmentState, Channel
from helpers import MONDAY, Clock, engine

H = dt.timedelta(hours=1)


class AppointmentTest(unittest.TestCase):
    def setUp(self):
        self.clock = Clock(MONDAY - 5 * 24 * H)
        self.e = engine(clock=self.clock)
        self.e.customers.create("c1", name="Kim", phone="010-1234-5678")

    def tearDown(self):
        self.e.close()

    def test_lifecycle(self):
        a = self.e.appointments
        a.set_reminders([(dt.timedelta(days=1), "remind-1d"),
                         (2 * H, {Channel.SMS: "remind-2h", Channel.STAFF: "staff-2h"})])
        pol = a.reminders()
        self.assertEqual(pol[0], (dt.timedelta(days=1), {Channel.NONE: "remind-1d"}))
        self.assertEqual(pol[1][1], {Channel.SMS: "remind-2h", Channel.STAFF: "staff-2h"})
        a.book("A1", "c1", MONDAY + 10 * H, 30, item="scaling", branch="gangnam", staff="dr-han")
        got = a.get("A1")
        self.assertEqual((got.start, got.duration, got.state),
                         (MONDAY + 10 * H, 30, AppointmentState.BOOKED))
        a.reschedule("A1", MONDAY + 11 * H, 45)
        self.assertEqual(a.get("A1").start, MONDAY + 11 * H)
        self.assertEqual([x.id for x in a.list_day(dt.date(2026, 3, 2))], ["A1"])
        self.clock.now = MONDAY + 11 * H
        o = a.arrive("A1")
        self.assertTrue(o.visit_counted)
        self.assertIs(a.get("A1").state, AppointmentState.ARRIVED)
        a.book("A2", "c1", MONDAY + 50 * H, 30, branch="gangnam")
        a.cancel("A2")
        a.book("A3", "c1", MONDAY + 30 * H, 30, branch="gangnam")
        self.clock.now = MONDAY + 40 * H
        a.no_show("A3")
        states = {x.id: x.state for x in a.list("c1")}
        self.assertEqual(states, {"A1": AppointmentState.ARRIVED,
                                  "A2": AppointmentState.CANCELLED,
                                  "A3": AppointmentState.NO_SHOW})
        stats, branches = a.noshow_stats(MONDAY, MONDAY + 72 * H)
        self.assertEqual((stats.overall.arrived, stats.overall.no_shows), (1, 1))
        self.assertEqual(stats.cancelled, 1)
        self.assertEqual([b.branch for b in branches], ["gangnam"])

    def test_reminder_template_too_long(self):
        with self.assertRaises(ValueError):
            self.e.appointments.set_reminders([(H, "x" * 200)])


if __name__ == "__main__":
    unittest.main()
