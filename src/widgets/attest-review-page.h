/* attest-review-page.h: the Review page: the queue of review items (open ones first, each
 * with its status) beside the AttestReviewPanel showing one of them, an empty state that
 * says how items arrive, and a scan progress bar. It lists and shows; the window's review
 * code (attest-window-review.c) reads the store and records decisions. */
#pragma once

#include <gtk/gtk.h>

#include "attest-review-panel.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_REVIEW_PAGE (attest_review_page_get_type ())
G_DECLARE_FINAL_TYPE (AttestReviewPage, attest_review_page, ATTEST, REVIEW_PAGE, GtkBox)

GtkWidget         *attest_review_page_new          (void);
AttestReviewPanel *attest_review_page_get_panel    (AttestReviewPage *self);

/* The queue (element type AttestReviewItem*, in the order to show; ref'd). */
void               attest_review_page_set_items    (AttestReviewPage *self,
                                                    GPtrArray        *items);
/* The item the panel shows (its row is selected); -1: none (the "all reviewed" state). */
void               attest_review_page_set_current  (AttestReviewPage *self,
                                                    gint64            item_id);
/* Scan progress: label NULL hides the bar. */
void               attest_review_page_set_scan     (AttestReviewPage *self,
                                                    const char       *label,
                                                    double            fraction);
/* Shows the "Scan Video…" buttons (once a scanner is available). */
void               attest_review_page_set_can_scan (AttestReviewPage *self,
                                                    gboolean          can_scan);

/* For tests: rows of the queue, and the text of row i's status. */
guint              attest_review_page_get_n_rows   (AttestReviewPage *self);
const char        *attest_review_page_get_row_status (AttestReviewPage *self,
                                                      guint             i);
gint64             attest_review_page_get_row_item (AttestReviewPage *self,
                                                    guint             i);
/* The scan bar's text, NULL while it is hidden. */
const char        *attest_review_page_get_scan_text (AttestReviewPage *self);
/* "empty", "item" or "done". */
const char        *attest_review_page_get_state    (AttestReviewPage *self);

G_END_DECLS
