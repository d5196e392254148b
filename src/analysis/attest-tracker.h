/* attest-tracker.h: follows faces from frame to frame.
 *
 * One person's continuous appearance on screen becomes one track with a stable id: the
 * overlay labels the track (not each frame's box), and the review queue turns each ended
 * track into one item (time span, best frame, best embedding, candidates).
 *
 * Each analysed frame's boxes are matched to the tracks alive at that time by overlap with
 * the track's predicted box (it moves on at its last measured velocity, so skipped frames
 * and fast motion still overlap), else by embedding likeness (a jump, a short occlusion).
 * A track not seen for longer than max_gap ends. Analysing every 2nd to every 10th frame of
 * the bundled sample gives one track per appearance (tests/test-tracker.c).
 *
 * A track never holds two people. Two whole faces (not cut by the frame edge) whose
 * embeddings score below ATTEST_TRACKER_SAME_PERSON are different people: such a face never
 * continues the track, and a track refused by a face in its place, and not seen elsewhere in
 * that frame, ends there (someone else took its place). For this to catch a change, the
 * faces must be embedded: attest_tracker_peek says when a face must be (its track's identity
 * has not been checked for ATTEST_TRACKER_CHECK_EVERY_NS, or the track was not seen on the
 * previous frame, or the box jumped in size or place); the caller embeds at least those.
 *
 * Pure logic: no GTK, no GStreamer, no search. The caller detects and embeds the faces, and
 * attaches the candidates it found for a track's best embedding (attest_tracker_set_candidates)
 * so the label only changes when that embedding does, not with every frame.
 *
 * Times are stream times in nanoseconds (a GstClockTime fits). Not thread-safe: use one
 * tracker from one thread at a time.
 */
#pragma once

#include <glib.h>

#include "analysis/attest-matcher.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* A track unseen for longer than this ends (stream time). */
#define ATTEST_TRACKER_DEFAULT_MAX_GAP_NS (G_GINT64_CONSTANT (1000000000))

/* Two whole faces of adequate quality (the quality gate passed) scoring below this cosine are
 * two people. Calibrated on real photographs and on the sample (tests/test-analysis.c,
 * /analysis/calibration, prints these figures; faces embedded as the analysis does):
 *   different people, johns + dlib faces photos, 2,500 pairs:   max 0.428, 99.9% below 0.307
 *   the same person, other photos (johns), 275 pairs:           min 0.547, 1% below 0.614
 *   one face in the sample from one analysed frame to the next
 *   (every 5th and 10th frame), 537 pairs:                      min 0.932, 1% below 0.960
 * 0.5 is above every different-person pair and far below one face from frame to frame: a
 * track of one person is not split by it, and two people never share one. */
#define ATTEST_TRACKER_SAME_PERSON 0.5f

/* Each active track's identity is checked from its own face at least this often in stream
 * time (twice a second): see attest_tracker_peek. */
#define ATTEST_TRACKER_CHECK_EVERY_NS (G_GINT64_CONSTANT (500000000))

/* A candidate as the search returned it; the tracker only stores what the caller gives. */
typedef AttestCandidate AttestTrackCandidate;

/* What the tracker knows about one track. Read-only for callers; only the tracker makes
 * them (attest_track_copy relies on it). */
typedef struct
{
  guint     id;                /* 1, 2, 3, ... in order of first sighting, never reused */
  gboolean  ended;
  gint64    first_pts;         /* ns, first sighting */
  gint64    last_pts;          /* ns, latest sighting */
  AttestBox last_box;          /* box of the latest sighting */
  guint     n_sightings;       /* frames the face was matched in */

  /* The best sighting, the one searched and shown for review: embedded beats not embedded,
   * then whole beats cut by the frame edge, then the caller's quality, which must beat the
   * best's by 10% (box jitter alone must not replace it). */
  gint64    best_pts;
  AttestBox best_box;
  float     best_quality;
  gboolean  has_embedding;
  float     best_embedding[ATTEST_EMBEDDING_DIM];  /* valid when has_embedding */
  guint     best_changes;      /* times the best embedding was replaced (0 = the first one) */
  gint64    checked_pts;       /* last sighting whose whole face was embedded, -1: none */
  gboolean  replaced;          /* ended because someone else took its place */

  /* The caller's candidates for best_embedding; stale = that embedding has changed since
   * they were set (they are kept meanwhile, so the label does not blank out). */
  AttestTrackCandidate *candidates;
  guint     n_candidates;
  gboolean  candidates_stale;
} AttestTrack;

