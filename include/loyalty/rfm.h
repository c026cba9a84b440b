/*
 * libloyalty - RFM: recency, frequency and monetary scores and segments.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file rfm.h
 * @brief RFM scores (1..bins per dimension), segments and summaries, over
 *        the store or in batch from arrays or a CSV file.
 *
 * The definitions follow the R package @c rfm: recency is the number of
 * whole days between the analysis time and the customer's last visit or
 * purchase, frequency a count, monetary the net spend.  Scores rise with
 * frequency and monetary and fall with recency (the most recent customers
 * score @c bins); @c rfm_score is 100 R + 10 F + M.
 *
 * **Quantile scores and ties.**  Customers are put in order by the
 * dimension's value (for recency, most days first, so that the most recent
 * come last), equal values by customer id in byte order (smaller id first).
 * With @c n customers, the customer at position @c p (0-based) has the
 * position score <tt>floor(p * bins / n) + 1</tt>: each score holds
 * @c n/bins customers, rounded.  Then:
 * - #LTY_RFM_TIES_SHARE (the default): every customer of a run of equal
 *   values gets the position score of the run's middle member, position
 *   <tt>floor((first + last) / 2)</tt>.  Equal values always share a score
 *   and a larger value never scores lower; a dimension with few distinct
 *   values uses fewer scores (all equal: everyone gets the score of position
 *   floor((n - 1) / 2), 3 of 5 when n is 5),
 *   which lty_rfm_result_levels() reports.
 * - #LTY_RFM_TIES_SPLIT: the position score itself, so every dimension
 *   spreads evenly even when it hardly varies; equal values straddling a cut
 *   are split by customer id (the smaller ids get the lower score).
 *
 * **Fixed cut points** replace quantiles per dimension: @c bins-1
 * ascending values c1 < c2 < ...; for frequency and monetary the score is
 * 1 + the number of cut points below the value (value <= c1 scores 1); for
 * recency it is @c bins minus the number of cut points below the days
 * (days <= c1 score @c bins).
 *
 * **Threads.**  Results and segment tables are immutable once built and may
 * be read from several threads; the engine rules apply to
 * lty_rfm_compute() and lty_rfm_customer_get().
 */
#ifndef LOYALTY_RFM_H
#define LOYALTY_RFM_H

#include <stddef.h>
#include <stdint.h>

#include "loyalty/common.h"
#include "loyalty/engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The largest number of bins (scores stay single digits). */
#define LTY_RFM_BINS_MAX 9
/** @brief The default number of bins. */
#define LTY_RFM_BINS_DEFAULT 5
/** @brief The most segments a table may have (besides "Others"). */
#define LTY_RFM_SEGMENTS_MAX 32

/** @brief One segment rule: a name and an inclusive score range per dimension. */
typedef struct lty_rfm_segment {
    const char *name; /**< 1..#LTY_TITLE_MAX bytes of UTF-8, unique in the table. */
    int r_min;        /**< Lowest R score, 1..bins. */
    int r_max;        /**< Highest R score, r_min..bins. */
    int f_min;        /**< Lowest F score. */
    int f_max;        /**< Highest F score. */
    int m_min;        /**< Lowest M score. */
    int m_max;        /**< Highest M score. */
} lty_rfm_segment;

/** @brief The version of #lty_rfm_segment_table this header describes. */
#define LTY_RFM_SEGMENT_TABLE_VERSION 1

/**
 * @brief A segment table: rules tested in order, the first match wins.
 *
 * A customer who matches no rule belongs to the fallback segment
 * (@c other_name, "Others" by default).
 */
typedef struct lty_rfm_segment_table {
    /** Must be #LTY_RFM_SEGMENT_TABLE_VERSION. */
    unsigned int version;
    /** The rules, 1..#LTY_RFM_SEGMENTS_MAX. */
    const lty_rfm_segment *segments;
    /** Number of @c segments. */
    size_t count;
    /** Name of the fallback segment, or NULL for "Others". */
    const char *other_name;
    /** Non-zero: every score combination must match a rule; a combination
     *  that none covers (a gap) is an error naming it. */
    int exhaustive;
} lty_rfm_segment_table;

/** @brief Initialiser for #lty_rfm_segment_table. */
#define LTY_RFM_SEGMENT_TABLE_INIT {LTY_RFM_SEGMENT_TABLE_VERSION, NULL, 0, NULL, 0}

/** @brief A checked segment table (opaque); see lty_rfm_segments_new(). */
typedef struct lty_rfm_segments lty_rfm_segments;

