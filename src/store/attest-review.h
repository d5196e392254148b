/* attest-review.h: review items (what the analysis proposes for a human to decide) and the
 * reviewer's decisions on them: confirm, reject, skip, unsure, undo.
 *
 * A match exists only as a confirmation: attest_store_confirm_review_item() is the one call
 * that writes the matches table. Every decision writes its audit entry in the same
 * transaction as its change; a refusal or failure leaves the database as it was. Undo never
 * deletes evidence: it marks the match or rejection revoked and appends an "undo" entry.
 *
 * Errors: ATTEST_REVIEW_ERROR for refusals (messages fit a toast), ATTEST_STORE_ERROR for
 * database failures. */
#pragma once

#include "attest-gallery.h"
#include "attest-store.h"

G_BEGIN_DECLS

#define ATTEST_REVIEW_ERROR (attest_review_error_quark ())

typedef enum
{
  ATTEST_REVIEW_ERROR_INVALID,          /* missing actor or rationale, bad spec */
  ATTEST_REVIEW_ERROR_NOT_FOUND,        /* no such item, or identity not among its candidates */
  ATTEST_REVIEW_ERROR_ALREADY_DECIDED,  /* the item is confirmed or rejected already */
  ATTEST_REVIEW_ERROR_NOTHING_TO_UNDO,
} AttestReviewError;

/* One suggested identity for an item. */
typedef struct
{
  gint64  identity_id;
  char   *name;
  double  score;
  gint64  face_id;      /* the gallery face that scored best, -1: unknown */
} AttestReviewCandidate;

/* A new item as the analysis proposes it. Only read; the caller keeps ownership. */
typedef struct
{
  const char                  *source_uri;       /* may be NULL */
  const char                  *source_sha256;    /* required, 64 hex digits */
  gint64                       track;            /* -1: none */
  gint64                       start_ms;
  gint64                       end_ms;
  gint64                       best_ms;          /* the probe frame's time */
  gint64                       best_frame;       /* -1: unknown */
  double                       box_x;            /* the probe box, pixels of that frame */
  double                       box_y;
  double                       box_w;
  double                       box_h;
  GBytes                      *probe_png;        /* NULL: none */
  const float                 *probe_embedding;  /* NULL: none */
  guint                        embedding_dim;
  const char                  *model_id;         /* required */
  double                       threshold;
  const AttestReviewCandidate *candidates;
  guint                        n_candidates;
  /* More crops of the track besides the probe (PNG, non-empty) and their times; stored in
   * the item's transaction. n_frames 0: none. */
  GBytes               *const *frame_pngs;
  const gint64                *frame_ms;
  guint                        n_frames;
} AttestReviewItemSpec;

/* One more crop of an item's track (attest_store_list_review_frames). */
typedef struct
{
  gint64  ms;
  GBytes *png;
} AttestReviewFrame;

/* Two probes of one source whose time spans overlap and whose embeddings have at least this
 * cosine are the same appearance: it is not queued twice (attest-store-scan.h). Measured on
 * real photos: different people score at most 0.43, the same person 0.55 and up
 * (analysis/attest-tracker.h). Rejections have their own policy:
 * analysis/attest-rejections.h. */
#define ATTEST_REVIEW_SAME_PROBE_SIMILARITY 0.6

/* An item read back; owns everything. */
typedef struct
{
  gint64                 id;
  gint64                 source_id;
  char                  *source_uri;
  char                  *source_sha256;
  gint64                 track;
  gint64                 start_ms;
  gint64                 end_ms;
  gint64                 best_ms;
  gint64                 best_frame;
  double                 box_x;
  double                 box_y;
  double                 box_w;
  double                 box_h;
  GBytes                *probe_png;
  GBytes                *probe_embedding;
  char                  *model_id;
  double                 threshold;
  AttestReviewCandidate *candidates;
  guint                  n_candidates;
  char                  *status;      /* pending, confirmed, rejected, skipped, unsure */
  gint64                 created_at;  /* UTC microseconds */
} AttestReviewItem;

GQuark            attest_review_error_quark          (void);
void              attest_review_item_free            (AttestReviewItem           *item);

/* Stores a pending item. Not audited: it is a machine proposal, not a decision, and it never
 * writes a match. The source is recorded in the same transaction. */
gboolean          attest_store_add_review_item       (AttestStore                *self,
                                                      const AttestReviewItemSpec *spec,
                                                      gint64                     *id,
                                                      GError                    **error);
/* Items with that status (NULL: all), oldest first; element type AttestReviewItem*. */
GPtrArray        *attest_store_list_review_items     (AttestStore                *self,
                                                      const char                 *status,
                                                      GError                    **error);