typedef struct _AttestTracker AttestTracker;

AttestTracker     *attest_tracker_new            (void);
void               attest_tracker_free           (AttestTracker              *self);

/* Default ATTEST_TRACKER_DEFAULT_MAX_GAP_NS. */
void               attest_tracker_set_max_gap    (AttestTracker              *self,
                                                  gint64                      max_gap_ns);
gint64             attest_tracker_get_max_gap    (AttestTracker              *self);
/* The frame the boxes are in (0: unknown, then only the left and top edges are known).
 * A face at an edge is probably cut: its embedding may still link it to its track but
 * never refuses a face as someone else, and a whole face is preferred as the best. */
void               attest_tracker_set_frame_size (AttestTracker              *self,
                                                  int                         width,
                                                  int                         height);

/* One analysed frame: n boxes at pts_ns. A pts before the previous update's means a seek
 * and acts as attest_tracker_reset first. embeddings may be NULL, or hold NULL for faces
 * not embedded (L2-normalised, as attest_vision_embed gives them); qualities (higher =
 * better; NULL: box width) pick each track's best sighting. Writes each box's track id to
 * track_ids_out (n entries; 0 only for a box with no area or non-finite coordinates); no
 * two boxes get the same track. Tracks unseen for longer than max_gap end here. */
void               attest_tracker_update         (AttestTracker              *self,
                                                  gint64                      pts_ns,
                                                  const AttestBox            *boxes,
                                                  const float *const         *embeddings,
                                                  const float                *qualities,
                                                  guint                       n,
                                                  guint                      *track_ids_out);

/* A track still held (active, or ended and not yet taken); NULL otherwise. Valid until the
 * next call that changes the tracker. */
const AttestTrack *attest_tracker_get_track      (AttestTracker              *self,
                                                  guint                       id);
/* Active tracks by id: borrowed AttestTrack pointers in a new array. */
GPtrArray         *attest_tracker_get_active     (AttestTracker              *self);
/* Why a face must be embedded before the update (attest_tracker_peek); 0: it need not. */
typedef enum
{
  ATTEST_TRACKER_CHECK_NEW    = 1 << 0,  /* it continues no active track */
  ATTEST_TRACKER_CHECK_DUE    = 1 << 1,  /* its track's identity was not checked for
                                          * ATTEST_TRACKER_CHECK_EVERY_NS (or never) */
  ATTEST_TRACKER_CHECK_GAP    = 1 << 2,  /* its track was not seen on the previous update */
  ATTEST_TRACKER_CHECK_JUMP   = 1 << 3,  /* the box jumped in size (25%) or place (0.35 widths
                                          * off the prediction) */
  ATTEST_TRACKER_CHECK_BETTER = 1 << 4,  /* it may replace the track's best face (the best is
                                          * cut by the frame edge, or this box is 10% wider) */
} AttestTrackerCheck;

/* Before the update for pts: the active track a face at `box` would continue by overlap
 * (its predicted or last box, IoU >= 0.5), or 0 (a new face, or pts before the last
 * update's). *check (may be NULL): why the face must be embedded first, 0 if it need not.
 * Embedding is the analysis's biggest cost per face; callers skip it where this says 0. */
guint              attest_tracker_peek           (AttestTracker              *self,
                                                  gint64                      pts_ns,
                                                  const AttestBox            *box,
                                                  AttestTrackerCheck         *check);
/* Ended tracks in the order they ended, handed to the caller (free func attest_track_free).
 * Ended tracks are held until taken: a caller that keeps no history takes and drops them. */
GPtrArray         *attest_tracker_take_ended     (AttestTracker              *self);
guint              attest_tracker_get_n_ended    (AttestTracker              *self);

/* Ends every active track (end of stream). */
void               attest_tracker_flush          (AttestTracker              *self);
/* Continuity is broken (seek, new source): ends every active track, like flush, so the next
 * boxes start new tracks with new ids. Ended tracks stay until taken. */
void               attest_tracker_reset          (AttestTracker              *self);

/* Stores a copy of the candidates for the track's current best embedding and clears
 * candidates_stale. FALSE if the track is not held. */
gboolean           attest_tracker_set_candidates (AttestTracker              *self,
                                                  guint                       id,
                                                  const AttestTrackCandidate *candidates,
                                                  guint                       n);

AttestTrack       *attest_track_copy             (const AttestTrack          *track);
void               attest_track_free             (AttestTrack                *track);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestTracker, attest_tracker_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestTrack, attest_track_free)

G_END_DECLS
