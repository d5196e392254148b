/* attest-detections.h: the faces found in one video frame, stamped with that frame's PTS.
 * Immutable once made; refcounted so it can travel from the analysis worker to the main
 * thread and be held by the view without copies.
 *
 * With a gallery, each face also carries what live matching found for it (AttestFaceInfo):
 * its track, its quality, and the gallery identities most like its track's best face. These
 * are suggestions only: nothing here is a match until a reviewer confirms it. */
#pragma once

#include <glib-object.h>

#include "vision/attest-vision.h"

G_BEGIN_DECLS

/* Times in src/analysis are stream times in nanoseconds, as GStreamer counts them (a
 * GstClockTime is the same guint64); ATTEST_TIME_NONE = unknown (GST_CLOCK_TIME_NONE). */
#define ATTEST_TIME_NONE G_MAXUINT64
#define ATTEST_SECOND (G_GUINT64_CONSTANT (1000000000))

#define ATTEST_TYPE_DETECTIONS (attest_detections_get_type ())

/* Candidates kept per face: the overlay names the first, the side panel lists them all. */
#define ATTEST_FACE_MAX_CANDIDATES 5

/* How a face is shown; see attest_face_info_get_state(). */
typedef enum
{
  ATTEST_FACE_STATE_NOT_COMPARED,  /* no gallery to compare with, or not compared yet */
  ATTEST_FACE_STATE_POOR,          /* too poor to compare (quality gate) */
  ATTEST_FACE_STATE_NO_MATCH,      /* compared: no identity reached the threshold */
  ATTEST_FACE_STATE_SUGGESTION,    /* compared: the best identity reached the threshold */
  ATTEST_FACE_STATE_CONFIRMED,     /* a reviewer confirmed it (review queue, issue 4) */
} AttestFaceState;

typedef struct
{
  gint64  identity_id;
  gint64  face_id;       /* the identity's gallery face that scored best */
  char   *name;          /* the identity's name when the gallery was loaded (never NULL) */
  float   score;         /* cosine similarity of the track's best face and that face */
  guint   rank;          /* 1 = best */
} AttestFaceCandidate;

/* A candidate the rejection policy hides (attest-rejections.h): never silently dropped, so
 * the UI can say "hidden: rejected by NAME at 0:04". */
typedef struct
{
  AttestFaceCandidate candidate;       /* as it scored (rank among all candidates) */
  gint64              rejection_id;
  char               *rejected_by;     /* the reviewer */
  gint64              rejected_at_us;  /* when (UTC microseconds) */
  char               *rejected_uri;    /* the source of the rejected face, may be NULL */
  gint64              rejected_ms;     /* ... and its time there */
  float               similarity;      /* this face against the rejected one (cosine) */
} AttestHiddenCandidate;

void              attest_hidden_candidate_copy  (AttestHiddenCandidate       *dest,
                                                 const AttestHiddenCandidate *src);
void              attest_hidden_candidate_clear (AttestHiddenCandidate       *hidden);

typedef struct
{
  guint               track_id;      /* stable while the face stays in view; 0: none */
  gboolean            assessed;      /* the quality gate ran on this frame's face */
  AttestQuality       quality;       /* valid when assessed */
  char               *quality_reason;/* why it is too poor, NULL when it is fine */
  gboolean            compared;      /* searched against a gallery (even with no candidates) */
  guint               n_candidates;  /* best first, none of them hidden */
  AttestFaceCandidate candidates[ATTEST_FACE_MAX_CANDIDATES];
  guint               n_hidden;      /* those a rejection hides for this face, best first */
  AttestHiddenCandidate hidden[ATTEST_FACE_MAX_CANDIDATES];
  gboolean            embedded;      /* this frame's face was embedded (its identity checked) */
} AttestFaceInfo;

typedef struct
{
  guint64    pts;       /* of the analysed frame */
  guint64         frame;     /* frame number in the stream when known, else G_MAXUINT64 */
  int             width;     /* frame size the boxes refer to */
  int             height;
  guint           n_faces;
  AttestBox      *faces;     /* n_faces boxes, highest score first */
  /* Live matching; NULL when the frame was only searched for faces. */
  AttestFaceInfo *info;      /* n_faces entries, parallel to faces */
  double          threshold; /* the match threshold when analysed (NAN without info) */
} AttestDetections;

GType             attest_detections_get_type (void) G_GNUC_CONST;
AttestDetections *attest_detections_new      (guint64      pts,
                                              guint64           frame,
                                              int               width,
                                              int               height,
                                              const AttestBox  *faces,
                                              guint             n_faces);
/* The same with per-face matching info (n_faces entries, deep-copied; may be NULL). */
AttestDetections *attest_detections_new_full (guint64          pts,
                                              guint64               frame,
                                              int                   width,
                                              int                   height,
                                              const AttestBox      *faces,
                                              const AttestFaceInfo *info,
                                              guint                 n_faces,
                                              double                threshold);
AttestDetections *attest_detections_ref      (AttestDetections *self);
void              attest_detections_unref    (AttestDetections *self);

/* Face i's info, or NULL (no info, or i out of range). */
const AttestFaceInfo *attest_detections_get_info (const AttestDetections *self,
                                                  guint                   i);
/* The index of the face on track_id, or -1. */
int               attest_detections_find_track (const AttestDetections *self,
                                                guint                   track_id);

/* The face's state at `threshold`: compared faces are a suggestion when their best candidate
 * scores >= threshold, else "No match"; a face never compared is poor when its quality says
 * so, else not compared. info may be NULL (not compared). */
AttestFaceState   attest_face_info_get_state (const AttestFaceInfo *info,
                                              double                threshold);
/* Deep copy into *dest / free the strings of *info (not info itself). */
void              attest_face_info_copy      (AttestFaceInfo       *dest,
                                              const AttestFaceInfo *src);
void              attest_face_info_clear     (AttestFaceInfo       *info);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (AttestDetections, attest_detections_unref)

G_END_DECLS
