/*
 * libloyalty - customer-base analysis: the `lifetimes` summary, BG/NBD and
 * Gamma-Gamma models, lifetime value and churn risk.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file clv.h
 * @brief Lifetime value and churn: the per-customer summary (frequency,
 *        recency, T, monetary value), the BG/NBD purchase model and the
 *        Gamma-Gamma spend model fitted by maximum likelihood, P(alive),
 *        expected purchases, expected spend, lifetime value and churn risk.
 *
 * The definitions are those of the Python package @c lifetimes and of
 * Fader, Hardie & Lee (Marketing Science 2005; JMR 2005):
 *
 * - purchases are grouped into periods (a local day or a week starting on
 *   Monday); several purchases in one period count once, their amounts
 *   summed;
 * - @c frequency = number of periods with a purchase − 1 (repeat purchases);
 * - @c recency = last purchase period − first purchase period (0 for
 *   one-time buyers; @e not the time since the last purchase);
 * - @c T = period of the end of observation − first purchase period;
 * - @c monetary = mean of the repeat periods' amounts (the first period
 *   is left out), 0 when there is none.
 *
 * The fitting and scoring calls work on plain arrays of #lty_clv_row, so a
 * caller can fill them from any source (a CSV file, another system); the
 * summary calls build such arrays from transactions or from the store.
 *
 * @par Errors
 * The calls without an engine return a code and, for the fits, a message
 * in the model's @c message field; the store call also sets
 * lty_engine_last_error().  Fits never return NaN parameters: a fit that
 * cannot be made returns #LTY_ESTATE (too few customers, no repeat buyers,
 * no spend) or #LTY_ERANGE (the optimiser did not converge, or the
 * parameters run off to zero or infinity), with the reason in
 * @c message.  Invalid rows (negative values, recency > T, a fractional
 * frequency) are #LTY_EINVALID.
 *
 * @par Threads
 * The calls without an engine keep no state and may run in parallel on
 * different data (the fits use lgamma_r(), or a series of their own where
 * the C library has none, never lgamma(), which writes the global
 * @c signgam).  lty_clv_summary_from_store() uses the engine like every
 * other call: one thread at a time, and so do lty_clv_store() and
 * lty_clv_customer_get().  A finished summary is read-only and may be read
 * from several threads.
 *
 * See docs/guide/clv.md for the formulas, the optimiser and the CDNOW
 * validation.
 */
#ifndef LOYALTY_CLV_H
#define LOYALTY_CLV_H

#include <stddef.h>
#include <stdint.h>

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The unit purchases are grouped by and times are measured in. */
typedef enum lty_clv_period {
    LTY_CLV_PERIOD_DAY = 0,  /**< A local calendar day. */
    LTY_CLV_PERIOD_WEEK = 1  /**< A local week, Monday to Sunday. */
} lty_clv_period;

/** @brief One customer's summary: the input of the models. */
typedef struct lty_clv_row {
    /** The customer id; borrowed (from the summary that made the row, or
     *  from the caller who filled it); may be NULL for the models. */
    const char *customer_id;
    double frequency; /**< Repeat purchase periods (an integer >= 0). */
    double recency;   /**< Last − first purchase period, 0..T. */
    double T;         /**< End of observation − first purchase period. */
    double monetary;  /**< Mean amount of the repeat periods, minor units; 0 if none. */
} lty_clv_row;

/** @brief A purchase for lty_clv_summary_from_txns(). */
typedef struct lty_clv_txn {
    const char *customer_id; /**< NUL-terminated; compared byte-wise. */
    int64_t time;            /**< Unix seconds, UTC. */
    int64_t amount;          /**< Minor units, >= 0. */
} lty_clv_txn;

/** @brief The version of #lty_clv_summary_options this header describes. */
#define LTY_CLV_SUMMARY_OPTIONS_VERSION 1

/** @brief How to build a summary. */
typedef struct lty_clv_summary_options {
    /** Must be #LTY_CLV_SUMMARY_OPTIONS_VERSION. */
    unsigned int version;
    /** The period (default #LTY_CLV_PERIOD_DAY). */
    lty_clv_period period;
    /** End of observation, Unix seconds.  Purchases after it are ignored.
     *  For the store, 0 means the engine's clock; for a file, the latest
     *  purchase; for arrays it is required. */
    int64_t end;
    /** Arrays and files only: the local time's offset from UTC in minutes
     *  (the store uses the engine's time zone). */
    int utc_offset_minutes;
} lty_clv_summary_options;

