/*
 * loyalty CLI - local calendar days to UTC (see local_time.h).
 *
 * SPDX-License-Identifier: MIT
 */
#include "local_time.h"

/* H. Hinnant's days_from_civil. */
int64_t cli_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int cli_local_day(lty_engine *e, int64_t t, int64_t *day)
{
    lty_date d;
    if (lty_engine_local_date(e, t, &d) != LTY_OK)
        return -1;
    *day = cli_days_from_civil(d.year, d.month, d.day);
    return 0;
}

int cli_local_midnight(lty_engine *e, int64_t day, int64_t *utc)
{
    int64_t lo = day * 86400 - 19 * 3600, hi = day * 86400 + 19 * 3600;
    if (lo < LTY_TIME_MIN)
        lo = LTY_TIME_MIN;
    if (hi > LTY_TIME_MAX)
        hi = LTY_TIME_MAX;
    if (lo >= hi)
        return -1;
    /* The smallest instant in (lo, hi] whose local day is >= day. */
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2, d;
        if (cli_local_day(e, mid, &d))
            return -1;
        if (d >= day)
            hi = mid;
        else
            lo = mid;
    }
    *utc = hi;
    return 0;
}
