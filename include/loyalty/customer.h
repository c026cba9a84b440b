/*
 * libloyalty - customer profiles.
 *
 * SPDX-License-Identifier: MIT
 */
/**
 * @file customer.h
 * @brief Create, read, update and erase customer profiles; look customers up
 *        by phone (caller ID) or e-mail.
 *
 * A customer is known by the host system's id (its chart or member number).
 * Reads return a snapshot (#lty_customer) that the caller frees; it does not
 * change when the store does.
 *
 * @par Phone numbers
 * Phones are normalised to E.164 before they are stored or looked up:
 * spaces, dashes, dots and brackets are dropped; a leading "+" or "00" starts
 * an international number; a leading "0" is a national trunk prefix replaced
 * by the engine's @c country_code.  So "010-1234-5678", "01012345678" and
 * "+82 10-1234-5678" are all "+821012345678".  8..15 digits are required.
 *
 * @par E-mail addresses
 * Trimmed and lower-cased (ASCII) before they are stored or looked up; one
 * "@" with a non-empty local part and domain, no spaces or control
 * characters, at most #LTY_EMAIL_MAX bytes.
 *
 * A phone or an e-mail address belongs to at most one customer: giving it to
 * a second customer fails with #LTY_EEXISTS.
 */
#ifndef LOYALTY_CUSTOMER_H
#define LOYALTY_CUSTOMER_H

#include "common.h"
#include "engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Longest display name, in bytes. */
#define LTY_NAME_MAX 256
/** @brief Longest phone number as given (before normalisation), in bytes. */
#define LTY_PHONE_MAX 32
/** @brief Longest e-mail address, in bytes. */
#define LTY_EMAIL_MAX 254
/** @brief Longest preference or note key, tag or anniversary label, in bytes. */
#define LTY_LABEL_MAX 64
/** @brief Longest preference or note value, in bytes. */
#define LTY_TEXT_MAX 1024
/** @brief Most preferences (and, separately, most notes) per customer. */
#define LTY_ATTRS_MAX 32
/** @brief Most tags per customer. */
#define LTY_TAGS_MAX 32
/** @brief Most anniversaries per customer. */
#define LTY_ANNIVERSARIES_MAX 16

/** @brief A customer snapshot (opaque); free with lty_customer_free(). */
typedef struct lty_customer lty_customer;

/** @brief Bits of #lty_customer_fields.set: which fields a call gives. */
enum lty_customer_field {
    LTY_FIELD_NAME = 1u << 0,              /**< @c name */
    LTY_FIELD_PHONE = 1u << 1,             /**< @c phone */
    LTY_FIELD_EMAIL = 1u << 2,             /**< @c email */
    LTY_FIELD_BIRTHDAY = 1u << 3,          /**< @c birthday */
    LTY_FIELD_PREFERRED_CHANNEL = 1u << 4  /**< @c preferred_channel */
};

/** @brief The version of #lty_customer_fields this header describes. */
#define LTY_CUSTOMER_FIELDS_VERSION 1

/**
 * @brief The scalar fields of a profile, for create and partial update.
 *
 * Only the fields whose bit is in @c set are read.  A set field whose value
 * is NULL or "" (or, for @c birthday, month 0; for @c preferred_channel,
 * #LTY_CHANNEL_NONE) clears it.
 */
typedef struct lty_customer_fields {
    /** Must be #LTY_CUSTOMER_FIELDS_VERSION (or older supported). */
    unsigned int version;
    /** Required: the host's id, 1..#LTY_ID_MAX printable UTF-8 bytes. */
    const char *id;
    /** Bitwise OR of #lty_customer_field values. */
    unsigned int set;
    /** Display name, up to #LTY_NAME_MAX bytes, no control characters. */
    const char *name;
    /** Phone number in any common notation (normalised; see above). */
    const char *phone;
    /** E-mail address (normalised; see above). */
    const char *email;
    /** Birthday; @c year may be 0 when unknown. */
    lty_date birthday;
    /** The channel the customer prefers to be reached on. */
    lty_channel preferred_channel;
} lty_customer_fields;

/** @brief Initialiser for #lty_customer_fields. */
#define LTY_CUSTOMER_FIELDS_INIT {LTY_CUSTOMER_FIELDS_VERSION, NULL, 0u, NULL, \
                                  NULL, NULL, {0, 0, 0}, LTY_CHANNEL_NONE}

