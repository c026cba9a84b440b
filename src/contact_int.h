/*
 * libloyalty - internal: normalising phone numbers and e-mail addresses.
 *
 * Both functions are pure: they read the input, write the normalised form
 * into the caller's buffer and touch no engine state.  On failure they return
 * LTY_EINVALID and point *why at a fixed English reason ("not a phone
 * number"), which the caller prefixes with the field name.  The reason never
 * contains the value: it may be personal data.
 *
 * Phone numbers (the rules of customer.h, made precise):
 *
 *   - At most LTY_PHONE_MAX bytes as given.
 *   - Spaces, dashes, dots and brackets ( ) [ ] are dropped wherever they
 *     appear.  A '+' is allowed once, before the first digit.  Any other
 *     byte (letters, '/', '#', tabs, non-ASCII) makes the input "not a phone
 *     number": we would rather refuse than guess at an extension or a typo.
 *   - "+" or a leading "00" starts an international number: the digits that
 *     follow are the country code and the national number.  In an
 *     international number the trunk marker "(0)" ("+44 (0)20 ...") is
 *     dropped.
 *   - Otherwise a leading "0" is the national trunk prefix: it is replaced
 *     by the engine's country code ("010-1234-5678" -> "+821012345678").
 *   - Otherwise the digits are a national number written without a trunk
 *     prefix (the North American way: "(555) 123-4567" with country code 1)
 *     and the country code is put in front.  The country code is never
 *     guessed from the digits: "821012345678" without "+" is taken as a
 *     national number, so hosts holding international numbers must keep
 *     their "+" or "00".
 *   - The result is "+" and 8..15 digits (E.164 allows 15), and its first
 *     digit (the country code's) is not 0.
 *
 * A normalised number is a fixed point: normalising it again gives it back
 * unchanged whatever the country code, which is how the profile decoder
 * checks stored numbers.
 *
 * E-mail addresses:
 *
 *   - At most LTY_EMAIL_MAX bytes as given (surrounding white space counts).
 *   - Valid UTF-8 without control characters.
 *   - ASCII white space is trimmed at both ends, then no space may remain.
 *   - Exactly one '@', with a non-empty local part and a non-empty domain.
 *   - ASCII letters are lower-cased in both parts.  The local part is
 *     case-sensitive in theory, never in practice, and a look-up that misses
 *     because of case is worse than the theoretical collision.  Non-ASCII
 *     letters are kept as they are.
 *
 * SPDX-License-Identifier: MIT
 */
#ifndef LTY_CONTACT_INT_H
#define LTY_CONTACT_INT_H

#include <stddef.h>

#include "alloc_int.h"
#include "loyalty/customer.h"

/* Longest E.164 number: '+' and 15 digits. */
#define LTY__E164_MAX 16
/* Buffer sizes, terminating NUL included. */
#define LTY__E164_SIZE (LTY__E164_MAX + 1)
#define LTY__EMAIL_SIZE (LTY_EMAIL_MAX + 1)

/* Length of s, reading at most max + 1 bytes: a result over max means "too
 * long" without running past the end of an unterminated buffer. */
LTY_INTERNAL size_t lty__bounded_len(const char *s, size_t max);

/* Normalise the phone number s[0..n) (n > LTY_PHONE_MAX is refused) using
 * country_code (1..999) for national numbers.  On success out holds the
 * NUL-terminated E.164 form and *outlen its length. */
LTY_INTERNAL int lty__phone_normalize(const char *s, size_t n,
                                      int country_code,
                                      char out[LTY__E164_SIZE],
                                      size_t *outlen, const char **why);

/* Normalise the e-mail address s[0..n) (n > LTY_EMAIL_MAX is refused).  On
 * success out holds the NUL-terminated address and *outlen its length. */
LTY_INTERNAL int lty__email_normalize(const char *s, size_t n,
                                      char out[LTY__EMAIL_SIZE],
                                      size_t *outlen, const char **why);

#endif /* LTY_CONTACT_INT_H */
