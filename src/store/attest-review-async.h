/* attest-review-async.h: the _async/_finish variants of attest-review.h for the UI.
 *
 * Each copies its arguments and runs the plain call on the store's one writer thread, so
 * decisions are saved in the order they were made and the UI never waits on the disk. The
 * callback runs on the caller's thread-default main context. Errors as in attest-review.h. */
#pragma once

#include "attest-review.h"

G_BEGIN_DECLS

typedef enum
{
  ATTEST_REVIEW_DECISION_CONFIRM,
  ATTEST_REVIEW_DECISION_REJECT,
  ATTEST_REVIEW_DECISION_SKIP,
  ATTEST_REVIEW_DECISION_UNSURE,
  ATTEST_REVIEW_DECISION_UNDO,    /* the newest decision not undone yet; item_id ignored */
} AttestReviewDecision;

/* One decision: attest_store_confirm_review_item, _reject_, _skip_, _mark_review_item_unsure
 * or attest_store_undo_last_decision. identity_id: confirm and reject only; rationale:
 * required to confirm, optional to reject, ignored otherwise. */
void              attest_store_decide_review_item_async  (AttestStore          *self,
                                                          AttestReviewDecision  decision,
                                                          gint64                item_id,
                                                          gint64                identity_id,
                                                          const char           *actor,
                                                          const char           *rationale,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
/* *out_id (may be NULL): confirm: the match id; undo: the item the undone decision was
 * about; others: the item. */
gboolean          attest_store_decide_review_item_finish (AttestStore          *self,
                                                          GAsyncResult         *result,
                                                          gint64               *out_id,
                                                          GError              **error);

/* attest_store_list_review_items() off the main thread. */
void              attest_store_list_review_items_async   (AttestStore          *self,
                                                          const char           *status,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
GPtrArray        *attest_store_list_review_items_finish  (AttestStore          *self,
                                                          GAsyncResult         *result,
                                                          GError              **error);

/* The item as it is now, which of its candidates have a standing rejection
 * (attest_store_is_rejected): *rejected gets n_candidates gbooleans (g_free), and its extra
 * frames (attest_store_list_review_frames; *frames may be NULL). */
void              attest_store_load_review_item_async    (AttestStore          *self,
                                                          gint64                item_id,
                                                          GCancellable         *cancellable,
                                                          GAsyncReadyCallback   callback,
                                                          gpointer              user_data);
AttestReviewItem *attest_store_load_review_item_finish   (AttestStore          *self,
                                                          GAsyncResult         *result,
                                                          gboolean            **rejected,
                                                          GPtrArray           **frames,
                                                          GError              **error);

G_END_DECLS