/**
 * @brief Create a customer.
 *
 * The created time is the engine's clock.
 *
 * @param[in] e  The engine.
 * @param[in] f  The id and the fields named in @c f->set.
 * @return #LTY_OK; #LTY_EINVALID (a field is invalid; the message names it);
 *         #LTY_EEXISTS (the id exists, or the phone or e-mail belongs to
 *         another customer); #LTY_EVERSION; #LTY_ENOMEM; storage errors.
 */
LTY_API int lty_customer_create(lty_engine *e, const lty_customer_fields *f);

/**
 * @brief Change the fields named in @c f->set; leave the others alone.
 *
 * Changing the phone or e-mail moves its look-up entry.
 *
 * @param[in] e  The engine.
 * @param[in] f  The id and the fields to change.
 * @return As lty_customer_create(), and #LTY_ENOTFOUND for an unknown id.
 */
LTY_API int lty_customer_update(lty_engine *e, const lty_customer_fields *f);

/**
 * @brief Read a customer's profile and aggregates.
 *
 * @param[in]  e    The engine.
 * @param[in]  id   The customer's id.
 * @param[out] out  Receives a snapshot to free with lty_customer_free().
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND, #LTY_ENOMEM,
 *         #LTY_ECORRUPT or a storage error.
 */
LTY_API int lty_customer_get(lty_engine *e, const char *id, lty_customer **out);

/**
 * @brief Find the customer a phone number belongs to (the caller-ID pop-up).
 *
 * @param[in]  e      The engine.
 * @param[in]  phone  A phone number in any notation lty_customer_create()
 *                    accepts.
 * @param[out] out    Receives a snapshot to free with lty_customer_free().
 * @return As lty_customer_get(); #LTY_ENOTFOUND when no customer has it.
 */
LTY_API int lty_customer_find_by_phone(lty_engine *e, const char *phone,
                                       lty_customer **out);

/**
 * @brief Find the customer an e-mail address belongs to.
 *
 * @param[in]  e      The engine.
 * @param[in]  email  The address (compared after normalisation).
 * @param[out] out    Receives a snapshot to free with lty_customer_free().
 * @return As lty_customer_get(); #LTY_ENOTFOUND when no customer has it.
 */
LTY_API int lty_customer_find_by_email(lty_engine *e, const char *email,
                                       lty_customer **out);

/**
 * @brief Set or remove a preference ("doctor" = "female", "food" = "no garlic").
 *
 * @param[in] e      The engine.
 * @param[in] id     The customer.
 * @param[in] key    1..#LTY_LABEL_MAX bytes, no control characters.
 * @param[in] value  Up to #LTY_TEXT_MAX bytes (newlines and tabs allowed), or
 *                   NULL to remove the key.
 * @return #LTY_OK; #LTY_EINVALID; #LTY_ENOTFOUND (customer, or the key when
 *         removing); #LTY_ERANGE (more than #LTY_ATTRS_MAX keys); storage
 *         errors.
 */
LTY_API int lty_customer_set_preference(lty_engine *e, const char *id,
                                        const char *key, const char *value);

/**
 * @brief Set or remove a note staff must see ("allergy" = "penicillin").
 *
 * Same rules as lty_customer_set_preference(), kept as a separate list.
 *
 * @param[in] e      The engine.
 * @param[in] id     The customer.
 * @param[in] key    The note's key.
 * @param[in] value  The note, or NULL to remove it.
 * @return As lty_customer_set_preference().
 */
LTY_API int lty_customer_set_note(lty_engine *e, const char *id,
                                  const char *key, const char *value);

/**
 * @brief Add a tag (adding one the customer has is not an error).
 *
 * @param[in] e    The engine.
 * @param[in] id   The customer.
 * @param[in] tag  1..#LTY_LABEL_MAX bytes, no control characters.
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND, #LTY_ERANGE (more than
 *         #LTY_TAGS_MAX tags), storage errors.
 */
LTY_API int lty_customer_add_tag(lty_engine *e, const char *id, const char *tag);

/**
 * @brief Remove a tag.
 *
 * @param[in] e    The engine.
 * @param[in] id   The customer.
 * @param[in] tag  The tag.
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND (customer or tag), storage
 *         errors.
 */
LTY_API int lty_customer_remove_tag(lty_engine *e, const char *id,
                                    const char *tag);

/**
 * @brief Set or remove a named anniversary ("wedding", "first visit").
 *
 * @param[in] e      The engine.
 * @param[in] id     The customer.
 * @param[in] label  1..#LTY_LABEL_MAX bytes, no control characters.
 * @param[in] date   The date (year may be 0), or NULL to remove the label.
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND, #LTY_ERANGE (more than
 *         #LTY_ANNIVERSARIES_MAX), storage errors.
 */
