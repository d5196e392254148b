/* attest-pipeline.h: plays a file or a camera into an AttestVideoPaintable and runs face
 * detection on a worker thread that skips frames while busy. While a file plays, frames are
 * analysed before they are shown, so their boxes are ready when they are.
 *
 * All signals are emitted on the main context of the thread that created the pipeline.
 * GStreamer threads never touch GTK. */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "analysis/attest-detections.h"
#include "analysis/attest-track-summary.h"
#include "media/attest-media-error.h"
#include "media/attest-video-paintable.h"
#include "analysis/attest-matcher.h"
#include "analysis/attest-rejections.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS


#define ATTEST_TYPE_PIPELINE (attest_pipeline_get_type ())
G_DECLARE_FINAL_TYPE (AttestPipeline, attest_pipeline, ATTEST, PIPELINE, GObject)

/* vision: construct-only, may be NULL (then no analysis). Not owned: must outlive the
 * pipeline. */
AttestPipeline       *attest_pipeline_new              (AttestVision   *vision);
AttestVideoPaintable *attest_pipeline_get_paintable    (AttestPipeline *self);

/* Checks the file (GstDiscoverer, off the main thread), builds the pipeline and prerolls
 * it paused on the first frame. Errors: ATTEST_MEDIA_ERROR_* with a message fit for
 * a toast ("“x.mp4” is not a video file"). */
void                  attest_pipeline_open_file_async  (AttestPipeline      *self,
                                                        GFile               *file,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
gboolean              attest_pipeline_open_file_finish (AttestPipeline      *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);
/* device NULL: first /dev/video*. Fails at once with NO_CAMERA when there is none. */
gboolean              attest_pipeline_open_camera      (AttestPipeline *self,
                                                        const char     *device,
                                                        GError        **error);
/* A network camera (rtsp://, rtsps://, http:// MJPEG), over TCP to that address only; user
 * NULL: the URL's own, if any. Live like a camera: not seekable, and no file to queue faces
 * against (record it with AttestRecorder). Errors on the bus name the host, never the
 * password. FALSE at once for an address that is not a camera URL. */
gboolean              attest_pipeline_open_stream      (AttestPipeline *self,
                                                        const char     *uri,
                                                        const char     *user,
                                                        const char     *password,
                                                        GError        **error);
void                  attest_pipeline_close            (AttestPipeline *self);

void                  attest_pipeline_play             (AttestPipeline *self);
void                  attest_pipeline_pause            (AttestPipeline *self);
void                  attest_pipeline_toggle_play      (AttestPipeline *self);
/* Accurate seek; the frame at `position` is shown and analysed even while paused. */
void                  attest_pipeline_seek             (AttestPipeline *self,
                                                        GstClockTime    position);
/* One frame forward (+1) or back (-1); pauses first. */
void                  attest_pipeline_step             (AttestPipeline *self,
                                                        int             direction);

gboolean              attest_pipeline_get_playing      (AttestPipeline *self);
gboolean              attest_pipeline_get_seekable     (AttestPipeline *self);
GstClockTime          attest_pipeline_get_position     (AttestPipeline *self);
GstClockTime          attest_pipeline_get_duration     (AttestPipeline *self);
/* URI of the open file, NULL for a camera or nothing open. */
const char           *attest_pipeline_get_uri          (AttestPipeline *self);
/* The detections for the frame on screen: the newest result computed for that frame or an
 * earlier one (frames are analysed ahead of the screen while playing), or NULL. Updated
 * with every frame shown and every result; whether boxes computed for an earlier frame may
 * be drawn is the view's rule (the analysis interval). */
AttestDetections     *attest_pipeline_get_detections   (AttestPipeline *self);
/* Any thread. From the short history of results (cleared on open and seeks): the newest
 * with pts <= shown_pts, or NULL. Transfer full: unref it. */
AttestDetections     *attest_pipeline_lookup_detections (AttestPipeline *self,
                                                         GstClockTime    shown_pts);
/* Measured time between two analysed frames in stream time (how long a box may stay up
 * over later frames). */
GstClockTime          attest_pipeline_get_analysis_interval (AttestPipeline *self);

/* Live matching. With a search index, every analysed frame goes through the shared per-frame
 * step (src/analysis/attest-analysis.h: quality gate, embeddings, a tracker whose tracks
 * never hold two people, search, the rejection policy), with the quality of every face
 * measured for the overlay; the detections then carry AttestFaceInfo. identity_names maps
 * gint64 ids to names (a snapshot loaded with the index; the worker never reads the
 * database). Both ref'd; NULL turns matching off. A paused frame is analysed again with the
 * new index. Main thread. */
void                  attest_pipeline_set_matcher      (AttestPipeline *self,
                                                        AttestMatcher  *matcher,
                                                        GHashTable     *identity_names);
/* Negative evidence: the standing rejections (attest_rejections_load_from_store), applied
 * by the one policy of attest-rejections.h; hidden candidates stay in the detections' info.
 * Ref'd; NULL: none. Main thread. */
void                  attest_pipeline_set_rejections   (AttestPipeline   *self,
                                                        AttestRejections *rejections);
/* The threshold stamped into the detections ("match-threshold", default
 * ATTEST_MATCHER_DEFAULT_THRESHOLD). Main thread. */
void                  attest_pipeline_set_match_threshold (AttestPipeline *self,
                                                           double          threshold);
double                attest_pipeline_get_match_threshold (AttestPipeline *self);

/* Review queue. The latest summary of a track in view of the file on screen (its crops,
 * best embedding and candidates), NULL when it is not in view or nothing is compared. Any
 * thread; transfer full. */
AttestTrackSummary   *attest_pipeline_get_track_summary (AttestPipeline *self,
                                                         guint           track_id);

/* Properties: "vision" (construct-only), "paintable", "playing", "seekable", "position"
 * (updated ~10x a second while playing and after seeks), "duration", "uri", "detections",
 * "analysis-interval", "match-threshold".
 * Signals: "error" (GError *) for failures after opening (e.g. a truncated file mid-way),
 * "eos",
 * "track-ended" (AttestTrackSummary *, const char *uri): a tracked face of the file `uri`
 * left the screen (or the video was closed, seeked or ended) and its best candidate reached
 * the threshold: a proposal for the review queue, never a match. Not for a camera. */

G_END_DECLS
