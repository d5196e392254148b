/* attest-store-review-private.h: what attest-store-review.c shares with attest-store-scan.c.
 * Not for use outside src/store. Functions taking the store expect its lock held and a
 * transaction begun (_attest_store_begin). */
#pragma once

#include "attest-review.h"

G_BEGIN_DECLS

/* FALSE with ATTEST_REVIEW_ERROR_INVALID when the spec cannot be stored. */
gboolean _attest_review_check_spec     (const AttestReviewItemSpec *spec,
                                        GError                    **error);
/* Records the source, inserts the item and its frames; *id gets the item id. */
gboolean _attest_review_add_item_in_tx (AttestStore                *self,
                                        const AttestReviewItemSpec *spec,
                                        gint64                     *id,
                                        GError                    **error);

G_END_DECLS
