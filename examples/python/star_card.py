#!/usr/bin/env python3
"""A star card: one star per 1,000 won, tiers Welcome/Green/Gold by the
year's stars, a free drink for every 12 stars in Gold (examples/programs/starcard.ini)."""
import datetime as dt
import os
import sys

import loyalty
from loyalty import EventType

UTC = dt.timezone.utc
HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    t = dt.datetime(2026, 1, 5, 3, 0, tzinfo=UTC)
    with loyalty.Engine(clock=lambda: t, utc_offset_minutes=540) as e:
        e.programs.load_file(os.path.join(HERE, "..", "programs", "starcard.ini"))
        e.customers.create("guest-7", name="Choi Yuna")
        for i in range(9):
            o = e.events.record(EventType.PURCHASE, f"order-{i}", "guest-7",
                                time=t + dt.timedelta(days=7 * i), amount=4800)
            st = e.programs.status("guest-7", "starcard")
            print(f"order {i + 1}: 4,800 won -> {st.balance:2d} stars, tier {st.title}"
                  + (f" (promoted)" if o.promotions else ""))
        st = e.programs.status("guest-7", "starcard")
        # 4 stars per order: 36 stars earned, Gold from 30 (120% after that)
        if st.title != "Gold":
            print(f"FAIL: expected Gold, got {st.title}", file=sys.stderr)
            return 1
        rewards = e.rewards.list("guest-7")
        for r in rewards:
            print(f"reward {r.code}: {r.name}, {r.state.name.lower()}, "
                  f"expires {r.expires:%Y-%m-%d}")
        if not rewards:
            print("FAIL: no free drink in Gold", file=sys.stderr)
            return 1
        e.rewards.redeem(rewards[0].code)
        print(f"redeemed {rewards[0].code}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
