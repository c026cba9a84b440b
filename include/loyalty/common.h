/*
 * libloyalty - common definitions shared by every module.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file common.h
 * @brief Export macro, error codes, allocator hooks and small shared helpers.
 *
 * Every fallible function of libloyalty returns an @c int: #LTY_OK (zero) on
 * success or one of the negative #lty_error codes.  The text of
 * lty_strerror() says what the code means in general; the engine keeps the
 * detail of the last failure (which field was wrong) for
 * lty_engine_last_error().
 */
#ifndef LOYALTY_COMMON_H
#define LOYALTY_COMMON_H

#include <stddef.h>
#include <stdint.h>

/** @brief The compiler's spelling of "export this symbol", used by the export macro below. */
#if defined(_WIN32) && defined(LTY_BUILDING_DLL)
#define LTY_EXPORT_ __declspec(dllexport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define LTY_EXPORT_ __attribute__((visibility("default")))
#else
#define LTY_EXPORT_
#endif

/**
 * @brief Marks a declaration as part of the public ABI.
 *
 * The library is compiled with @c -fvisibility=hidden; only declarations
 * carrying this macro are exported from the shared object.
 */
#define LTY_API LTY_EXPORT_

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Return codes.
 *
 * Codes are never renumbered; new codes are only ever added.
 */
typedef enum lty_error {
    LTY_OK = 0,          /**< Success. */
    LTY_EINVALID = -1,   /**< An argument or input field is invalid. */
    LTY_ENOMEM = -2,     /**< An allocation failed. */
    LTY_ENOTFOUND = -3,  /**< The requested object does not exist. */
    LTY_EEXISTS = -4,    /**< The object already exists (or an id was reused with other content). */
    LTY_ECONFLICT = -5,  /**< A concurrent update won; the engine retries these itself. */
    LTY_ESTORAGE = -6,   /**< The storage backend failed. */
    LTY_ECORRUPT = -7,   /**< A record read from storage is malformed. */
    LTY_ERANGE = -8,     /**< A value is out of range, or arithmetic would overflow. */
    LTY_ESTATE = -9,     /**< The object is in the wrong state for the call. */
    LTY_ECONSENT = -10,  /**< The customer has not consented. */
    LTY_EVERSION = -11,  /**< A struct or record version is not supported. */
    LTY_EPARSE = -12,    /**< A text input (file, CSV, config) could not be parsed. */
    LTY_ETEMPORARY = -13,/**< A temporary failure; retrying later may succeed. */
    LTY_EPERMANENT = -14,/**< A permanent failure; retrying will not help. */
    LTY_EUSER = -15      /**< A user callback failed for its own reason. */
} lty_error;

/** @brief The lowest (most negative) code defined by this version. */
#define LTY_ERROR_MIN LTY_EUSER

/**
 * @brief Describe a return code.
 *
 * @param[in] code  Any integer; codes this version does not know get a
 *                  generic text.
 * @return A static, NUL-terminated English string; never NULL.  Safe to call
 *         from any thread.
 */
LTY_API const char *lty_strerror(int code);

/**
 * @brief Allocator hooks.
 *
 * Every allocation the library makes for an engine (or a memory store) goes
 * through these hooks when they are set.  The three functions follow the C
 * library's contracts: @c malloc and @c realloc return NULL on failure,
 * @c realloc of NULL behaves like @c malloc, @c free of NULL does nothing.
 * The library never asks for zero bytes.
 */
typedef struct lty_allocator {
    /** Allocate @p size bytes. */
    void *(*malloc)(size_t size, void *userdata);
    /** Resize the block @p ptr to @p size bytes. */
    void *(*realloc)(void *ptr, size_t size, void *userdata);
    /** Release a block. */
    void (*free)(void *ptr, void *userdata);
    /** Passed unchanged to the three functions. */
    void *userdata;
} lty_allocator;

/**
 * @brief Free a block the library allocated for the caller.
 *
 * For the functions that hand over new memory through a @c char** (such as
 * lty_briefing_render_text()); objects with their own destructor
 * (lty_customer_free(), lty_briefing_free() ...) are freed with that
 * instead.  The block remembers the allocator it came from (the engine's
 * #lty_allocator hooks, or the C library's), so it may be freed after the
 * engine, and never reaches a different allocator.
 *
 * @param[in] p  The block, or NULL (ignored).
 */
LTY_API void lty_free(void *p);

/**
 * @brief A calendar date in the engine's local time zone.
 *
 * @c year is 0 when unknown (birthdays are often given without a year);
 * otherwise 1900..9999.  @c month is 1..12 and @c day 1..31, checked against
 * the month (29 February only with year 0 or a leap year).
 */
typedef struct lty_date {
    int year;  /**< 1900..9999, or 0 when unknown. */
    int month; /**< 1..12. */
    int day;   /**< 1..31, valid for the month. */
} lty_date;

/** @brief Earliest time the library accepts: 1970-01-01T00:00:00Z. */
#define LTY_TIME_MIN INT64_C(0)
/** @brief Latest time the library accepts: 9999-12-31T23:59:59Z. */
#define LTY_TIME_MAX INT64_C(253402300799)

/** @brief Longest customer, event or other object id, in bytes. */
#define LTY_ID_MAX 64
/** @brief Longest title, tier name, program or reward name, in bytes. */
#define LTY_TITLE_MAX 64

/**
 * @brief Sentinel time meaning "now, by the engine's clock" in input structs
 *        that default their time.
 */
#define LTY_TIME_NOW INT64_MIN

/** @brief Channels a customer can be reached on. */
typedef enum lty_channel {
    LTY_CHANNEL_NONE = 0,  /**< No channel (no preference). */
    LTY_CHANNEL_SMS = 1,   /**< Text message to the phone. */
    LTY_CHANNEL_EMAIL = 2, /**< E-mail. */
    LTY_CHANNEL_KAKAO = 3, /**< KakaoTalk (alim-talk or friend-talk). */
    LTY_CHANNEL_PUSH = 4,  /**< The host application's push notification. */
    LTY_CHANNEL_STAFF = 5  /**< A notice for the staff (the front desk's screen), about a customer; needs no consent. */
} lty_channel;

/** @brief Why a message is sent; decides which consent it needs. */
typedef enum lty_purpose {
    LTY_PURPOSE_TRANSACTIONAL = 1,  /**< Reminders and service notices; no advertising consent needed. */
    LTY_PURPOSE_MARKETING = 2,      /**< Advertising; needs marketing consent for the channel. */
    LTY_PURPOSE_NIGHT_MARKETING = 3 /**< Advertising between 21:00 and 08:00; needs its own separate consent. */
} lty_purpose;

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_COMMON_H */
