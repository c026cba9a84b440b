#!/usr/bin/env python3
"""The front desk's morning: a clinic's patients, today's briefing, and a
caller recognised by phone number (Python version of examples/front_desk.c)."""
import datetime as dt
import sys

import loyalty
from loyalty import EventType, LadderStep, ProgramKind

UTC = dt.timezone.utc
MONDAY = dt.datetime(2026, 3, 1, 15, 0, tzinfo=UTC)     # 2 March 2026, 00:00 in Seoul
DAY, HOUR = dt.timedelta(days=1), dt.timedelta(hours=1)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


def main() -> int:
    clock = Clock(MONDAY - 400 * DAY)
    with loyalty.Engine(clock=clock, utc_offset_minutes=540) as e:
        e.programs.define("visit-card", "Visit card", ProgramKind.LADDER, medical=True,
                          steps=[LadderStep(1, "Friend"), LadderStep(5, "Regular"),
                                 LadderStep(10, "Family")])
        e.customers.create("chart-1024", name="Kim Minji", phone="010-1234-5678",
                           birthday=dt.date(1986, 3, 5))
        e.customers.create("chart-2048", name="Lee Jiho", phone="010-2222-3333")
        e.customers.set_note("chart-1024", "allergy", "penicillin")
        e.customers.set_preference("chart-1024", "doctor", "female")
        for i in range(9):
            e.events.record(EventType.VISIT, f"chart-1024/v{i + 1}", "chart-1024",
                            time=MONDAY - (21 + (8 - i) * 30) * DAY + 10 * HOUR,
                            item="whitening" if i == 8 else "check-up")
        clock.now = MONDAY - 5 * DAY
        e.referrals.register("chart-1024", "chart-2048")
        e.appointments.book("R-0301", "chart-1024", MONDAY + 9 * HOUR, 30, item="scaling",
                            branch="gangnam", staff="dr-han")
        e.appointments.book("R-0302", "chart-2048", MONDAY + 9.5 * HOUR, 30,
                            item="consultation", branch="gangnam", staff="dr-han")

        clock.now = MONDAY + 8 * HOUR
        with e.front_desk.briefing() as b:
            print(f"Briefing for {b.date}: {len(b)} appointments\n")
            print(b.render_text())
            kim = b[0]
            if (kim.customer_id, kim.visits, kim.promotion_due) != ("chart-1024", 9, "Family"):
                print("FAIL: unexpected card for chart-1024", file=sys.stderr)
                return 1
            if b[1].referrer_id != "chart-1024":
                print("FAIL: the referral is not on Lee's card", file=sys.stderr)
                return 1

        with e.front_desk.recognize_phone("010-1234-5678") as card:
            print("Incoming call:")
            print(card.render_text())
            if card.customer.note("allergy") != "penicillin":
                print("FAIL: the allergy note is missing", file=sys.stderr)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
