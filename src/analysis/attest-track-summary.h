/* attest-track-summary.h: what the live analysis knows about one tracked face, for the
 * review queue: its time span, its best sighting (box, frame, crop, embedding), a few more
 * crops spread over the track, and the gallery candidates found for its best face.
 *
 * Made on the analysis worker (the crops are cut from the frames as they are analysed: the
 * frames are gone later), handed to the main thread when a track ends ("track-ended" on
 * AttestPipeline) or asked for (attest_pipeline_get_track_summary, "send to review").
 * Immutable once handed over; refcounted. A summary is a machine proposal: nothing in it is
 * a match until a reviewer confirms it. */
#pragma once

#include <glib-object.h>

#include "analysis/attest-detections.h"
#include "analysis/attest-tracker.h"
#include "vision/attest-vision.h"

G_BEGIN_DECLS

#define ATTEST_TYPE_TRACK_SUMMARY (attest_track_summary_get_type ())

/* Crops kept besides the probe, spread over the track. */
#define ATTEST_TRACK_SUMMARY_MAX_FRAMES 4
/* Crop side (pixels) of the probe and the other crops: enough to judge a face by eye. */
#define ATTEST_TRACK_SUMMARY_CROP_SIZE 160
/* One more crop of a track at most this often (stream time). */
#define ATTEST_TRACK_SUMMARY_FRAME_EVERY (ATTEST_SECOND)

typedef struct
{
  guint               track_id;
  guint64        first_pts;
  guint64        last_pts;
  guint64        best_pts;
  guint64             best_frame;      /* G_MAXUINT64: unknown */
  guint64             first_frame;     /* of the first sighting; G_MAXUINT64: unknown */
  AttestBox           best_box;        /* pixels of the analysed frame */
  int                 frame_width;
  int                 frame_height;
  GBytes             *probe_png;       /* the best sighting's crop, NULL: none */
  gboolean            has_embedding;
  float               embedding[ATTEST_EMBEDDING_DIM];
  AttestQuality       quality;         /* of the best sighting */
  guint               n_frames;        /* more crops of the track, in time order */
  GBytes             *frame_pngs[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
  guint64        frame_pts[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
  gboolean            compared;        /* searched against a gallery */
  guint               n_candidates;    /* best first, none of them hidden */
  AttestFaceCandidate candidates[ATTEST_FACE_MAX_CANDIDATES];
  guint               n_hidden;        /* hidden by a rejection (attest-rejections.h) */
  AttestHiddenCandidate hidden[ATTEST_FACE_MAX_CANDIDATES];
  double              threshold;       /* when the candidates were found */
} AttestTrackSummary;

GType               attest_track_summary_get_type (void) G_GNUC_CONST;
/* Zeroed, refcount 1. */
AttestTrackSummary *attest_track_summary_new      (guint                     track_id);
AttestTrackSummary *attest_track_summary_copy     (const AttestTrackSummary *self);
AttestTrackSummary *attest_track_summary_ref      (AttestTrackSummary       *self);
void                attest_track_summary_unref    (AttestTrackSummary       *self);

/* Sets the candidates, shown and hidden, from a face's info (deep copy). */
void                attest_track_summary_set_candidates (AttestTrackSummary        *self,
                                                         const AttestFaceInfo      *info,
                                                         double                     threshold);
/* Adds a crop at pts, keeping at most ATTEST_TRACK_SUMMARY_MAX_FRAMES spread over the
 * track: when full, the crop whose removal leaves the most even spacing goes. */
void                attest_track_summary_add_frame (AttestTrackSummary *self,
                                                    guint64        pts,
                                                    GBytes             *png);
/* The face `box` of `view` (at pts, frame frame_number) is on `track`, just updated by the
 * tracker: the summary follows the track's best sighting (its crop is cut now, while the
 * pixels are here, with the embedding and, when known, its quality) and gains a crop at most
 * every ATTEST_TRACK_SUMMARY_FRAME_EVERY: the first sighting, then only whole faces that were
 * embedded on this frame (`checked`: the tracker compared them with the track, so no crop
 * shows anyone else). Used by attest-analysis.c for live matching and the scanner alike.
 * TRUE when it changed. */
gboolean            attest_track_summary_follow   (AttestTrackSummary    *self,
                                                   const AttestTrack     *track,
                                                   const AttestImageView *view,
                                                   const AttestBox       *box,
                                                   const AttestQuality   *quality,
                                                   gboolean               checked,
                                                   guint64                pts,
                                                   guint64                frame_number);
/* Whether the best shown candidate reaches the threshold (the track is a suggestion). */
gboolean            attest_track_summary_is_suggestion (const AttestTrackSummary *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestTrackSummary, attest_track_summary_unref)

G_END_DECLS