LTY_API int lty_customer_set_anniversary(lty_engine *e, const char *id,
                                         const char *label,
                                         const lty_date *date);

/**
 * @brief Record that consent was given or withdrawn, at the engine's clock.
 *
 * @param[in] e        The engine.
 * @param[in] id       The customer.
 * @param[in] channel  #LTY_CHANNEL_SMS .. #LTY_CHANNEL_PUSH.
 * @param[in] purpose  #LTY_PURPOSE_MARKETING or #LTY_PURPOSE_NIGHT_MARKETING
 *                     (transactional messages need no consent).
 * @param[in] granted  Non-zero when given, zero when withdrawn.
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND, storage errors.
 */
LTY_API int lty_customer_set_consent(lty_engine *e, const char *id,
                                     lty_channel channel, lty_purpose purpose,
                                     int granted);

/**
 * @brief Erase a customer (the right to be forgotten).
 *
 * Removes every personal field (name, phone, e-mail, birthday,
 * anniversaries, preferences, notes, tags, consents, feedback comments) and
 * the phone and e-mail look-up entries.  The ledger and the aggregates stay,
 * for statistics, under a new anonymous id ("anon-" and a number) that
 * nothing links back to the erased id.
 *
 * @param[in] e   The engine.
 * @param[in] id  The customer.
 * @return #LTY_OK, #LTY_EINVALID, #LTY_ENOTFOUND, storage errors.
 */
LTY_API int lty_customer_erase(lty_engine *e, const char *id);

/**
 * @brief Free a snapshot.
 * @param[in] c  The snapshot, or NULL (ignored).
 */
LTY_API void lty_customer_free(lty_customer *c);

/**
 * @brief The customer's id.
 * @param[in] c  The snapshot.
 * @return A string owned by the snapshot.
 */
LTY_API const char *lty_customer_id(const lty_customer *c);

/**
 * @brief The display name.
 * @param[in] c  The snapshot.
 * @return A string owned by the snapshot, or NULL when not set.
 */
LTY_API const char *lty_customer_name(const lty_customer *c);

/**
 * @brief The phone number, normalised to E.164.
 * @param[in] c  The snapshot.
 * @return A string owned by the snapshot, or NULL when not set.
 */
LTY_API const char *lty_customer_phone(const lty_customer *c);

/**
 * @brief The e-mail address, normalised.
 * @param[in] c  The snapshot.
 * @return A string owned by the snapshot, or NULL when not set.
 */
LTY_API const char *lty_customer_email(const lty_customer *c);

/**
 * @brief The birthday.
 * @param[in]  c    The snapshot.
 * @param[out] out  Receives the date (year 0 when unknown).
 * @return #LTY_OK, #LTY_ENOTFOUND when not set, #LTY_EINVALID for NULL.
 */
LTY_API int lty_customer_birthday(const lty_customer *c, lty_date *out);

/**
 * @brief The preferred channel.
 * @param[in] c  The snapshot.
 * @return The channel, #LTY_CHANNEL_NONE when not set.
 */
LTY_API lty_channel lty_customer_preferred_channel(const lty_customer *c);

/**
 * @brief When the customer was created.
 * @param[in] c  The snapshot.
 * @return Unix seconds, UTC.
 */
LTY_API int64_t lty_customer_created(const lty_customer *c);

/**
 * @brief Number of preferences.
 * @param[in] c  The snapshot.
 * @return The count.
 */
LTY_API size_t lty_customer_preference_count(const lty_customer *c);

/**
 * @brief A preference by position (keys in byte order).
 * @param[in]  c      The snapshot.
 * @param[in]  index  0 .. count - 1.
 * @param[out] key    Receives the key (owned by the snapshot).
 * @param[out] value  Receives the value (owned by the snapshot).
 * @return #LTY_OK or #LTY_EINVALID.
 */
LTY_API int lty_customer_preference_at(const lty_customer *c, size_t index,
                                       const char **key, const char **value);

/**
 * @brief A preference by key.
 * @param[in] c    The snapshot.
 * @param[in] key  The key.
 * @return The value (owned by the snapshot), or NULL.
 */
LTY_API const char *lty_customer_preference(const lty_customer *c,
                                            const char *key);

/**
 * @brief Number of notes.
 * @param[in] c  The snapshot.
 * @return The count.
 */
