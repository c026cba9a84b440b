#!/usr/bin/env python3
"""A win-back campaign: lapsed customers, a forecast from history, a launch
with a control group, messages through a (simulated) SMS gateway, and the
result measured against the control group."""
import datetime as dt
import random
import sys

import loyalty
from loyalty import CampaignDef, CampaignGroup, Channel, EventType, Purpose

UTC = dt.timezone.utc
DAY = dt.timedelta(days=1)


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


class SmsGateway:
    """Accepts everything; a real one would call the operator's API here."""

    def __init__(self):
        self.sent = []

    def send(self, msg: loyalty.Message) -> None:
        self.sent.append(msg.id)


def main() -> int:
    rnd = random.Random(11)
    start = dt.datetime(2026, 3, 2, 2, 0, tzinfo=UTC)        # 11:00 in Seoul
    clock = Clock(start - 300 * DAY)
    gateway = SmsGateway()
    with loyalty.Engine(clock=clock, utc_offset_minutes=540) as e:
        e.messages.register_messenger(gateway)
        e.messages.set_template("miss-you", Channel.SMS, "{name}, we miss you! 20% off")
        for k in range(200):
            cid = f"m{k:03d}"
            e.customers.create(cid, name=f"Member {k}", phone=f"010-5{k:03d}-{k:04d}")
            e.customers.set_consent(cid, Channel.SMS, Purpose.MARKETING, True)
            last = 20 + rnd.randrange(250)
            e.events.record(EventType.PURCHASE, f"{cid}-1", cid, amount=15000,
                            time=start - last * DAY)
        clock.now = start
        e.campaigns.define(CampaignDef.winback(120, id="winback-mar", name="We miss you",
                                               template_id="miss-you", channel=Channel.SMS,
                                               cost_per_message=25, control_share=0.2))
        fc = e.campaigns.simulate("winback-mar", seed=1)
        print(f"eligible {fc.eligibility.eligible}; forecast response "
              f"{fc.response_rate:.1%}, ROI {fc.roi:.2f} "
              f"(90% {fc.roi_low:.2f}..{fc.roi_high:.2f})")
        rep = e.campaigns.launch("winback-mar")
        print(f"launched: {rep.treatment} treatment, {rep.control} control, "
              f"{rep.planned} messages planned")
        sent = e.messages.dispatch(max=10000)
        print(f"dispatched: {sent.sent} sent, {sent.deferred} deferred")
        # two weeks later: a third of the treatment group comes back, few controls
        for k in range(200):
            cid = f"m{k:03d}"
            try:
                group = e.campaigns.member("winback-mar", cid).group
            except loyalty.NotFoundError:
                continue
            chance = 0.33 if group is CampaignGroup.TREATMENT else 0.05
            if rnd.random() < chance:
                e.events.record(EventType.PURCHASE, f"{cid}-back", cid, amount=18000,
                                time=start + rnd.randrange(1, 14) * DAY)
        res = e.campaigns.measure("winback-mar", start + 20 * DAY)
        print(f"measured: treatment {res.treatment_rate:.1%} vs control "
              f"{res.control_rate:.1%}; uplift {res.uplift:+.1%} "
              f"(90% {res.uplift_low:+.1%}..{res.uplift_high:+.1%}); ROI {res.roi:.2f}")
        if len(gateway.sent) != sent.sent or res.uplift <= 0:
            print("FAIL: the campaign did not run as expected", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
