#!/usr/bin/env python3
"""libloyalty benchmark peer - RFM with pandas, for bench/rfm.

    python3 bench/rfm_pandas.py FILE.csv
    python3 bench/rfm_pandas.py --selftest

Reads a CSV of transactions (header customer_id,date,amount; date
YYYY-MM-DD, amount an integer in minor units, negative for a refund) and
does what lty_rfm_from_csv() does with the default options:

- recency: whole days from the customer's last non-negative transaction to
  the latest such transaction of the file (as_of);
- frequency: the customer's transactions with a non-negative amount;
- monetary: the sum of all the customer's amounts (refunds lower it);
  customers without a counted transaction are not scored;
- quantile scores 1..5 per dimension (groupby, then ranks), rfm_score =
  100 R + 10 F + M, and the default segment table (first match wins,
  "Others" otherwise).

Tie rule.  The library's default (LTY_RFM_TIES_SHARE) gives a run of equal
values at sorted positions a..b the position score of floor((a + b) / 2),
floor(p * 5 / n) + 1.  A run's first and last positions do not depend on
how equal values are ordered among themselves, so rank(method="min") and
rank(method="max") reproduce it exactly (recency is ranked on -days, so the
most recent customers come last and score 5).  The common pandas idiom
pd.qcut(x.rank(method="first"), 5, labels=False) + 1 is instead the
library's LTY_RFM_TIES_SPLIT, with ties broken by order of appearance
rather than by customer id, and pd.qcut(x, 5, duplicates="drop") on the
values fails or drops bins on a degenerate dimension; neither is used here.
Unlike the library, this script reads only YYYY-MM-DD dates (not Unix
seconds) and does not handle quoted fields beyond what read_csv does.

Prints machine-readable lines for bench/rfm:

    time_s=<seconds from before read_csv to the segments, in this process>
    peak_kb=<resource.getrusage(RUSAGE_SELF).ru_maxrss>
    customers=<scored customers>
    score_sum=<sum of rfm_score>
    segment<TAB>name<TAB>customers      (table order, "Others" last)

SPDX-License-Identifier: MIT
"""
import resource
import sys
import time

import numpy as np
import pandas as pd

BINS = 5

# The library's default table (docs/guide/rfm.md): name, R, F, M ranges.
SEGMENTS = [
    ("Champions", (5, 5), (5, 5), (5, 5)),
    ("Potential Loyalist", (3, 5), (3, 5), (2, 5)),
    ("Loyal Customers", (2, 4), (2, 4), (2, 4)),
    ("Promising", (3, 4), (1, 3), (3, 5)),
    ("New Customers", (4, 5), (1, 3), (1, 5)),
    ("Can't Lose Them", (1, 2), (3, 4), (4, 5)),
    ("At Risk", (1, 2), (2, 5), (4, 5)),
    ("Need Attention", (1, 3), (3, 5), (3, 5)),
    ("About To Sleep", (2, 3), (1, 3), (1, 4)),
    ("Lost", (1, 1), (1, 5), (1, 5)),
]
OTHERS = "Others"


def share_scores(values, bins=BINS):
    """Scores 1..bins, larger values higher; equal values share the score
    of their run's middle position (LTY_RFM_TIES_SHARE)."""
    n = len(values)
    first = values.rank(method="min").to_numpy(dtype=np.int64) - 1
    last = values.rank(method="max").to_numpy(dtype=np.int64) - 1
    return ((first + last) // 2) * bins // n + 1


def segment_of(r, f, m):
    conds = [
        (r >= rr[0]) & (r <= rr[1]) & (f >= ff[0]) & (f <= ff[1])
        & (m >= mm[0]) & (m <= mm[1])
        for _, rr, ff, mm in SEGMENTS
    ]
    codes = np.select(conds, list(range(len(SEGMENTS))), default=len(SEGMENTS))
    names = [s[0] for s in SEGMENTS] + [OTHERS]
    return pd.Categorical.from_codes(codes, categories=names)


def rfm(path):
    df = pd.read_csv(path, usecols=["customer_id", "date", "amount"],
                     dtype={"customer_id": str, "date": str,
                            "amount": np.int64})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    counted = df[df["amount"] >= 0]
    as_of = counted["date"].max()
    g = counted.groupby("customer_id", sort=False).agg(
        last=("date", "max"), frequency=("amount", "size"))
    monetary = df.groupby("customer_id", sort=False)["amount"].sum()
    res = g.join(monetary.rename("monetary"), how="inner")
    res["recency_days"] = (as_of - res["last"]).dt.days
    res["r"] = share_scores(-res["recency_days"])
    res["f"] = share_scores(res["frequency"])
    res["m"] = share_scores(res["monetary"])
    res["rfm_score"] = 100 * res["r"] + 10 * res["f"] + res["m"]
    res["segment"] = segment_of(res["r"].to_numpy(), res["f"].to_numpy(),
                                res["m"].to_numpy())
    return res


def selftest():
    # docs/guide/rfm.md's hand-checked examples (frequency, 5 bins, share)
    cases = [([1, 2, 2, 4, 5], [1, 2, 2, 4, 5]),
             ([1, 2, 3, 4, 5, 6, 7], [1, 1, 2, 3, 3, 4, 5]),
             ([1, 1, 1, 1, 3, 9], [1, 1, 1, 1, 4, 5]),
             ([7, 7, 7, 7, 7], [3, 3, 3, 3, 3])]
    for values, want in cases:
        got = list(share_scores(pd.Series(values)))
        assert got == want, (values, got, want)
    print("selftest: ok")


def main(argv):
    if len(argv) == 2 and argv[1] == "--selftest":
        selftest()
        return 0
    if len(argv) != 2:
        print("usage: rfm_pandas.py FILE.csv | --selftest", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    res = rfm(argv[1])
    elapsed = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"time_s={elapsed:.3f}")
    print(f"peak_kb={peak_kb}")
    print(f"customers={len(res)}")
    print(f"score_sum={int(res['rfm_score'].sum())}")
    counts = res["segment"].value_counts(sort=False)
    for name in [s[0] for s in SEGMENTS] + [OTHERS]:
        print(f"segment\t{name}\t{int(counts.get(name, 0))}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
