/* attest-review-page-private.h: what tests read from the Review page. */
#pragma once

#include "attest-review-page.h"

G_BEGIN_DECLS

/* The title of the page shown when nothing is pending ("All Faces Reviewed", or how many
 * faces are set aside), and the queue's count above the list. */
const char *_attest_review_page_get_done_title (AttestReviewPage *self);
const char *_attest_review_page_get_count_text (AttestReviewPage *self);

G_END_DECLS
