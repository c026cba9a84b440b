#!/usr/bin/env python3
"""RFM from a CSV of transactions: segments, Pareto share, and the rows as
dicts (and as a pandas DataFrame when pandas is installed).

    python3 rfm_csv.py sales.csv [YYYY-MM-DD]

Without arguments it writes a small sample file and analyses that.
"""
import datetime as dt
import os
import random
import sys
import tempfile

import loyalty


def sample(path: str) -> None:
    rnd = random.Random(3)
    with open(path, "w") as f:
        f.write("customer_id,date,amount\n")
        for k in range(60):
            for _ in range(1 + int(rnd.expovariate(0.4))):
                day = dt.date(2025, 1, 1) + dt.timedelta(days=rnd.randrange(365))
                f.write(f"cust-{k:03d},{day},{rnd.randrange(5, 200) * 100}\n")


def main(argv) -> int:
    tmp = None
    if len(argv) > 1:
        path = argv[1]
    else:
        tmp = tempfile.TemporaryDirectory()
        path = os.path.join(tmp.name, "sales.csv")
        sample(path)
    as_of = (dt.datetime.fromisoformat(argv[2]).replace(tzinfo=dt.timezone.utc)
             if len(argv) > 2 else dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    try:
        with loyalty.rfm_from_csv(path, as_of=as_of,
                                  frequency=loyalty.RfmFrequency.PURCHASES) as r:
            print(f"{len(r)} customers as of {r.as_of:%Y-%m-%d}; "
                  f"{r.pareto():.0%} of them bring 80% of revenue\n")
            print(f"{'segment':<22}{'customers':>10}{'revenue':>12}{'share':>8}")
            for s in r.segments():
                if s.customers:
                    print(f"{s.name:<22}{s.customers:>10}{s.revenue:>12}"
                          f"{s.revenue_share:>8.1%}")
            rows = r.to_records()
            total = sum(row["monetary"] for row in rows)
            if total != sum(s.revenue for s in r.segments()):
                print("FAIL: segment revenue does not add up", file=sys.stderr)
                return 1
            try:
                df = r.to_dataframe()
                print("\nas a DataFrame:\n", df.head())
            except ImportError:
                print("\n(pandas not installed: to_dataframe() skipped)")
    except loyalty.ParseError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    finally:
        if tmp:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
