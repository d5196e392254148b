/* attest-review-queue.h: turns what live analysis saw into pending review items.
 *
 * A track that ended as a suggestion ("track-ended" on AttestPipeline), or any face the
 * reviewer sends to review (even "No match"), becomes ONE pending item: source file and its
 * SHA-256, time span, best frame, probe crop and embedding, a few more crops, and the
 * candidates. A proposal only: nothing here writes a match or an audit entry (adding an item
 * is not a decision).
 *
 * Not added twice: an item of the same source whose time span overlaps this one (within
 * ATTEST_REVIEW_QUEUE_SAME_SPAN_MS) with the same best candidate is the same appearance
 * (watched again, stepped back over, or scanned already). Identities a reviewer rejected for
 * this face are dropped from the candidates first; a track left with no candidate at the
 * threshold is not queued (unless sent by hand). */
#pragma once

#include <gio/gio.h>

#include "analysis/attest-track-summary.h"
#include "store/attest-review.h"

G_BEGIN_DECLS

#define ATTEST_REVIEW_QUEUE_SAME_SPAN_MS 1000

/* What was done with a summary. */
typedef enum
{
  ATTEST_REVIEW_QUEUE_ADDED,
  ATTEST_REVIEW_QUEUE_DUPLICATE,     /* an item covers it already (*item_id is that one) */
  ATTEST_REVIEW_QUEUE_NOT_SUGGESTED, /* no candidate left at the threshold */
} AttestReviewQueueOutcome;

/* Fills what a track summary tells of an item: time span, best frame and box, probe crop and
 * embedding, and the other crops (not the probe's frame again). The spec points into
 * `summary`, frame_pngs and frame_ms (ATTEST_TRACK_SUMMARY_MAX_FRAMES entries each): they
 * must outlive it. Source, track, model, threshold and candidates are the caller's. For the
 * live queue and the scanner alike. */
void     attest_review_spec_from_summary      (AttestReviewItemSpec       *spec,
                                               const AttestTrackSummary   *summary,
                                               GBytes                    **frame_pngs,
                                               gint64                     *frame_ms);

/* Blocking (hashes the source file the first time: call it off the main thread).
 * uri: the source file; model_id: the embedding model (attest_vision_get_model_id);
 * by_hand: the reviewer sent this face, queue it whatever its candidates.
 * *item_id (may be NULL) gets the new or the existing item. FALSE with error when the file
 * cannot be read or the store refuses. */
gboolean attest_review_queue_add_track        (AttestStore                *store,
                                               const AttestTrackSummary   *summary,
                                               const char                 *uri,
                                               const char                 *model_id,
                                               gboolean                    by_hand,
                                               AttestReviewQueueOutcome   *outcome,
                                               gint64                     *item_id,
                                               GError                    **error);
/* The same in a worker thread. */
void     attest_review_queue_add_track_async  (AttestStore                *store,
                                               AttestTrackSummary         *summary,
                                               const char                 *uri,
                                               const char                 *model_id,
                                               gboolean                    by_hand,
                                               GCancellable               *cancellable,
                                               GAsyncReadyCallback         callback,
                                               gpointer                    user_data);
gboolean attest_review_queue_add_track_finish (GAsyncResult               *result,
                                               AttestReviewQueueOutcome   *outcome,
                                               gint64                     *item_id,
                                               GError                    **error);

G_END_DECLS
