/* attest-scanner.h: scans a video file for faces the gallery knows, without playing it, and
 * fills the review queue: one pending item per track whose best face has a candidate at or
 * above the threshold.
 *
 * Every Nth decoded frame goes through the per-frame step that live playback uses too
 * (analysis/attest-analysis.h: detect, quality gate, embed, a tracker whose tracks never
 * hold two people, search, the rejection policy of attest-rejections.h with the rejections
 * standing when the scan starts); each ended track whose best shown candidate reaches the
 * threshold becomes an item. Scanning proposes; it never writes the matches table nor the
 * audit log.
 *
 * Resumable: progress is stored per file contents (sha256) in checkpoints that also hold the
 * items of the tracks ended so far (attest-store-scan.h), so a cancelled or killed scan goes
 * on where it stopped and never loses or repeats an item. A completed file scanned again with
 * the same model, threshold and frame step adds nothing. With another model, threshold or
 * frame step the file is scanned again from the start; a track whose face already has an item
 * (overlapping in time, probe cosine >= ATTEST_REVIEW_SAME_PROBE_SIMILARITY) is not queued
 * twice.
 *
 * Track ids written to items are stable for a file and frame step: first frame number * 1000
 * + n (n = 1, 2, ... in order of first sighting among the tracks starting on that frame), so a
 * resumed or repeated scan gives a track the id it had before.
 */
#pragma once

#include <gio/gio.h>

#include "analysis/attest-track-summary.h"
#include "analysis/attest-matcher.h"
#include "store/attest-store.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* The default frame step: every 8th frame (about 3 per second at 25 fps). The tracker keeps
 * one track per appearance from every 2nd to every 10th frame (tests/test-tracker.c); on the
 * bundled sample every 5th, 8th and 10th frame give the same 12 items, spans within 0.4 s.
 * Measured on the 2-core build machine (idle, with the shared per-frame step of
 * analysis/attest-analysis.h): every 5th frame scans the sample in 0.27 of its duration,
 * every 8th in 0.21, every 10th in 0.17 (`attest-cli bench` prints the figure). */
#define ATTEST_SCANNER_DEFAULT_EVERY 8
/* Extra crops stored with an item besides its probe, spread over the track (the track's
 * summary keeps them, as live matching does: attest-track-summary.h); candidates stored per
 * item at most: those at or above the threshold of ATTEST_FACE_MAX_CANDIDATES. */
#define ATTEST_SCANNER_EXTRA_FRAMES ATTEST_TRACK_SUMMARY_MAX_FRAMES

#define ATTEST_TYPE_SCANNER (attest_scanner_get_type ())
G_DECLARE_FINAL_TYPE (AttestScanner, attest_scanner, ATTEST, SCANNER, GObject)

typedef struct
{
  char     *source_sha256;
  char     *source_uri;
  guint     n_items;        /* pending items this run added */
  gint64    scanned_to_ms;  /* how far the file is scanned, over all runs */
  gint64    duration_ms;
  gboolean  completed;      /* the whole file has been scanned */
  gboolean  resumed;        /* this run started where an earlier, interrupted one stopped */
} AttestScanResult;

void              attest_scan_result_free      (AttestScanResult    *result);

/* store, matcher: ref'd. vision: not owned, must outlive the scanner. identity_names:
 * gint64* -> char* (a snapshot loaded with the index; ref'd; may be NULL). */
AttestScanner    *attest_scanner_new           (AttestStore         *store,
                                                AttestVision        *vision,
                                                AttestMatcher       *matcher,
                                                GHashTable          *identity_names);
/* Default ATTEST_MATCHER_DEFAULT_THRESHOLD. */
void              attest_scanner_set_threshold (AttestScanner       *self,
                                                double               threshold);
double            attest_scanner_get_threshold (AttestScanner       *self);
/* Default ATTEST_SCANNER_DEFAULT_EVERY; 0 means the default. */
void              attest_scanner_set_every     (AttestScanner       *self,
                                                guint                every_nth_frame);
guint             attest_scanner_get_every     (AttestScanner       *self);
/* Where a scan of the file being (or last) scanned would resume (ms, its last checkpoint
 * saved), -1: from the start. Safe from any thread: after a scan was cancelled, says where it
 * stopped without reading the store. */
gint64            attest_scanner_get_resume_ms (AttestScanner       *self);

/* Blocking (CLI, tests). Signals are emitted in the calling thread. */
AttestScanResult *attest_scanner_scan          (AttestScanner       *self,
                                                GFile               *file,
                                                GCancellable        *cancellable,
                                                GError             **error);
/* In a worker thread; signals are emitted on the thread-default main context of the caller.
 * Cancelling stops soon; what was scanned is kept and the next scan of the same file resumes.
 * One scan at a time per scanner. */
void              attest_scanner_scan_async    (AttestScanner       *self,
                                                GFile               *file,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
AttestScanResult *attest_scanner_scan_finish   (AttestScanner       *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* Signals:
 *   "progress" (double fraction 0..1): at most every 1% of the file or 100 ms, and at the end.
 *   "item-added" (gint64 item_id): after the item is committed to the store.
 * Errors: ATTEST_MEDIA_ERROR_* for a file that cannot be read (as the frame reader gives
 * them; a missing file too: then nothing is written), ATTEST_STORE_ERROR for database
 * failures, G_IO_ERROR_CANCELLED when cancelled. A file that breaks part-way keeps the items
 * of the checkpoints before the break.
 *
 * Speed: detection (tiled, 1280x720) is most of the cost, so it goes with the frame step
 * (figures above; `attest-cli bench` prints the scan's fraction of the video's duration). */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestScanResult, attest_scan_result_free)

G_END_DECLS