/** @brief Default summary options: days, end = now (store), UTC. */
#define LTY_CLV_SUMMARY_OPTIONS_INIT {LTY_CLV_SUMMARY_OPTIONS_VERSION, \
    LTY_CLV_PERIOD_DAY, 0, 0}

/** @brief A summary: one #lty_clv_row per customer, in customer-id byte order. */
typedef struct lty_clv_summary lty_clv_summary;

/**
 * @brief Summarise an array of purchases.
 * @param[out] out   the summary, freed with lty_clv_summary_free()
 * @param[in]  txns  the purchases, in any order (may be NULL when n is 0)
 * @param[in]  n     their number
 * @param[in]  opts  options (NULL: defaults, which fail: @c end is required)
 * @return #LTY_OK; #LTY_EINVALID (NULL out, NULL or over-long customer id,
 *         negative amount, @c end not set, unknown period); #LTY_EVERSION;
 *         #LTY_ENOMEM.
 */
LTY_API int lty_clv_summary_from_txns(lty_clv_summary **out,
                                      const lty_clv_txn *txns, size_t n,
                                      const lty_clv_summary_options *opts);

/**
 * @brief Summarise the purchases of a transaction file (CSV).
 *
 * The file is the one lty_rfm_from_csv() reads: a header naming the
 * columns @c customer_id, @c date and @c amount in any order (other
 * columns are ignored); fields may be quoted; LF or CRLF line ends; a
 * UTF-8 BOM is skipped; blank lines are skipped.  @c date is YYYY-MM-DD,
 * taken as that local day, or Unix seconds; @c amount an integer in minor
 * units, >= 0 (refunds are not netted here: a negative amount is an
 * error).  The rows are gathered and summarised as by
 * lty_clv_summary_from_txns(), except that @c end = 0 means the latest
 * purchase in the file.
 * @param[out] out     the summary, freed with lty_clv_summary_free()
 * @param[in]  path    the file
 * @param[in]  opts    options (NULL: defaults, end = the latest purchase)
 * @param[out] err     the reason of a failure, e.g.
 *                     "sales.csv:12: date: not YYYY-MM-DD or Unix seconds
 *                     in range" (may be NULL)
 * @param[in]  errlen  the size of @a err
 * @return #LTY_OK; #LTY_EPARSE ("path:line: column: problem": a column
 *         missing from the header, a bad date or amount, a negative amount,
 *         a wrong number of fields); #LTY_ESTORAGE (the file cannot be
 *         opened or read); #LTY_EINVALID (NULL out or path, unknown period,
 *         offset out of range); #LTY_EVERSION; #LTY_ENOMEM.
 */
LTY_API int lty_clv_summary_from_csv(lty_clv_summary **out, const char *path,
                                     const lty_clv_summary_options *opts,
                                     char *err, size_t errlen);

/**
 * @brief Summarise every customer of the store with at least one purchase.
 *
 * Purchases count with their amount net of refunds; a fully refunded
 * purchase does not count.  Visits, refunds and feedback do not count.
 * Days and weeks are local days in the engine's time zone.  Only reads,
 * like the briefing.
 * @param[out] out   the summary, freed with lty_clv_summary_free()
 * @param[in]  e     the engine
 * @param[in]  opts  options (NULL: defaults)
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; #LTY_ENOMEM; a storage
 *         error; #LTY_ECORRUPT for a record that does not decode.
 */
LTY_API int lty_clv_summary_from_store(lty_clv_summary **out, lty_engine *e,
                                       const lty_clv_summary_options *opts);

/**
 * @brief The rows of a summary.
 * @param[in]  s      the summary
 * @param[out] count  the number of rows (may be NULL)
 * @return the rows, borrowed from the summary (NULL when empty or s is NULL).
 */
LTY_API const lty_clv_row *lty_clv_summary_rows(const lty_clv_summary *s,
                                                size_t *count);

/** @brief Free a summary (NULL is allowed). @param[in] s the summary */
LTY_API void lty_clv_summary_free(lty_clv_summary *s);

/** @brief Room for a fit's message, NUL included. */
#define LTY_CLV_MESSAGE_MAX 160