LTY_API size_t lty_customer_note_count(const lty_customer *c);

/**
 * @brief A note by position (keys in byte order).
 * @param[in]  c      The snapshot.
 * @param[in]  index  0 .. count - 1.
 * @param[out] key    Receives the key.
 * @param[out] value  Receives the note.
 * @return #LTY_OK or #LTY_EINVALID.
 */
LTY_API int lty_customer_note_at(const lty_customer *c, size_t index,
                                 const char **key, const char **value);

/**
 * @brief A note by key.
 * @param[in] c    The snapshot.
 * @param[in] key  The key.
 * @return The note (owned by the snapshot), or NULL.
 */
LTY_API const char *lty_customer_note(const lty_customer *c, const char *key);

/**
 * @brief Number of tags.
 * @param[in] c  The snapshot.
 * @return The count.
 */
LTY_API size_t lty_customer_tag_count(const lty_customer *c);

/**
 * @brief A tag by position (in byte order).
 * @param[in] c      The snapshot.
 * @param[in] index  0 .. count - 1.
 * @return The tag (owned by the snapshot), or NULL for a bad index.
 */
LTY_API const char *lty_customer_tag_at(const lty_customer *c, size_t index);

/**
 * @brief Whether the customer has a tag.
 * @param[in] c    The snapshot.
 * @param[in] tag  The tag.
 * @return 1 or 0.
 */
LTY_API int lty_customer_has_tag(const lty_customer *c, const char *tag);

/**
 * @brief Number of anniversaries.
 * @param[in] c  The snapshot.
 * @return The count.
 */
LTY_API size_t lty_customer_anniversary_count(const lty_customer *c);

/**
 * @brief An anniversary by position (labels in byte order).
 * @param[in]  c      The snapshot.
 * @param[in]  index  0 .. count - 1.
 * @param[out] label  Receives the label (owned by the snapshot).
 * @param[out] date   Receives the date.
 * @return #LTY_OK or #LTY_EINVALID.
 */
LTY_API int lty_customer_anniversary_at(const lty_customer *c, size_t index,
                                        const char **label, lty_date *date);

/**
 * @brief The recorded consent for a channel and purpose.
 * @param[in]  c        The snapshot.
 * @param[in]  channel  The channel.
 * @param[in]  purpose  #LTY_PURPOSE_MARKETING or #LTY_PURPOSE_NIGHT_MARKETING.
 * @param[out] granted  Receives 1 when given, 0 when withdrawn (may be NULL).
 * @param[out] since    Receives when it was given or withdrawn (may be NULL).
 * @return #LTY_OK; #LTY_ENOTFOUND when nothing was ever recorded (then
 *         @p granted is 0); #LTY_EINVALID.
 */
LTY_API int lty_customer_consent(const lty_customer *c, lty_channel channel,
                                 lty_purpose purpose, int *granted,
                                 int64_t *since);

/** @brief The version of #lty_customer_stats this header describes. */
#define LTY_CUSTOMER_STATS_VERSION 1

/**
 * @brief A customer's aggregates, kept up to date by the ledger.
 *
 * Times are 0 while @c visits is 0.
 */
typedef struct lty_customer_stats {
    /** Set by the caller: #LTY_CUSTOMER_STATS_VERSION. */
    unsigned int version;
    /** First visit or purchase (Unix seconds UTC). */
    int64_t first_visit;
    /** Latest visit or purchase. */
    int64_t last_visit;
    /** Visits counted, at most one per local day. */
    int64_t visits;
    /** Purchases recorded. */
    int64_t purchases;
    /** Purchases minus refunds, in minor units. */
    int64_t net_spend;
    /** Refunds recorded. */
    int64_t refunds;
    /** Feedback events recorded. */
    int64_t feedbacks;
    /** Item of the latest visit or purchase (owned by the snapshot), or NULL. */
    const char *last_item;
} lty_customer_stats;

/** @brief Initialiser for #lty_customer_stats. */
#define LTY_CUSTOMER_STATS_INIT {LTY_CUSTOMER_STATS_VERSION, 0, 0, 0, 0, 0, 0, 0, NULL}

/**
 * @brief Read the aggregates from a snapshot.
 * @param[in]  c    The snapshot.
 * @param[out] out  Receives the aggregates; set @c out->version first.
 * @return #LTY_OK, #LTY_EINVALID or #LTY_EVERSION.
 */
LTY_API int lty_customer_stats_get(const lty_customer *c, lty_customer_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* LOYALTY_CUSTOMER_H */