/**
 * @brief Check and compile a segment table for a number of bins.
 *
 * Every rule must be reachable: a rule whose whole range is covered by
 * earlier rules can never match, and is an error naming it (R @c rfm issue
 * 56).  With @c exhaustive set, a score combination no rule covers is an
 * error naming the combination.
 *
 * @param[out] out     The compiled table; free with lty_rfm_segments_free().
 * @param[in]  table   The table (copied).
 * @param[in]  bins    The number of bins it is for, 2..#LTY_RFM_BINS_MAX
 *                     (0: #LTY_RFM_BINS_DEFAULT).
 * @param[out] errbuf  Optional buffer for the detail of a failure, such as
 *                     "segments[3] 'Promising': unreachable, covered by
 *                     earlier segments" (may be NULL).
 * @param[in]  errlen  Size of @p errbuf.
 * @return #LTY_OK; #LTY_EINVALID (a bad range, name, count or bins, an
 *         unreachable rule, a gap); #LTY_EVERSION; #LTY_ENOMEM.
 */
LTY_API int lty_rfm_segments_new(lty_rfm_segments **out,
                                 const lty_rfm_segment_table *table, int bins,
                                 char *errbuf, size_t errlen);

/**
 * @brief The default table (REFERENCES.md, from R @c rfm) for 5 bins:
 *        Champions, Potential Loyalist, Loyal Customers, Promising, New
 *        Customers, Can't Lose Them, At Risk, Need Attention, About To
 *        Sleep, Lost; then "Others".
 * @return A static table; never NULL.
 */
LTY_API const lty_rfm_segment_table *lty_rfm_default_segments(void);

/**
 * @brief Free a compiled table.
 * @param[in] s  The table, or NULL (ignored).
 */
LTY_API void lty_rfm_segments_free(lty_rfm_segments *s);

/** @brief What frequency counts in lty_rfm_compute(). */
typedef enum lty_rfm_frequency {
    LTY_RFM_FREQ_VISITS = 0,   /**< Counted visits: local days with a visit or purchase (default). */
    LTY_RFM_FREQ_PURCHASES = 1 /**< Purchases. */
} lty_rfm_frequency;

/** @brief How equal values are scored by quantiles (see the file's notes). */
typedef enum lty_rfm_ties {
    LTY_RFM_TIES_SHARE = 0, /**< Equal values share the score of their run's middle (default). */
    LTY_RFM_TIES_SPLIT = 1  /**< Even bins; ties split by customer id. */
} lty_rfm_ties;

/** @brief The version of #lty_rfm_options this header describes. */
#define LTY_RFM_OPTIONS_VERSION 1

/** @brief Options of every RFM computation. */
typedef struct lty_rfm_options {
    /** Must be #LTY_RFM_OPTIONS_VERSION. */
    unsigned int version;
    /** The analysis time.  #LTY_TIME_NOW: the engine's clock (store), or
     *  the latest purchase's time (batch; a later refund, a negative
     *  amount, does not move it).  Later events are left out. */
    int64_t as_of;
    /** 0: all history; otherwise only events in the last @c window_days
     *  days up to @c as_of (1..36600). */
    int window_days;
    /** Store only: what frequency counts.  Batch: every transaction with a
     *  non-negative amount counts once. */
    lty_rfm_frequency frequency;
    /** Bins per dimension, 2..#LTY_RFM_BINS_MAX; 0: 5. */
    int bins;
    /** Tie rule of the quantile scores. */
    lty_rfm_ties ties;
    /** Fixed recency cut points in days (bins-1, ascending), or NULL. */
    const int64_t *r_cuts;
    /** Fixed frequency cut points (bins-1, ascending), or NULL. */
    const int64_t *f_cuts;
    /** Fixed monetary cut points in minor units (bins-1, ascending), or NULL. */
    const int64_t *m_cuts;
    /** The segment table (compiled for the same bins), or NULL for the
     *  default table (which needs 5 bins; other bins get only "Others"). */
    const lty_rfm_segments *segments;
    /** Store only: non-zero to leave the stored latest scores alone. */
    int no_save;
} lty_rfm_options;

/** @brief Initialiser for #lty_rfm_options. */
#define LTY_RFM_OPTIONS_INIT {LTY_RFM_OPTIONS_VERSION, LTY_TIME_NOW, 0, \
    LTY_RFM_FREQ_VISITS, 0, LTY_RFM_TIES_SHARE, NULL, NULL, NULL, NULL, 0}

/** @brief An RFM result (opaque): rows and summaries. */
typedef struct lty_rfm_result lty_rfm_result;

/** @brief One customer's row of a result. */
typedef struct lty_rfm_row {
    const char *customer_id; /**< Borrowed from the result. */
    int64_t recency_days;    /**< Whole days from the last visit or purchase to as_of. */
    int64_t frequency;       /**< The count (visits, purchases or transactions). */
    int64_t monetary;        /**< Net spend, minor units. */
    int r;                   /**< R score, 1..bins. */
    int f;                   /**< F score. */
    int m;                   /**< M score. */
    int score;               /**< 100 R + 10 F + M. */
    const char *segment;     /**< Segment name, borrowed from the result. */
    size_t segment_index;    /**< Index for lty_rfm_result_segment(). */
} lty_rfm_row;