/** @brief A fitted BG/NBD model (Fader, Hardie & Lee 2005). */
typedef struct lty_bgnbd_model {
    double r;              /**< Shape of the purchase-rate gamma. */
    double alpha;          /**< Scale of the purchase-rate gamma (periods). */
    double a;              /**< Dropout beta, first shape. */
    double b;              /**< Dropout beta, second shape. */
    double log_likelihood; /**< Total log-likelihood at the estimate. */
    unsigned iterations;   /**< Optimiser iterations used. */
    double gradient_norm;  /**< Max |gradient| of the mean log-likelihood in log-parameters. */
    /** "converged", or why the fit failed. */
    char message[LTY_CLV_MESSAGE_MAX];
} lty_bgnbd_model;

/** @brief A fitted Gamma-Gamma spend model. */
typedef struct lty_gamgam_model {
    double p;              /**< Shape of the per-transaction spend gamma. */
    double q;              /**< Shape of the gamma of its rate. */
    double gamma;          /**< Scale of the gamma of its rate. */
    double log_likelihood; /**< Total log-likelihood at the estimate. */
    unsigned iterations;   /**< Optimiser iterations used. */
    double gradient_norm;  /**< As in #lty_bgnbd_model. */
    char message[LTY_CLV_MESSAGE_MAX]; /**< "converged", or why the fit failed. */
} lty_gamgam_model;

/**
 * @brief Fit BG/NBD by maximum likelihood.
 *
 * Customers with the same (frequency, recency, T) are evaluated once,
 * weighted by their number (summaries in days or weeks repeat histories
 * a lot), and the terms that depend only on the frequency once per
 * distinct frequency.  Times are first divided by the mean T (alpha is
 * scaled back).  BFGS on
 * the logarithms of r, alpha, a, b with the analytic gradient and a
 * backtracking (Armijo) line search, steps capped at 5 in log space.  It
 * stops when the largest component of the gradient of the @e mean
 * log-likelihood with respect to the log-parameters is below 1e-9, or,
 * with that gradient below 1e-6, when a step improves the mean
 * log-likelihood by less than 1e-15 relative or no decrease can be found
 * (the likelihood is flat to rounding); it fails after 500 iterations, or
 * when a scaled log-parameter leaves [-15, 15] (a parameter runs off to
 * zero or infinity).
 * @param[out] out   the model (on failure: zeros and the message)
 * @param[in]  rows  the customers (frequency, recency, T used)
 * @param[in]  n     their number; at least 2, with a repeat buyer
 * @return #LTY_OK; #LTY_EINVALID (NULL, invalid row); #LTY_ESTATE (too few
 *         customers, no repeat buyer, all T zero); #LTY_ERANGE (no
 *         convergence); #LTY_ENOMEM.
 */
LTY_API int lty_bgnbd_fit(lty_bgnbd_model *out, const lty_clv_row *rows,
                          size_t n);

/**
 * @brief The BG/NBD log-likelihood of the data at given parameters.
 * @param[in]  m     r, alpha, a, b are read (all > 0)
 * @param[in]  rows  the customers
 * @param[in]  n     their number
 * @param[out] ll    the total log-likelihood
 * @return #LTY_OK; #LTY_EINVALID.
 */
LTY_API int lty_bgnbd_log_likelihood(const lty_bgnbd_model *m,
                                     const lty_clv_row *rows, size_t n,
                                     double *ll);

/**
 * @brief P(alive) of a customer with this history.
 * @param[in] m  the model
 * @param[in] x  frequency; @param[in] t_x recency; @param[in] T age
 * @return a probability in [0, 1] (1 for x = 0); NaN only for invalid input.
 */
LTY_API double lty_bgnbd_p_alive(const lty_bgnbd_model *m, double x,
                                 double t_x, double T);

/**
 * @brief Expected purchases in the next t periods of a customer with this
 *        history (FHL 2005 eq. 10; the Gauss hypergeometric series is summed
 *        to a relative 1e-15).
 * @param[in]  m    the model (a != 1)
 * @param[in]  x    frequency
 * @param[in]  t_x  recency
 * @param[in]  T    age
 * @param[in]  t    horizon, periods (>= 0)
 * @param[out] out  the expectation
 * @return #LTY_OK; #LTY_EINVALID; #LTY_ERANGE (the series did not converge).
 */
LTY_API int lty_bgnbd_expected_purchases(const lty_bgnbd_model *m, double x,
                                         double t_x, double T, double t,
                                         double *out);

