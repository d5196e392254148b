/* attest-review-page.h: the Review page: the queue of review items (open ones first, each
 * with its status) beside the AttestReviewPanel showing one of them, an empty state that
 * says how items arrive, and a scan's progress.
 *
 * It holds the queue: it reads it from the store (again whenever the store says the review
 * queue changed, whoever wrote), records the reviewer's decisions and their undo, and scans
 * videos into it (action scan.cancel stops a scan). Nothing here decides: every decision is
 * the reviewer's, made with the panel's actions. */
#pragma once

#include <gtk/gtk.h>

#include "analysis/attest-matcher.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"
#include "attest-review-panel.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_REVIEW_PAGE (attest_review_page_get_type ())
G_DECLARE_FINAL_TYPE (AttestReviewPage, attest_review_page, ATTEST, REVIEW_PAGE, GtkBox)

GtkWidget         *attest_review_page_new          (void);
AttestReviewPanel *attest_review_page_get_panel    (AttestReviewPage *self);

/* NULL: nothing to list. */
void               attest_review_page_set_store    (AttestReviewPage *self,
                                                    AttestStore      *store);
/* For scans (NULL: face detection is off). Not owned: it outlives the page. */
void               attest_review_page_set_vision   (AttestReviewPage *self,
                                                    AttestVision     *vision);
/* The gallery a scan looks for. */
void               attest_review_page_set_matcher  (AttestReviewPage *self,
                                                    AttestMatcher    *matcher,
                                                    GHashTable       *identity_names);
void               attest_review_page_set_impostor_stats (AttestReviewPage          *self,
                                                          const AttestImpostorStats *stats,
                                                          gboolean                   enough);
/* Property "match-threshold": what a scan suggests from. */
void               attest_review_page_set_match_threshold (AttestReviewPage *self,
                                                           double            threshold);
/* Reads the queue again (coalesced); the panel keeps the item it shows while it is pending,
 * else shows the next pending one. */
void               attest_review_page_reload       (AttestReviewPage *self);
/* Scans `file` into the queue; says why not in a toast. */
void               attest_review_page_scan_file    (AttestReviewPage *self,
                                                    GFile            *file);
/* Scans `file` once the scan running (if any) has finished: a network camera's segments,
 * one after another. */
void               attest_review_page_queue_scan   (AttestReviewPage *self,
                                                    GFile            *file);
/* Property "scanning". */
gboolean           attest_review_page_get_scanning (AttestReviewPage *self);
/* Property "n-pending": items waiting for a decision (the page's badge). */
guint              attest_review_page_get_n_pending (AttestReviewPage *self);
/* The decision keys work wherever the focus is in `window` while the page is on screen. */
void               attest_review_page_add_shortcuts (AttestReviewPage *self,
                                                     GtkWidget        *window);

/* Signal "play-moment" (const char *uri, gint64 ms): "Play This Moment" asks to play the
 * item's source from ms. */

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