AttestReviewItem *attest_store_get_review_item       (AttestStore                *self,
                                                      gint64                      item_id,
                                                      GError                    **error);

/* "This is identity_id": one matches row, one "confirm" audit entry, status confirmed.
 * identity_id must be one of the item's candidates (its score is what is recorded);
 * rationale is required. Refused when the item is confirmed or rejected already (pending,
 * skipped and unsure items are still open). Returns the match id, or -1. */
gint64            attest_store_confirm_review_item   (AttestStore                *self,
                                                      gint64                      item_id,
                                                      gint64                      identity_id,
                                                      const char                 *actor,
                                                      const char                 *rationale,
                                                      GError                    **error);
/* "Not identity_id": a rejections row (negative evidence for this probe and track) and a
 * "reject" audit entry. The item becomes rejected once every candidate at or above its
 * threshold is rejected; until then it stays open so the others can still be decided.
 * rationale may be NULL. */
gboolean          attest_store_reject_review_item    (AttestStore                *self,
                                                      gint64                      item_id,
                                                      gint64                      identity_id,
                                                      const char                 *actor,
                                                      const char                 *rationale,
                                                      GError                    **error);
/* Status skipped / unsure with a "skip" / "unsure" audit entry; open items only. */
gboolean          attest_store_skip_review_item      (AttestStore                *self,
                                                      gint64                      item_id,
                                                      const char                 *actor,
                                                      GError                    **error);
gboolean          attest_store_mark_review_item_unsure (AttestStore              *self,
                                                      gint64                      item_id,
                                                      const char                 *actor,
                                                      GError                    **error);
/* Undoes the newest decision not undone yet (repeat to go further back): appends an "undo"
 * entry whose details name the undone entry (undone_audit_id), marks its match or rejection
 * revoked, and puts the item back in the status it had before. *item_id (may be NULL) gets
 * the item. */
gboolean          attest_store_undo_last_decision    (AttestStore                *self,
                                                      const char                 *actor,
                                                      gint64                     *item_id,
                                                      GError                    **error);
/* Whether identity_id has a standing (not revoked) rejection for this item's probe or for
 * any item of the same source and track. FALSE with error on failure. */
gboolean          attest_store_is_rejected           (AttestStore                *self,
                                                      gint64                      item_id,
                                                      gint64                      identity_id,
                                                      GError                    **error);

/* The item's extra crops (not the probe), in time order; element type AttestReviewFrame*.
 * An empty array for an item without any (or no such item). */
GPtrArray        *attest_store_list_review_frames    (AttestStore                *self,
                                                      gint64                      item_id,
                                                      GError                    **error);
void              attest_review_frame_free           (AttestReviewFrame          *frame);

/* One standing rejection, as attest_store_foreach_rejection streams it (valid during the
 * call only). */
typedef struct
{
  gint64       rejection_id;
  gint64       identity_id;     /* who the face was said not to be */
  const char  *reviewer;
  gint64       decided_at_us;   /* UTC microseconds */
  const char  *source_uri;      /* the item's source; may be NULL */
  const char  *source_sha256;   /* lower-case hex */
  gint64       start_ms;        /* the item's time span in its source */
  gint64       end_ms;
  gint64       best_ms;         /* the rejected face's time */
  const float *probe;           /* ATTEST_GALLERY_EMBEDDING_DIM floats */
} AttestStoredRejection;

typedef void (*AttestRejectionFunc) (const AttestStoredRejection *rejection,
                                     gpointer                     user_data);

/* Streams every standing (not revoked) rejection whose item has a probe embedding made by
 * model_id, oldest first: negative evidence for the analysis's rejection policy
 * (analysis/attest-rejections.h; the review layer builds the set). Runs with the store
 * locked: func must not call the store. Returns how many, or -1 with error. */
gint64            attest_store_foreach_rejection     (AttestStore                *self,
                                                      const char                 *model_id,
                                                      AttestRejectionFunc         func,
                                                      gpointer                    user_data,
                                                      GError                    **error);

/* The oldest item of this source (by contents) whose time span overlaps [start_ms, end_ms]
 * widened by slack_ms and whose first candidate is best_identity_id (<= 0: an item with no
 * candidate): *item_id, or -1 when there is none. The same appearance, queued already. FALSE
 * with error on failure. */
gboolean          attest_store_find_review_item_covering (AttestStore           *self,
                                                          const char            *source_sha256,
                                                          gint64                 best_identity_id,
                                                          gint64                 start_ms,
                                                          gint64                 end_ms,
                                                          gint64                 slack_ms,
                                                          gint64                *item_id,
                                                          GError               **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestReviewItem, attest_review_item_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestReviewFrame, attest_review_frame_free)

G_END_DECLS