/**
 * @brief Fit Gamma-Gamma by maximum likelihood on the rows with
 *        frequency > 0 and monetary > 0 (others are skipped).
 *
 * Same optimiser and stopping rule as lty_bgnbd_fit(), on log p, log q,
 * log gamma, with spend divided by its mean (gamma is scaled back).
 * @param[out] out   the model
 * @param[in]  rows  the customers (frequency, monetary used)
 * @param[in]  n     their number
 * @return #LTY_OK; #LTY_EINVALID; #LTY_ESTATE (fewer than 2 repeat buyers
 *         with spend); #LTY_ERANGE (no convergence, e.g. every spend equal);
 *         #LTY_ENOMEM.
 */
LTY_API int lty_gamgam_fit(lty_gamgam_model *out, const lty_clv_row *rows,
                           size_t n);

/**
 * @brief Expected average spend per purchase of a customer: the posterior
 *        mean p(gamma + x m) / (p x + q − 1); the population mean
 *        p gamma / (q − 1) when x = 0.
 * @param[in] m  the model (q > 1)
 * @param[in] x  frequency; @param[in] monetary mean repeat spend
 * @return the expected spend; NaN for invalid input or q <= 1 with x = 0.
 */
LTY_API double lty_gamgam_expected_spend(const lty_gamgam_model *m, double x,
                                         double monetary);

/** @brief The version of #lty_clv_options this header describes. */
#define LTY_CLV_OPTIONS_VERSION 1

/** @brief How lifetime value and churn risk are computed. */
typedef struct lty_clv_options {
    unsigned int version;   /**< Must be #LTY_CLV_OPTIONS_VERSION. */
    lty_clv_period period;  /**< The period the rows are in. */
    unsigned months;        /**< Horizon in months (default 12; 1..1200). */
    double discount_rate;   /**< Monthly discount rate (default 0.01). */
    double churn_threshold; /**< P(alive) below this is at risk (default 0.5). */
} lty_clv_options;

/** @brief Defaults: days, 12 months, 1% a month, threshold 0.5. */
#define LTY_CLV_OPTIONS_INIT {LTY_CLV_OPTIONS_VERSION, LTY_CLV_PERIOD_DAY, \
    12, 0.01, 0.5}

/** @brief One customer's scores. */
typedef struct lty_clv_score {
    double p_alive;            /**< BG/NBD P(alive). */
    double expected_purchases; /**< Expected purchases over the horizon. */
    double expected_spend;     /**< Gamma-Gamma expected spend per purchase. */
    double clv;                /**< Discounted lifetime value over the horizon, minor units. */
    /** Value at stake: the lifetime value if the customer is still active,
     *  clv / p_alive (0 when p_alive is 0). */
    double value_at_stake;
} lty_clv_score;

/**
 * @brief Lifetime value of every row.
 *
 * CLV = Σ_{i=1..months} spend × (E[Y(i·M)] − E[Y((i−1)·M)]) / (1 + d)^i,
 * where M is a month in periods (30 days, or 4.345 weeks, as lifetimes).
 * @param[out] scores  n scores, filled in
 * @param[in]  rows    the customers
 * @param[in]  n       their number
 * @param[in]  bg      a fitted BG/NBD model
 * @param[in]  gg      a fitted Gamma-Gamma model (q > 1)
 * @param[in]  opts    options (NULL: defaults)
 * @return #LTY_OK; #LTY_EINVALID; #LTY_EVERSION; #LTY_ERANGE (a series did
 *         not converge).
 */
LTY_API int lty_clv_compute(lty_clv_score *scores, const lty_clv_row *rows,
                            size_t n, const lty_bgnbd_model *bg,
                            const lty_gamgam_model *gg,
                            const lty_clv_options *opts);

/**
 * @brief Churn risk: the indexes of the customers whose P(alive) is below
 *        the threshold, by value at stake, highest first (ties: lower index
 *        first).
 * @param[out] out        an array of indexes into @p scores, freed with
 *                        lty_free() (NULL when count is 0)
 * @param[out] count      how many
 * @param[in]  scores     from lty_clv_compute()
 * @param[in]  n          their number
 * @param[in]  threshold  P(alive) limit, in (0, 1]
 * @return #LTY_OK; #LTY_EINVALID; #LTY_ENOMEM.
 */
LTY_API int lty_clv_churn_risk(size_t **out, size_t *count,
                               const lty_clv_score *scores, size_t n,
                               double threshold);

/** @brief The version of #lty_clv_figures this header describes. */
#define LTY_CLV_FIGURES_VERSION 1