/** @brief A segment's summary. */
typedef struct lty_rfm_segment_summary {
    const char *name;       /**< Borrowed from the result. */
    size_t customers;       /**< Customers in the segment. */
    int64_t revenue;        /**< Their monetary total. */
    double revenue_share;   /**< revenue / total revenue (0 when the total is not positive). */
    double mean_r;          /**< Mean R score (0 with no customers). */
    double mean_f;          /**< Mean F score. */
    double mean_m;          /**< Mean M score. */
} lty_rfm_segment_summary;

/**
 * @brief RFM over the store: every customer with a visit or purchase in the
 *        window up to @c as_of.
 *
 * With all history and a customer's last visit not after @c as_of, the
 * customer's aggregates are used; otherwise the customer's ledger is read
 * (visits: distinct local days with a visit or purchase; monetary:
 * purchases minus refunds recorded in the window).  Unless @c no_save is
 * set, the latest scores are stored per customer in the same transaction
 * (lty_rfm_customer_get()), and those of customers no longer scored are
 * removed.  Rows are in customer id byte order.
 *
 * @param[in]  e     The engine.
 * @param[in]  opts  Options (NULL: defaults).
 * @param[out] out   The result; free with lty_rfm_result_free().
 * @return #LTY_OK; #LTY_EINVALID naming the option; #LTY_EVERSION;
 *         #LTY_ENOMEM; #LTY_ERANGE (a total would overflow);
 *         #LTY_ECORRUPT; storage errors.
 */
LTY_API int lty_rfm_compute(lty_engine *e, const lty_rfm_options *opts,
                            lty_rfm_result **out);

/** @brief The version of #lty_rfm_scores this header describes. */
#define LTY_RFM_SCORES_VERSION 1

/** @brief A customer's stored latest scores. */
typedef struct lty_rfm_scores {
    unsigned int version;    /**< Set by the caller: #LTY_RFM_SCORES_VERSION. */
    int64_t computed_at;     /**< When lty_rfm_compute() ran (engine clock). */
    int64_t as_of;           /**< The analysis time it used. */
    int window_days;         /**< Its window (0: all history). */
    int bins;                /**< Its bins. */
    int64_t recency_days;    /**< As in #lty_rfm_row. */
    int64_t frequency;       /**< As in #lty_rfm_row. */
    int64_t monetary;        /**< As in #lty_rfm_row. */
    int r;                   /**< R score. */
    int f;                   /**< F score. */
    int m;                   /**< M score. */
    int score;               /**< 100 R + 10 F + M. */
    char segment[LTY_TITLE_MAX + 1]; /**< Segment name. */
} lty_rfm_scores;

/** @brief Initialiser for #lty_rfm_scores. */
#define LTY_RFM_SCORES_INIT {LTY_RFM_SCORES_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, {0}}

/**
 * @brief A customer's latest stored scores.
 * @param[in]  e            The engine.
 * @param[in]  customer_id  The customer.
 * @param[in,out] out       Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (never scored, or not in the latest
 *         computation); #LTY_EINVALID; #LTY_EVERSION; #LTY_ECORRUPT;
 *         storage errors.
 */
LTY_API int lty_rfm_customer_get(lty_engine *e, const char *customer_id,
                                 lty_rfm_scores *out);

/**
 * @brief RFM from transactions in arrays (no store).
 *
 * Transaction @c i is (ids[i], times[i], amounts[i]).  A transaction with a
 * non-negative amount counts once toward frequency and sets recency; a
 * negative amount is a refund that only lowers monetary.  Transactions
 * after @c as_of, or before the window, are left out; a customer with no
 * counted transaction left is not scored.  Rows are in the order each
 * customer first appears.
 *
 * @param[out] out      The result; free with lty_rfm_result_free().
 * @param[in]  ids      Customer ids, 1..#LTY_ID_MAX bytes each.
 * @param[in]  times    Unix seconds, #LTY_TIME_MIN..#LTY_TIME_MAX.
 * @param[in]  amounts  Minor units.
 * @param[in]  n        Number of transactions.
 * @param[in]  opts     Options (NULL: defaults).
 * @param[out] errbuf   Optional buffer for the failure's detail ("transaction
 *                      3: time: out of range").
 * @param[in]  errlen   Size of @p errbuf.
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; #LTY_ERANGE; #LTY_ENOMEM.
 */
