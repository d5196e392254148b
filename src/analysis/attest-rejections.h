/* attest-rejections.h: negative evidence in memory, the one rejection policy of the analysis.
 *
 * A reviewer who rejects a suggestion says "this face is not that person". `rejections` is an
 * AttestMatcher of rejected probes, each tagged with the rejected identity (the review layer
 * fills it from the store: attest_matcher_load_rejections). */
#pragma once

#include <glib.h>

#include "analysis/attest-matcher.h"

G_BEGIN_DECLS

/* A probe whose embedding has at least this cosine with a rejected probe is the same face:
 * the rejection holds for it too. */
#define ATTEST_REJECTION_SAME_FACE 0.6

/* Identities to leave out of a search for `probe`: those rejected for a probe at least
 * ATTEST_REJECTION_SAME_FACE alike (the same face, seen again). Writes up to
 * max_ids (at most ATTEST_REJECTIONS_MAX) and returns how many. rejections may be NULL. */
#define ATTEST_REJECTIONS_MAX 16
guint                  attest_rejections_find         (AttestMatcher          *rejections,
                                                       const float            *probe,
                                                       gint64                 *identity_ids,
                                                       guint                   max_ids);

G_END_DECLS