/**
 * @brief A customer's stored lifetime-value figures (lty_clv_store()).
 *
 * The rank puts the customer among the customers of the same
 * lty_clv_store() call by lifetime value, highest first; the customer is in
 * that call's top decile when <tt>rank <= ceil(of / 10)</tt>
 * (lty_clv_figures_top_decile()).
 */
typedef struct lty_clv_figures {
    unsigned int version;      /**< Set by the caller: #LTY_CLV_FIGURES_VERSION. */
    int64_t computed_at;       /**< When lty_clv_store() ran (engine clock). */
    double p_alive;            /**< As in #lty_clv_score, 0..1. */
    double expected_purchases; /**< As in #lty_clv_score. */
    double expected_spend;     /**< As in #lty_clv_score. */
    double clv;                /**< As in #lty_clv_score, minor units. */
    double value_at_stake;     /**< As in #lty_clv_score. */
    /** lty_clv_model_fingerprint() of the models the scores came from. */
    uint64_t model_fingerprint;
    /** 1-based rank by @c clv among the call's customers (highest first;
     *  equal values in the order of the rows). */
    uint64_t rank;
    uint64_t of;               /**< How many customers that call stored. */
} lty_clv_figures;

/** @brief Initialiser for #lty_clv_figures. */
#define LTY_CLV_FIGURES_INIT {LTY_CLV_FIGURES_VERSION, 0, 0, 0, 0, 0, 0, 0, 0, 0}

/**
 * @brief A fingerprint of the parameters of a pair of models: 64-bit
 *        FNV-1a over the IEEE 754 binary64 little-endian bytes of r, alpha,
 *        a, b, p, q and gamma, in that order.
 *
 * Stored with every customer's figures, so a host can tell which fit they
 * came from (equal parameters give equal fingerprints).
 * @param[in] bg  the BG/NBD model
 * @param[in] gg  the Gamma-Gamma model
 * @return the fingerprint; 0 when either is NULL.
 */
LTY_API uint64_t lty_clv_model_fingerprint(const lty_bgnbd_model *bg,
                                           const lty_gamgam_model *gg);

/**
 * @brief Keep the scores of customers of the store, one record per
 *        customer ("C\0<id>\0V"), written in one transaction.
 *
 * Score @c i belongs to the customer @c rows[i].customer_id, who must be a
 * customer of the store (a profile, or the aggregates of an erased
 * customer's anonymous id); each id at most once.  A customer's earlier
 * figures are replaced; customers not in the call keep theirs.  Nothing is
 * written when any check fails.  The figures carry the engine's clock,
 * lty_clv_model_fingerprint(bg, gg), and the rank by lifetime value among
 * the @p n customers (#lty_clv_figures).
 * @param[in] e       the engine
 * @param[in] scores  n scores (from lty_clv_compute()): every value finite,
 *                    p_alive in [0, 1]
 * @param[in] rows    the n rows they were computed from (customer ids used)
 * @param[in] n       their number (0: nothing to do)
 * @param[in] bg      the fitted BG/NBD model (r, alpha, a, b > 0)
 * @param[in] gg      the fitted Gamma-Gamma model (p, q, gamma > 0)
 * @return #LTY_OK; #LTY_EINVALID (NULL, a bad or repeated customer id, a
 *         bad score or model, naming it); #LTY_ENOTFOUND (no such customer,
 *         naming the row); #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_clv_store(lty_engine *e, const lty_clv_score *scores,
                          const lty_clv_row *rows, size_t n,
                          const lty_bgnbd_model *bg,
                          const lty_gamgam_model *gg);

/**
 * @brief A customer's stored lifetime-value figures.
 * @param[in]     e            the engine
 * @param[in]     customer_id  the customer
 * @param[in,out] out          filled; its @c version must be set
 * @return #LTY_OK; #LTY_ENOTFOUND (none stored); #LTY_EINVALID;
 *         #LTY_EVERSION; #LTY_ECORRUPT; storage errors.
 */
LTY_API int lty_clv_customer_get(lty_engine *e, const char *customer_id,
                                 lty_clv_figures *out);

/**
 * @brief Whether stored figures are in the top decile of their call:
 *        <tt>rank <= ceil(of / 10)</tt>.
 * @param[in] f  the figures
 * @return 1 or 0 (0 for NULL or rank 0).
 */
LTY_API int lty_clv_figures_top_decile(const lty_clv_figures *f);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_CLV_H */
