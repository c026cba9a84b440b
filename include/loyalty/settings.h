/*
 * libloyalty - store-wide settings: the currency, the time zone, the phone
 * country code and the language every engine and program of one store
 * should agree on.
 * SPDX-License-Identifier: MIT
 */
/**
 * @file settings.h
 * @brief One record per store naming its currency, time zone, phone country
 *        code and language.
 *
 * The engine's own behaviour comes from #lty_engine_options (each engine
 * is told its zone, currency digits and country code when it is created);
 * a store used by several programs needs them to agree, and a program
 * opening a store it did not create needs to know them.  The settings
 * record is where they are written down once: the host (the `loyalty`
 * command's `init`, for one) stores them, and every program reads them and
 * builds its engine options from them (lty_store_settings_apply()).
 */
#ifndef LOYALTY_SETTINGS_H
#define LOYALTY_SETTINGS_H

#include "loyalty/common.h"
#include "loyalty/engine.h"
#include "loyalty/message.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief The version of #lty_store_settings this header describes. */
#define LTY_STORE_SETTINGS_VERSION 1

/** @brief A store's settings. */
typedef struct lty_store_settings {
    /** Must be #LTY_STORE_SETTINGS_VERSION. */
    unsigned int version;
    /** ISO 4217 currency code: three letters A..Z ("KRW", "USD"). */
    char currency[4];
    /** Digits of the currency's minor unit, 0..4 (KRW 0, USD 2). */
    int currency_exponent;
    /** 1: the zone is the host's local one, with its daylight saving time
     *  (the host supplies it as @c tz_offset); 0: the fixed offset below. */
    int zone_local;
    /** Fixed offset from UTC in minutes, -1080..1080 (Korea 540); 0 when
     *  @c zone_local is 1. */
    int utc_offset_minutes;
    /** Country calling code for national phone numbers, 1..999. */
    int country_code;
    /** Language tag of the store's templates ("ko", "en-US"), 0..
     *  #LTY_LOCALE_MAX bytes of letters, digits and '-'; "" for none. */
    char locale[LTY_LOCALE_MAX + 1];
} lty_store_settings;

/** @brief Initialiser: the library's defaults (KRW, UTC+9, 82, "ko"). */
#define LTY_STORE_SETTINGS_INIT {LTY_STORE_SETTINGS_VERSION, "KRW", 0, 0, \
    540, 82, "ko"}

/**
 * @brief Store the settings (replacing earlier ones), in one transaction.
 * Nothing else in the store changes: stored amounts stay in minor units
 * and times in UTC; engines already open keep their options.
 * @param[in] e  The engine.
 * @param[in] s  The settings (copied).
 * @return #LTY_OK; #LTY_EINVALID naming the field; #LTY_EVERSION; storage
 *         errors.
 */
LTY_API int lty_store_settings_set(lty_engine *e, const lty_store_settings *s);

/**
 * @brief Read the store's settings.
 * @param[in]     e    The engine.
 * @param[in,out] out  Filled; its @c version must be set.
 * @return #LTY_OK; #LTY_ENOTFOUND (never stored; @p out is left as it
 *         was); #LTY_EINVALID; #LTY_EVERSION; #LTY_ECORRUPT; storage errors.
 */
LTY_API int lty_store_settings_get(lty_engine *e, lty_store_settings *out);

/**
 * @brief Copy the settings into engine options: @c currency_exponent,
 *        @c country_code, and @c utc_offset_minutes unless @c zone_local
 *        (then the options keep the host's @c tz_offset, which the host
 *        must set).
 * @param[in]     s     The settings.
 * @param[in,out] opts  The options to update.
 * @return #LTY_OK; #LTY_EINVALID (NULL, or settings out of range).
 */
LTY_API int lty_store_settings_apply(const lty_store_settings *s,
                                     lty_engine_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_SETTINGS_H */
