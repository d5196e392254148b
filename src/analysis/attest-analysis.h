/* attest-analysis.h: the one per-frame step of Attest.
 *
 * Live playback (src/media), the scanner (src/review) and what comes after them (a footage
 * index, redacted export) hand each analysed frame here and get back the same things:
 *
 *   1. detect the faces (vision);
 *   2. a scene cut (the whole frame changed since the last analysed frame) ends every track;
 *   3. the quality gate on each face to be embedded (on every face with
 *      ATTEST_ANALYSIS_GATE_EVERY_FACE: the live overlay shows each face's quality);
 *   4. embed a face that passes the gate when the tracker needs it (attest_tracker_peek: a new
 *      face, a track whose identity is due for its twice-a-second check, a gap, a jump, a
 *      better best face) or when its appearance changed since its track's last sighting (a
 *      small colour grid of the box: someone else in the same place);
 *   5. track (attest-tracker.h): a track never holds two people;
 *   6. search each track's best face in the gallery whenever it changes, or the gallery or
 *      the rejections do, and apply the rejection policy (attest-rejections.h): hidden
 *      candidates come back beside the shown ones, never silently dropped;
 *   7. the track summary (best crop, a few more crops of checked faces, candidates).
 *
 * A face's label is its track's candidates, found from that track's own best face; a new
 * track (a new face, or someone else where a track was) starts with no label until its own
 * face is embedded. Frames that come before the last one analysed (a paused or stepped-back
 * frame on screen) are not tracked: each face is embedded and labelled from its own
 * embedding, and keeps the nearby track's id only when it is that track's person.
 *
 * Without a gallery, faces are only detected (no quality, no tracks).
 *
 * Threads: one thread calls attest_analysis_process / _flush / _reset; the setters may be
 * called from any thread (the next frame uses them). Nothing here reads or writes a database:
 * a gallery and rejections come in as snapshots. Nothing here is a match: the caller may
 * queue suggestions for a human to confirm.
 */
#pragma once

#include <glib.h>

#include "analysis/attest-detections.h"
#include "analysis/attest-matcher.h"
#include "analysis/attest-rejections.h"
#include "analysis/attest-track-summary.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* At most this many faces of one frame are analysed (the detector finds more only in crowds). */
#define ATTEST_ANALYSIS_MAX_FACES 64

typedef enum
{
  ATTEST_ANALYSIS_DEFAULT         = 0,
  /* The quality gate runs on every face, not only the ones embedded: the overlay shows why a
   * face is too poor to compare. */
  ATTEST_ANALYSIS_GATE_EVERY_FACE = 1 << 0,
} AttestAnalysisFlags;

/* What one frame gave. */
typedef struct
{
  AttestDetections *detections;  /* the frame's faces; with a gallery each has its info */
  GPtrArray        *changed;     /* AttestTrackSummary*: copies of the summaries of tracks
                                  * that changed on this frame (new, a new best face, a crop,
                                  * new candidates) */
  GPtrArray        *ended;       /* AttestTrackSummary*: tracks that ended at this frame (a
                                  * gap, a cut, someone else in their place), final, in the
                                  * order they ended; searched once more over their whole span */
  gboolean          scene_cut;   /* the whole frame changed: every track ended */
} AttestFrameResult;

/* Work done since the analysis was made (attest_analysis_get_stats): what the identity
 * checks cost beside the rest. */
typedef struct
{
  guint64 frames;          /* analysed frames */
  guint64 faces;           /* faces found in them */
  guint64 gated;           /* faces the quality gate measured */
  guint64 embedded;        /* faces embedded */
  guint64 checks;          /* ... of which only to check who a track is (due, gap, jump, a
                            * changed appearance), not for a new face or a better best */
  guint64 splits;          /* tracks ended because someone else took their place */
  guint64 scene_cuts;
  guint64 searches;        /* gallery searches */
  gint64  detect_us;
  gint64  gate_us;
  gint64  embed_us;
  gint64  check_us;        /* of embed_us, the checks */
  gint64  look_us;         /* frame and face appearance grids */
  gint64  track_us;        /* tracker, search, rejections, summaries and crops */
} AttestAnalysisStats;

typedef struct _AttestAnalysis AttestAnalysis;

/* vision: not owned, must outlive the analysis. */
AttestAnalysis    *attest_analysis_new            (AttestVision        *vision,
                                                   AttestAnalysisFlags  flags);
void               attest_analysis_free           (AttestAnalysis      *self);

/* The gallery to search (ref'd; NULL: faces are only detected) and the names of its
 * identities (gint64 * -> char *, a snapshot loaded with it; ref'd; may be NULL: "Identity
 * N"). Every track is searched again on the next frame. Any thread. */
void               attest_analysis_set_gallery    (AttestAnalysis      *self,
                                                   AttestMatcher       *matcher,
                                                   GHashTable          *names);
/* Standing rejections (ref'd; NULL: none). Every track is searched again. Any thread. */
void               attest_analysis_set_rejections (AttestAnalysis      *self,
                                                   AttestRejections    *rejections);
/* The threshold stamped into the detections and summaries (default
 * ATTEST_MATCHER_DEFAULT_THRESHOLD). Any thread. */
void               attest_analysis_set_threshold  (AttestAnalysis      *self,
                                                   double               threshold);
double             attest_analysis_get_threshold  (AttestAnalysis      *self);
/* Where the frames come from, for the rejection policy's "same appearance": the URI and, when
 * known, the SHA-256 of the file (both may be NULL: a camera). Any thread. */
void               attest_analysis_set_source     (AttestAnalysis      *self,
                                                   const char          *uri,
                                                   const char          *sha256);

/* One frame, pts in stream time (ns), frame_number G_MAXUINT64 when unknown. The pixels are
 * only read during the call. Free the result with attest_frame_result_free. */
AttestFrameResult *attest_analysis_process        (AttestAnalysis        *self,
                                                   const AttestImageView *view,
                                                   guint64                pts,
                                                   guint64                frame_number);
/* Continuity is broken (a seek, other media): every active track ends; their summaries are
 * returned (AttestTrackSummary*, final), and the next frame starts new tracks. */
GPtrArray         *attest_analysis_reset          (AttestAnalysis      *self);
void               attest_analysis_get_stats      (AttestAnalysis      *self,
                                                   AttestAnalysisStats *stats);

void               attest_frame_result_free       (AttestFrameResult   *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestAnalysis, attest_analysis_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestFrameResult, attest_frame_result_free)

G_END_DECLS