LTY_API int lty_rfm_from_transactions(lty_rfm_result **out,
                                      const char *const *ids,
                                      const int64_t *times,
                                      const int64_t *amounts, size_t n,
                                      const lty_rfm_options *opts,
                                      char *errbuf, size_t errlen);

/**
 * @brief RFM from a CSV file of transactions (no store).
 *
 * The first line is a header naming the columns @c customer_id, @c date and
 * @c amount (in any order; other columns are ignored).  Fields are separated
 * by commas, optionally in double quotes (a doubled quote inside); lines end
 * in LF or CRLF; a UTF-8 byte order mark is skipped.  @c date is
 * @c YYYY-MM-DD (midnight UTC) or Unix seconds; @c amount an integer in
 * minor units (negative: a refund).  Then as lty_rfm_from_transactions().
 *
 * @param[out] out     The result; free with lty_rfm_result_free().
 * @param[in]  path    The file.
 * @param[in]  opts    Options (NULL: defaults).
 * @param[out] errbuf  Optional buffer for the detail, "file:line: column:
 *                     problem" for parse errors.
 * @param[in]  errlen  Size of @p errbuf.
 * @return #LTY_OK; #LTY_EPARSE; #LTY_ESTORAGE (the file cannot be read);
 *         #LTY_EINVALID; #LTY_EVERSION; #LTY_ERANGE; #LTY_ENOMEM.
 */
LTY_API int lty_rfm_from_csv(lty_rfm_result **out, const char *path,
                             const lty_rfm_options *opts, char *errbuf,
                             size_t errlen);

/**
 * @brief Free a result.
 * @param[in] r  The result, or NULL (ignored).
 */
LTY_API void lty_rfm_result_free(lty_rfm_result *r);

/**
 * @brief Number of customers (rows) in a result.
 * @param[in] r  The result.
 * @return The count; 0 for NULL.
 */
LTY_API size_t lty_rfm_result_count(const lty_rfm_result *r);

/**
 * @brief One row.
 * @param[in]  r      The result.
 * @param[in]  index  0..count-1.
 * @param[out] out    The row; its strings are borrowed from @p r.
 * @return #LTY_OK; #LTY_EINVALID (NULL); #LTY_ERANGE (index past the end).
 */
LTY_API int lty_rfm_result_row(const lty_rfm_result *r, size_t index,
                               lty_rfm_row *out);

/**
 * @brief The row of one customer (a hash look-up).
 * @param[in]  r            The result.
 * @param[in]  customer_id  The customer.
 * @param[out] out          The row; its strings are borrowed from @p r.
 * @return #LTY_OK; #LTY_ENOTFOUND; #LTY_EINVALID.
 */
LTY_API int lty_rfm_result_find(const lty_rfm_result *r,
                                const char *customer_id, lty_rfm_row *out);

/**
 * @brief Number of segments of the result: the table's plus the fallback (last).
 * @param[in] r  The result.
 * @return The count; 0 for NULL.
 */
LTY_API size_t lty_rfm_result_segment_count(const lty_rfm_result *r);

/**
 * @brief A segment's summary, in table order, the fallback last.
 * @param[in]  r      The result.
 * @param[in]  index  0..segment count-1.
 * @param[out] out    The summary; its name is borrowed from @p r.
 * @return #LTY_OK; #LTY_EINVALID; #LTY_ERANGE.
 */
LTY_API int lty_rfm_result_segment(const lty_rfm_result *r, size_t index,
                                   lty_rfm_segment_summary *out);

/**
 * @brief The Pareto figure: the share of revenue brought by the top 20% of
 *        customers by monetary (ceil(0.2 n) customers).
 * @param[in] r  The result.
 * @return The share (0 when the total revenue is not positive or NULL).
 */
LTY_API double lty_rfm_result_pareto(const lty_rfm_result *r);

/**
 * @brief The concentration curve by deciles: @p out[k] is the share of
 *        revenue of the top ceil((k+1) n / 10) customers by monetary.
 * @param[in]  r    The result.
 * @param[out] out  Ten shares (0 when the total is not positive).
 * @return #LTY_OK; #LTY_EINVALID.
 */
LTY_API int lty_rfm_result_concentration(const lty_rfm_result *r,
                                         double out[10]);

/**
 * @brief How many distinct scores a dimension actually uses (1..bins), to
 *        see a degenerate dimension under #LTY_RFM_TIES_SHARE.
 * @param[in] r          The result.
 * @param[in] dimension  'R', 'F' or 'M'.
 * @return The count; 0 for a bad argument or an empty result.
 */
LTY_API int lty_rfm_result_levels(const lty_rfm_result *r, char dimension);

/**
 * @brief The analysis time the result used.
 * @param[in] r  The result.
 * @return Unix seconds; 0 for NULL.
 */
LTY_API int64_t lty_rfm_result_as_of(const lty_rfm_result *r);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_RFM_H */
