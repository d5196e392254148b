/* attest-store-scan.h: how far each source file has been scanned (schema v3 `scans`), so an
 * interrupted scan resumes where it stopped, and the checkpoint that stores a scan's items.
 *
 * A checkpoint is one transaction holding the items of the tracks that ended before the
 * new scanned_to_ms and the progress row itself: killed at any moment, the database holds
 * either both or neither, so a resumed scan never loses nor repeats an item. Items are
 * machine proposals: nothing here writes a match or an audit entry.
 *
 * Errors: ATTEST_REVIEW_ERROR_INVALID for a bad item spec, ATTEST_STORE_ERROR for database
 * failures. */
#pragma once

#include "attest-review.h"

G_BEGIN_DECLS

typedef struct
{
  char     *model_id;       /* embedding model the scan searched with */
  double    threshold;      /* lowest candidate score that made an item */
  guint     every;          /* every Nth decoded frame was analysed */
  gint64    scanned_to_ms;  /* the scan resumes here (no track of it spans this time) */
  gint64    duration_ms;    /* -1: unknown */
  gboolean  completed;      /* the whole file was scanned */
  gint64    started_at;     /* UTC microseconds, set by the store */
  gint64    updated_at;     /* UTC microseconds, set by the store */
} AttestScanProgress;

void                attest_scan_progress_free          (AttestScanProgress         *progress);

/* The scan record of the file with these contents; NULL with error unset when it was never
 * scanned. */
AttestScanProgress *attest_store_get_scan_progress     (AttestStore                *self,
                                                        const char                 *source_sha256,
                                                        GError                    **error);
/* Forgets how far the file was scanned (its items stay). TRUE also when there was none. */
gboolean            attest_store_reset_scan_progress   (AttestStore                *self,
                                                        const char                 *source_sha256,
                                                        GError                    **error);

/* One transaction: records the source, stores each item (with its frames) and sets the
 * progress row (model_id, threshold, every, scanned_to_ms, duration_ms, completed are read;
 * started_at is kept from an earlier checkpoint with the same model, threshold and frame
 * step). An item is not stored when the same face of the same source is queued already: an
 * item whose span overlaps it and whose probe has cosine >= ATTEST_REVIEW_SAME_PROBE_SIMILARITY
 * with its probe (a scan repeated with another threshold or frame step). item_ids (may be
 * NULL) gets one gint64 per spec, in order: the new item id, or -1 when it was queued
 * already. On failure nothing is stored. */
gboolean            attest_store_save_scan_checkpoint  (AttestStore                *self,
                                                        const char                 *source_uri,
                                                        const char                 *source_sha256,
                                                        const AttestScanProgress   *progress,
                                                        const AttestReviewItemSpec *const *items,
                                                        guint                       n_items,
                                                        GArray                     *item_ids,
                                                        GError                    **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestScanProgress, attest_scan_progress_free)

G_END_DECLS
