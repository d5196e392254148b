/* test-tracker.c: the face tracker.
 *
 * On the bundled sample video (real photographs, real models, ground truth from the
 * generator): every person's appearance must be one track, whether every 2nd, 5th or 10th
 * frame is analysed, or only boxes are given; no track may join two appearances, and the
 * frame kept for review shows the whole face. Then small made-up scenes for what the sample
 * does not show: paths crossing, a cut to someone else in the same place, a face hidden for
 * a moment or for too long, a seek, faces cut by the frame edge, and the best sighting (and
 * its candidates) being replaced only by a clearly better one.
 */
#include <glib.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "analysis/attest-tracker.h"
#include "vision/attest-vision.h"
#include "test-video.h"

#define MAX_BOXES 32
/* A detector box and a truth box this close are the same face. */
#define SAME_FACE_IOU 0.3f
/* Truth appearances the tracker is held to: fully on screen and at least this wide in at
 * least MIN_FULL_FRAMES frames (smaller faces are below what the app promises to compare). */
#define MIN_FACE_WIDTH 40.0
#define MIN_FULL_FRAMES 10
/* Tracks this short are not counted as splits: a face sliding in at the frame edge may be
 * detected once or twice before it is whole, and its cut, moving box may not overlap or
 * look like the whole face yet. Real splits (a track lost mid-screen) last longer. */
#define MIN_TRACK_SIGHTINGS 5
#define MIN_COVERAGE 0.9
/* Replacements of an appearance's best embedding. Measured on the sample: at most 4 (every
 * 2nd frame), where keeping every sighting with a higher quality than the best made 5-10. */
#define MAX_BEST_CHANGES 6

/* ---- ground truth (build-aux/make-sample-video.c writes it) ---------------------------- */

typedef struct
{
  char     *id;       /* person#appearance, e.g. "John_Salley#1", or "group#0" */
  AttestBox box;      /* box.score = fraction of the face inside the frame */
} TruthFace;

typedef struct
{
  gint64  pts;
  GArray *faces;      /* TruthFace */
} TruthFrame;

typedef struct
{
  int        width, height;
  int        fps_n, fps_d;
  GPtrArray *frames;  /* TruthFrame*, index = frame number */
  GPtrArray *ids;     /* appearance ids, first seen first */
} Truth;

static Truth *truth;

static void
truth_face_clear (gpointer data)
{
  g_free (((TruthFace *) data)->id);
}

static void
truth_frame_free (gpointer data)
{
  TruthFrame *frame = data;

  g_array_unref (frame->faces);
  g_free (frame);
}

static Truth *
truth_load (const char *path)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonObject *root;
  JsonArray *frames;
  Truth *self;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  self = g_new0 (Truth, 1);
  self->width = json_object_get_int_member (root, "width");
  self->height = json_object_get_int_member (root, "height");
  self->fps_n = json_object_get_int_member (root, "fps_n");
  self->fps_d = json_object_get_int_member (root, "fps_d");
  self->frames = g_ptr_array_new_with_free_func (truth_frame_free);
  self->ids = g_ptr_array_new_with_free_func (g_free);
  frames = json_object_get_array_member (root, "frames");
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *f = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (f, "faces");
      TruthFrame *frame = g_new0 (TruthFrame, 1);

      g_assert_cmpint (json_object_get_int_member (f, "frame"), ==, i);
      frame->pts = json_object_get_int_member (f, "pts_ms") * G_GINT64_CONSTANT (1000000);
      frame->faces = g_array_new (FALSE, TRUE, sizeof (TruthFace));
      g_array_set_clear_func (frame->faces, truth_face_clear);
      for (guint j = 0; j < json_array_get_length (faces); j++)
        {
          JsonObject *o = json_array_get_object_element (faces, j);
          TruthFace face = {
            g_strdup (json_object_get_string_member (o, "id")),
            {
              .x = json_object_get_double_member (o, "x"),
              .y = json_object_get_double_member (o, "y"),
              .w = json_object_get_double_member (o, "w"),
              .h = json_object_get_double_member (o, "h"),
              .score = json_object_get_double_member (o, "visible"),
            },
          };

          if (!g_ptr_array_find_with_equal_func (self->ids, face.id, g_str_equal, NULL))
            g_ptr_array_add (self->ids, g_strdup (face.id));
          g_array_append_val (frame->faces, face);
        }
      g_ptr_array_add (self->frames, frame);
    }
  g_assert_cmpuint (self->frames->len, >, 0);
  return self;
}

static void
truth_free (Truth *self)
{
  g_ptr_array_unref (self->frames);
  g_ptr_array_unref (self->ids);
  g_free (self);
}

static gboolean
truth_face_counts (const TruthFace *face)
{
  return face->box.score >= 0.999f && face->box.w >= MIN_FACE_WIDTH;
}

/* The truth face a detector box is, or NULL (a false detection). */
static const TruthFace *
truth_face_for_box (const TruthFrame *frame,
                    const AttestBox  *box)
{
  const TruthFace *best = NULL;
  float best_iou = SAME_FACE_IOU;

  for (guint i = 0; i < frame->faces->len; i++)
    {
      const TruthFace *face = &g_array_index (frame->faces, TruthFace, i);
      float iou = attest_box_iou (box, &face->box);

      if (iou >= best_iou)
        {
          best = face;
          best_iou = iou;
        }
    }
  return best;
}

/* ---- the sample, analysed once ------------------------------------------------------------ */

typedef struct
{
  guint   frame;
  gint64  pts;
  guint   n;
  AttestBox boxes[MAX_BOXES];
  float  *embeddings[MAX_BOXES];  /* NULL: the face could not be embedded */
} Analysed;

static void
analysed_free (gpointer data)
{
  Analysed *a = data;

  for (guint i = 0; i < a->n; i++)
    g_free (a->embeddings[i]);
  g_free (a);
}

static GPtrArray *analysed_frames;  /* Analysed*, frames that are multiples of 2 or 5 */

/* Decodes the sample once and detects and embeds the faces of every frame a run needs, so
 * all runs see identical detections. */
static GPtrArray *
analyse_sample (void)
{
  g_autoptr(AttestVision) vision = NULL;
  g_autoptr(TestVideo) reader = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func (analysed_free);
  gint64 start = g_get_monotonic_time ();
  gint64 detect_us = 0, embed_us = 0;
  guint n_faces = 0, n_not_embedded = 0;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;

  vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_assert_no_error (error);
  reader = test_video_open (g_getenv ("ATTEST_SAMPLE_VIDEO"));

  while (test_video_next (reader, &view, &pts, &number))
    {
      Analysed *a;
      gint64 t0;
      int found;

      if (number % 2 != 0 && number % 5 != 0)
        continue;
      g_assert_cmpuint (number, <, truth->frames->len);
      g_assert_cmpint ((gint64) pts, ==, ((TruthFrame *) truth->frames->pdata[number])->pts);

      t0 = g_get_monotonic_time ();
      a = g_new0 (Analysed, 1);
      a->frame = number;
      a->pts = pts;
      found = attest_vision_detect (vision, &view, a->boxes, MAX_BOXES);
      g_assert_cmpint (found, <=, MAX_BOXES);
      a->n = found;
      detect_us += g_get_monotonic_time () - t0;
      for (guint i = 0; i < a->n; i++)
        {
          g_autoptr(GError) embed_error = NULL;
          float *embedding = g_new (float, ATTEST_EMBEDDING_DIM);

          t0 = g_get_monotonic_time ();
          if (attest_vision_embed (vision, &view, &a->boxes[i], embedding, &embed_error))
            a->embeddings[i] = embedding;
          else
            {
              /* A face cut by the frame edge may be too small to align: tracked by box. */
              g_assert_error (embed_error, ATTEST_VISION_ERROR, ATTEST_VISION_ERROR_FACE);
              g_free (embedding);
              n_not_embedded++;
            }
          embed_us += g_get_monotonic_time () - t0;
        }
      n_faces += a->n;
      g_ptr_array_add (out, a);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (out->len, >, 0);

  g_test_message ("decoded the sample and analysed %u frames, %u faces (%u not embeddable) in "
                  "%.1f s: detection %.1f ms per frame, embedding %.1f ms per face",
                  out->len, n_faces, n_not_embedded, (g_get_monotonic_time () - start) / 1e6,
                  detect_us / 1000.0 / out->len, embed_us / 1000.0 / MAX (n_faces, 1));
  return out;
}

static GPtrArray *
sample (void)
{
  if (analysed_frames == NULL)
    analysed_frames = analyse_sample ();
  return analysed_frames;
}

/* One detected box and the track the tracker put it on. */
typedef struct
{
  guint            frame;
  guint            track;
  const TruthFace *face;     /* the truth face it is, NULL: none (a false detection) */
} Label;

/* What one track followed, by the truth. */
typedef struct
{
  const AttestTrack *track;
  GHashTable        *by_truth;  /* truth id -> boxes of that appearance on this track */
  const char        *truth_id;  /* the appearance most of its boxes are, or NULL */
  guint              n_false;   /* boxes matching no truth face */
} TrackTruth;

static void
track_truth_free (gpointer data)
{
  TrackTruth *tt = data;

  g_hash_table_unref (tt->by_truth);
  g_free (tt);
}

static gboolean
appearance_counts (const char *id)
{
  guint n_full = 0;

  for (guint f = 0; f < truth->frames->len; f++)
    {
      const TruthFrame *tf = truth->frames->pdata[f];

      for (guint j = 0; j < tf->faces->len; j++)
        {
          const TruthFace *face = &g_array_index (tf->faces, TruthFace, j);

          if (g_str_equal (face->id, id) && truth_face_counts (face))
            n_full++;
        }
    }
  return n_full >= MIN_FULL_FRAMES;
}

/* Tracks the analysed frames whose number is a multiple of `step`, as the app's analysis
 * does when it skips frames; returns the ended tracks and fills `labels`. */
static GPtrArray *
track_sample (guint    step,
              gboolean with_embeddings,
              GArray  *labels)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  GPtrArray *frames = sample ();
  GPtrArray *tracks;
  gint64 start = g_get_monotonic_time ();
  guint n_frames = 0;

  attest_tracker_set_frame_size (tracker, truth->width, truth->height);
  for (guint i = 0; i < frames->len; i++)
    {
      const Analysed *a = frames->pdata[i];
      const TruthFrame *tf = truth->frames->pdata[a->frame];
      guint ids[MAX_BOXES];
      float qualities[MAX_BOXES];

      if (a->frame % step != 0)
        continue;
      n_frames++;
      /* The caller's quality: a bigger, surer face is a better one to search with. */
      for (guint b = 0; b < a->n; b++)
        qualities[b] = a->boxes[b].w * a->boxes[b].score;
      attest_tracker_update (tracker, a->pts, a->boxes,
                             with_embeddings ? (const float *const *) a->embeddings : NULL,
                             qualities, a->n, ids);
      for (guint b = 0; b < a->n; b++)
        {
          Label label = { a->frame, ids[b], truth_face_for_box (tf, &a->boxes[b]) };

          g_assert_cmpuint (ids[b], !=, 0);
          /* Never two boxes on one track in a frame. */
          for (guint c = 0; c < b; c++)
            g_assert_cmpuint (ids[b], !=, ids[c]);
          g_array_append_val (labels, label);
        }
    }
  attest_tracker_flush (tracker);
  g_assert_cmpuint (n_frames, ==, (truth->frames->len + step - 1) / step);
  g_test_message ("step %u: %u frames tracked in %.1f ms", step, n_frames,
                  (g_get_monotonic_time () - start) / 1000.0);

  tracks = attest_tracker_take_ended (tracker);
  g_assert_cmpuint (attest_tracker_get_n_ended (tracker), ==, 0);
  return tracks;
}

static void
run_sample (guint    step,
            gboolean with_embeddings)
{
  g_autoptr(GArray) labels = g_array_new (FALSE, FALSE, sizeof (Label));
  g_autoptr(GPtrArray) tracks = track_sample (step, with_embeddings, labels);
  g_autoptr(GHashTable) by_id = g_hash_table_new_full (NULL, NULL, NULL, track_truth_free);
  guint n_appearances = 0, n_false = 0, n_sightings = 0;

  /* Which appearance each track followed: the one most of its boxes are. */
  for (guint i = 0; i < tracks->len; i++)
    {
      const AttestTrack *track = tracks->pdata[i];
      TrackTruth *tt = g_new0 (TrackTruth, 1);

      g_assert_true (track->ended);
      g_assert_cmpuint (track->id, >, 0);
      tt->track = track;
      tt->by_truth = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (by_id, GUINT_TO_POINTER (track->id), tt);
      n_sightings += track->n_sightings;
    }
  /* Every box is on a track the tracker hands back, and nothing else is. */
  g_assert_cmpuint (n_sightings, ==, labels->len);
  for (guint i = 0; i < labels->len; i++)
    {
      const Label *label = &g_array_index (labels, Label, i);
      TrackTruth *tt = g_hash_table_lookup (by_id, GUINT_TO_POINTER (label->track));
      guint n;

      g_assert_nonnull (tt);
      if (label->face == NULL)
        {
          tt->n_false++;
          n_false++;
          continue;
        }
      n = GPOINTER_TO_UINT (g_hash_table_lookup (tt->by_truth, label->face->id)) + 1;
      g_hash_table_insert (tt->by_truth, label->face->id, GUINT_TO_POINTER (n));
    }

  for (guint i = 0; i < tracks->len; i++)
    {
      const AttestTrack *track = tracks->pdata[i];
      TrackTruth *tt = g_hash_table_lookup (by_id, GUINT_TO_POINTER (track->id));
      GHashTableIter iter;
      const char *id;
      gpointer count;
      guint n_majority = 0;

      g_hash_table_iter_init (&iter, tt->by_truth);
      while (g_hash_table_iter_next (&iter, (gpointer *) &id, &count))
        if (GPOINTER_TO_UINT (count) > n_majority)
          {
            n_majority = GPOINTER_TO_UINT (count);
            tt->truth_id = id;
          }
      g_test_message ("step %u: track %u: %.2f-%.2f s, %u sightings: %u of %s, %u of no face; "
                      "best at %.2f s, replaced %u times", step, track->id,
                      track->first_pts / 1e9, track->last_pts / 1e9, track->n_sightings,
                      n_majority, tt->truth_id != NULL ? tt->truth_id : "-", tt->n_false,
                      track->best_pts / 1e9, track->best_changes);

      /* No merges: a track never holds boxes of two appearances. */
      g_assert_cmpuint (g_hash_table_size (tt->by_truth), <=, 1);
    }

  /* No splits: each appearance the app must follow is one track (counting tracks long
   * enough to matter), holding it in nearly every analysed frame it was detected whole. */
  for (guint i = 0; i < truth->ids->len; i++)
    {
      const char *id = truth->ids->pdata[i];
      const TrackTruth *main_track = NULL;
      g_autoptr(GHashTable) detected = g_hash_table_new (NULL, NULL);
      g_autoptr(GHashTable) covered = g_hash_table_new (NULL, NULL);
      guint n_tracks = 0, n_analysed = 0, n_detected, n_covered;
      GHashTableIter iter;
      TrackTruth *tt;

      if (!appearance_counts (id))
        continue;
      n_appearances++;

      g_hash_table_iter_init (&iter, by_id);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &tt))
        if (tt->truth_id != NULL && g_str_equal (tt->truth_id, id) &&
            tt->track->n_sightings >= MIN_TRACK_SIGHTINGS)
          {
            n_tracks++;
            main_track = tt;
          }

      for (guint f = 0; f < truth->frames->len; f += step)
        {
          const TruthFrame *tf = truth->frames->pdata[f];

          for (guint j = 0; j < tf->faces->len; j++)
            {
              const TruthFace *face = &g_array_index (tf->faces, TruthFace, j);

              if (g_str_equal (face->id, id) && truth_face_counts (face))
                n_analysed++;
            }
        }
      /* Frames, not boxes: the detector sometimes boxes one face twice. */
      for (guint k = 0; k < labels->len; k++)
        {
          const Label *label = &g_array_index (labels, Label, k);

          if (label->face == NULL || !g_str_equal (label->face->id, id) ||
              !truth_face_counts (label->face))
            continue;
          g_hash_table_add (detected, GUINT_TO_POINTER (label->frame + 1));
          if (main_track != NULL && label->track == main_track->track->id)
            g_hash_table_add (covered, GUINT_TO_POINTER (label->frame + 1));
        }
      n_detected = g_hash_table_size (detected);
      n_covered = g_hash_table_size (covered);

      g_test_message ("step %u: %s: %u track(s); track %u holds it in %u of the %u analysed "
                      "frames it was detected in whole (%.0f%%); the detector found it in %u "
                      "of %u", step, id, n_tracks,
                      main_track != NULL ? main_track->track->id : 0, n_covered, n_detected,
                      100.0 * n_covered / MAX (n_detected, 1), n_detected, n_analysed);
      g_assert_cmpuint (n_tracks, ==, 1);
      g_assert_cmpuint (n_detected, >, 0);
      g_assert_cmpfloat ((double) n_covered / n_detected, >=, MIN_COVERAGE);

      /* Its best sighting, the frame shown for review, has the whole face, embedded. And it
       * changed only a few times (each change is a new search and maybe a new label). */
      {
        const AttestTrack *track = main_track->track;
        gint64 frame_ns = G_GINT64_CONSTANT (1000000000) * truth->fps_d / truth->fps_n;
        const TruthFrame *tf = truth->frames->pdata[track->best_pts / frame_ns];
        const TruthFace *face = truth_face_for_box (tf, &track->best_box);

        g_assert_cmpuint (track->best_changes, <=, MAX_BEST_CHANGES);
        g_assert_cmpint (tf->pts, ==, track->best_pts);
        g_assert_true (track->has_embedding == with_embeddings);
        g_assert_nonnull (face);
        g_assert_cmpstr (face->id, ==, id);
        g_assert_cmpfloat (face->box.score, >=, 0.999);
      }
    }

  g_test_message ("step %u: %u tracks for %u appearances; %u boxes matching no face", step,
                  tracks->len, n_appearances, n_false);
  /* Not vacuous: the sample has 15 appearances of whole faces (make-sample-video.c). */
  g_assert_cmpuint (n_appearances, >=, 10);
}

static void
test_sample_every_2nd (void)
{
  run_sample (2, TRUE);
}

/* No embeddings (a caller with no time to embed every face): position and motion alone. */
static void
test_sample_boxes_only (void)
{
  run_sample (2, FALSE);
}

static void
test_sample_every_5th (void)
{
  run_sample (5, TRUE);
}

/* 2.5 analyses a second: faces move 120-170 px between them, more than their width. */
static void
test_sample_every_10th (void)
{
  run_sample (10, TRUE);
}

/* ---- made-up scenes ------------------------------------------------------------------- */

/* Stream time of frame n at 25 fps. */
static gint64
frame_pts (int n)
{
  return (gint64) n * 40 * G_GINT64_CONSTANT (1000000);
}

/* A unit embedding along axis `axis`, tilted towards axis + 1 by `tilt`: distinct axes are
 * different people (cosine 0); small tilts of one axis are the same person. */
static void
make_embedding (float *e,
                guint  axis,
                float  tilt)
{
  memset (e, 0, sizeof (float) * ATTEST_EMBEDDING_DIM);
  e[axis] = cosf (tilt);
  e[(axis + 1) % ATTEST_EMBEDDING_DIM] = sinf (tilt);
}

static AttestBox
box_at (float x,
        float y)
{
  return (AttestBox) { x, y, 80, 80, 0.9f };
}

static guint
update_one (AttestTracker   *tracker,
            int              frame,
            const AttestBox *box,
            const float     *embedding,
            float            quality)
{
  const float *embeddings[1] = { embedding };
  guint id = 0;

  attest_tracker_update (tracker, frame_pts (frame), box, embeddings, &quality, 1, &id);
  g_assert_cmpuint (id, !=, 0);
  return id;
}

/* Two faces walk towards each other and overlap; then they walk on, or (bounce) each turns
 * back, which only their embeddings can tell: motion says they walked on. Boxes are handed
 * over in a different order every frame so the order carries no hint. */
static void
crossing (gboolean bounce)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  float ea[ATTEST_EMBEDDING_DIM], eb[ATTEST_EMBEDDING_DIM];
  guint id_a = 0, id_b = 0;

  make_embedding (ea, 0, 0);
  make_embedding (eb, 7, 0);
  for (int f = 0; f < 60; f++)
    {
      /* 12 px per frame each way; they meet (the same box, give or take 10 px) at f = 25. */
      int walked = bounce && f > 25 ? 50 - f : f;
      AttestBox a = box_at (100 + 12 * walked, 200);
      AttestBox b = box_at (700 - 12 * walked, 210);
      gboolean swap = f % 2 == 1;
      AttestBox boxes[2] = { swap ? b : a, swap ? a : b };
      const float *embeddings[2] = { swap ? eb : ea, swap ? ea : eb };
      guint ids[2];

      attest_tracker_update (tracker, frame_pts (f), boxes, bounce ? embeddings : NULL, NULL,
                             2, ids);
      g_assert_cmpuint (ids[0], !=, ids[1]);
      if (f == 0)
        {
          id_a = ids[0];
          id_b = ids[1];
        }
      g_assert_cmpuint (ids[swap ? 1 : 0], ==, id_a);
      g_assert_cmpuint (ids[swap ? 0 : 1], ==, id_b);
    }
  g_assert_cmpuint (attest_tracker_get_track (tracker, id_a)->n_sightings, ==, 60);
  g_assert_cmpuint (attest_tracker_get_track (tracker, id_b)->n_sightings, ==, 60);
  g_assert_cmpuint (attest_tracker_get_n_ended (tracker), ==, 0);
}

/* Without embeddings: the motion tells them apart. */
static void
test_crossing_motion (void)
{
  crossing (FALSE);
}

static void
test_crossing_bounce (void)
{
  crossing (TRUE);
}

/* One face gives way at once to someone else in the same place (a cut between two shots):
 * overlap alone would continue the track; the embeddings say no. */
static void
test_different_face_same_place (void)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  float ea[ATTEST_EMBEDDING_DIM], eb[ATTEST_EMBEDDING_DIM];
  AttestBox here = box_at (300, 300);
  guint first, second;

  make_embedding (ea, 0, 0);
  make_embedding (eb, 7, 0);
  first = update_one (tracker, 0, &here, ea, 80);
  g_assert_cmpuint (update_one (tracker, 1, &here, ea, 80), ==, first);
  second = update_one (tracker, 2, &here, eb, 80);
  g_assert_cmpuint (second, !=, first);
  /* Without an embedding the same place is the same face. */
  g_assert_cmpuint (update_one (tracker, 3, &here, NULL, 80), ==, second);
}

static void
test_gap (void)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  g_autoptr(GPtrArray) ended = NULL;
  g_autoptr(GPtrArray) active = NULL;
  float e[ATTEST_EMBEDDING_DIM], e_other_photo[ATTEST_EMBEDDING_DIM];
  const AttestTrack *track;
  AttestBox box;
  guint id = 0, id2, id3;
  int f;

  g_assert_cmpint (attest_tracker_get_max_gap (tracker), ==, ATTEST_TRACKER_DEFAULT_MAX_GAP_NS);

  /* Moving right at 8 px per frame, no embeddings: position alone. */
  for (f = 0; f < 10; f++)
    {
      box = box_at (100 + 8 * f, 100);
      if (f == 0)
        id = update_one (tracker, f, &box, NULL, 80);
      else
        g_assert_cmpuint (update_one (tracker, f, &box, NULL, 80), ==, id);
    }
  /* Hidden for 20 frames (0.8 s), it comes out where it was heading: 168 px further on,
   * twice its width away from where it was last seen. */
  f = 30;
  box = box_at (100 + 8 * f, 100);
  g_assert_cmpuint (update_one (tracker, f, &box, NULL, 80), ==, id);
  /* Empty frames end nothing before max_gap. */
  attest_tracker_update (tracker, frame_pts (35), NULL, NULL, NULL, 0, NULL);
  g_assert_false (attest_tracker_get_track (tracker, id)->ended);

  /* Back 0.88 s later far from any prediction, but the same face: the embedding carries
   * it. It was never embedded before, so first give it one. */
  make_embedding (e, 3, 0);
  make_embedding (e_other_photo, 3, 0.6f);  /* cosine 0.83: the same person */
  box = box_at (100 + 8 * 36, 100);
  g_assert_cmpuint (update_one (tracker, 36, &box, e, 80), ==, id);
  box = box_at (900, 500);
  g_assert_cmpuint (update_one (tracker, 36 + 22, &box, e_other_photo, 80), ==, id);

  /* Gone for more than max_gap (1.2 s): back in the same place with the same face, it is a
   * new appearance, so a new track; the old one has ended. */
  box = box_at (900, 500);
  id2 = update_one (tracker, 58 + 30, &box, e_other_photo, 80);
  g_assert_cmpuint (id2, >, id);
  track = attest_tracker_get_track (tracker, id);
  g_assert_nonnull (track);
  g_assert_true (track->ended);
  g_assert_cmpint (track->first_pts, ==, frame_pts (0));
  g_assert_cmpint (track->last_pts, ==, frame_pts (58));
  g_assert_cmpuint (track->n_sightings, ==, 13);
  g_assert_cmpuint (attest_tracker_get_n_ended (tracker), ==, 1);

  /* A shorter max_gap ends tracks sooner. */
  attest_tracker_set_max_gap (tracker, 200 * G_GINT64_CONSTANT (1000000));
  g_assert_cmpuint (update_one (tracker, 88 + 5, &box, e_other_photo, 80), ==, id2);
  g_assert_cmpuint (update_one (tracker, 93 + 6, &box, e_other_photo, 80), !=, id2);
  attest_tracker_set_max_gap (tracker, ATTEST_TRACKER_DEFAULT_MAX_GAP_NS);

  /* A seek (reset): the same face at the same place gets a new id; nothing is lost. */
  active = attest_tracker_get_active (tracker);
  g_assert_cmpuint (active->len, ==, 1);
  id3 = ((const AttestTrack *) active->pdata[0])->id;
  attest_tracker_reset (tracker);
  g_assert_true (attest_tracker_get_track (tracker, id3)->ended);
  g_assert_cmpuint (update_one (tracker, 100, &box, e_other_photo, 80), >, id3);

  /* Time going back is a seek too, even if nobody said so. */
  id3 = update_one (tracker, 101, &box, e_other_photo, 80);
  g_assert_cmpuint (update_one (tracker, 10, &box, e_other_photo, 80), >, id3);
  g_assert_true (attest_tracker_get_track (tracker, id3)->ended);

  /* Ended tracks are handed over once, oldest end first, and then forgotten. */
  ended = attest_tracker_take_ended (tracker);
  g_assert_cmpuint (ended->len, ==, 4);
  g_assert_cmpuint (((AttestTrack *) ended->pdata[0])->id, ==, id);
  for (guint i = 1; i < ended->len; i++)
    g_assert_cmpuint (((AttestTrack *) ended->pdata[i - 1])->id, <,
                      ((AttestTrack *) ended->pdata[i])->id);
  g_assert_null (attest_tracker_get_track (tracker, id));
  g_assert_cmpuint (attest_tracker_get_n_ended (tracker), ==, 0);
  attest_tracker_flush (tracker);
  g_assert_cmpuint (attest_tracker_get_n_ended (tracker), ==, 1);
}

/* A face slides in from the left edge and out at the right one. While the edge cuts it, its
 * embeddings are unlike anything (here: unlike each other and the whole face), yet it stays
 * one track, and the frame kept for review is a whole one even though the caller rated the
 * cut ones higher. */
static void
test_frame_edge (void)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  float whole[ATTEST_EMBEDDING_DIM], cut[ATTEST_EMBEDDING_DIM];
  const AttestTrack *track;
  guint id = 0;

  attest_tracker_set_frame_size (tracker, 640, 480);
  for (int f = 0; f < 70; f++)
    {
      /* 80 px wide, 10 px a frame, from x = -60 to x = 630; the detector clips boxes. */
      float x = -60 + 10 * f;
      float x1 = MIN (x + 80, 640);
      AttestBox box = { MAX (x, 0), 200, x1 - MAX (x, 0), 80, 0.9f };
      gboolean is_cut = x < 2 || x + 80 > 638;
      guint got;

      make_embedding (whole, 3, 0.01f * (f % 5));
      make_embedding (cut, 100 + f, 0);
      got = update_one (tracker, f, &box, is_cut ? cut : whole, is_cut ? 1000 : box.w);
      if (f == 0)
        id = got;
      g_assert_cmpuint (got, ==, id);
    }
  track = attest_tracker_get_track (tracker, id);
  g_assert_cmpuint (track->n_sightings, ==, 70);
  g_assert_cmpfloat (track->best_box.x, >=, 2);
  g_assert_cmpfloat (track->best_box.x + track->best_box.w, <=, 638);
  g_assert_cmpfloat (attest_embedding_cosine (track->best_embedding, whole), >, 0.99f);

  /* Back in the middle 0.44 s later: the same face, the same track. Then a whole face that
   * is clearly someone else, right there: a new track. */
  {
    AttestBox box = box_at (300, 200);
    float other[ATTEST_EMBEDDING_DIM];

    make_embedding (other, 9, 0);
    g_assert_cmpuint (update_one (tracker, 80, &box, whole, 80), ==, id);
    g_assert_cmpuint (update_one (tracker, 81, &box, other, 80), >, id);
  }
}

/* Boxes with no area or impossible coordinates (a bug upstream) get no track and spoil
 * nothing for the others. */
static void
test_bad_boxes (void)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  AttestBox boxes[4] = {
    { NAN, 10, 80, 80, 0.9f },
    { 100, 100, 0, 80, 0.9f },
    { 300, 300, 80, 80, 0.9f },
    { 10, 10, INFINITY, 80, 0.9f },
  };
  guint ids[4];
  g_autoptr(GPtrArray) active = NULL;

  attest_tracker_update (tracker, 0, boxes, NULL, NULL, 4, ids);
  g_assert_cmpuint (ids[0], ==, 0);
  g_assert_cmpuint (ids[1], ==, 0);
  g_assert_cmpuint (ids[2], ==, 1);
  g_assert_cmpuint (ids[3], ==, 0);
  attest_tracker_update (tracker, frame_pts (1), boxes, NULL, NULL, 4, ids);
  g_assert_cmpuint (ids[2], ==, 1);
  active = attest_tracker_get_active (tracker);
  g_assert_cmpuint (active->len, ==, 1);
  g_assert_cmpuint (((const AttestTrack *) active->pdata[0])->n_sightings, ==, 2);
}

static void
test_best_sighting (void)
{
  g_autoptr(AttestTracker) tracker = attest_tracker_new ();
  g_autoptr(AttestTrack) copy = NULL;
  float e1[ATTEST_EMBEDDING_DIM], e2[ATTEST_EMBEDDING_DIM], e3[ATTEST_EMBEDDING_DIM];
  AttestTrackCandidate found[2] = {
    { .identity_id = 11, .face_id = 101, .score = 0.62f, .rank = 1 },
    { .identity_id = 12, .face_id = 102, .score = 0.48f, .rank = 2 },
  };
  AttestTrackCandidate refound[1] = {
    { .identity_id = 12, .face_id = 103, .score = 0.71f, .rank = 1 },
  };
  const AttestTrack *track;
  AttestBox box;
  guint id;

  make_embedding (e1, 5, 0.0f);
  make_embedding (e2, 5, 0.3f);
  make_embedding (e3, 5, 0.5f);

  /* First sighting: poor (small, blurred...), not embedded. It is the best so far. */
  box = box_at (100, 100);
  id = update_one (tracker, 0, &box, NULL, 0.2f);
  track = attest_tracker_get_track (tracker, id);
  g_assert_false (track->has_embedding);
  g_assert_cmpint (track->best_pts, ==, frame_pts (0));
  g_assert_false (attest_tracker_set_candidates (tracker, id + 1, found, 2));

  /* Any embedded sighting beats one without, even a poorer one: it is what can be searched. */
  box = box_at (104, 100);
  g_assert_cmpuint (update_one (tracker, 1, &box, e1, 0.1f), ==, id);
  track = attest_tracker_get_track (tracker, id);
  g_assert_true (track->has_embedding);
  g_assert_cmpmem (track->best_embedding, sizeof e1, e1, sizeof e1);
  g_assert_cmpint (track->best_pts, ==, frame_pts (1));
  g_assert_cmpuint (track->best_changes, ==, 0);
  g_assert_true (track->candidates_stale);

  /* The caller searched it: the label is the candidates, no longer stale. */
  g_assert_true (attest_tracker_set_candidates (tracker, id, found, 2));
  track = attest_tracker_get_track (tracker, id);
  g_assert_false (track->candidates_stale);
  g_assert_cmpuint (track->n_candidates, ==, 2);
  g_assert_cmpint (track->candidates[0].identity_id, ==, 11);

  /* A better sighting replaces the embedding, the frame and the box; the candidates stay
   * on screen, marked stale, until the caller has searched the new embedding. */
  box = box_at (110, 102);
  g_assert_cmpuint (update_one (tracker, 2, &box, e2, 0.9f), ==, id);
  track = attest_tracker_get_track (tracker, id);
  g_assert_cmpmem (track->best_embedding, sizeof e2, e2, sizeof e2);
  g_assert_cmpint (track->best_pts, ==, frame_pts (2));
  g_assert_cmpfloat (track->best_box.x, ==, 110);
  g_assert_cmpfloat (track->best_quality, ==, 0.9f);
  g_assert_cmpuint (track->best_changes, ==, 1);
  g_assert_true (track->candidates_stale);
  g_assert_cmpuint (track->n_candidates, ==, 2);
  g_assert_true (attest_tracker_set_candidates (tracker, id, refound, 1));

  /* Sightings barely better (box jitter) or worse, or better but not embedded, change
   * nothing: the label holds. */
  box = box_at (115, 102);
  g_assert_cmpuint (update_one (tracker, 3, &box, e3, 0.95f), ==, id);
  box = box_at (120, 102);
  g_assert_cmpuint (update_one (tracker, 4, &box, NULL, 2.0f), ==, id);
  track = attest_tracker_get_track (tracker, id);
  g_assert_cmpmem (track->best_embedding, sizeof e2, e2, sizeof e2);
  g_assert_cmpint (track->best_pts, ==, frame_pts (2));
  g_assert_cmpuint (track->best_changes, ==, 1);
  g_assert_false (track->candidates_stale);
  g_assert_cmpuint (track->n_candidates, ==, 1);
  g_assert_cmpint (track->candidates[0].identity_id, ==, 12);
  g_assert_cmpint (track->last_pts, ==, frame_pts (4));
  g_assert_cmpfloat (track->last_box.x, ==, 120);
  g_assert_cmpuint (track->n_sightings, ==, 5);

  /* A copy outlives the tracker's changes. */
  copy = attest_track_copy (track);
  attest_tracker_set_candidates (tracker, id, NULL, 0);
  g_assert_cmpuint (copy->n_candidates, ==, 1);
  g_assert_cmpint (copy->candidates[0].face_id, ==, 103);
  g_assert_cmpuint (attest_tracker_get_track (tracker, id)->n_candidates, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  const char *truth_path;
  int ret;

  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  truth_path = g_getenv ("ATTEST_SAMPLE_TRUTH");
  g_assert_nonnull (truth_path);
  truth = truth_load (truth_path);

  g_test_add_func ("/review/tracker/crossing/bounce", test_crossing_bounce);
  g_test_add_func ("/review/tracker/crossing/motion", test_crossing_motion);
  g_test_add_func ("/review/tracker/different-face-same-place", test_different_face_same_place);
  g_test_add_func ("/review/tracker/gap", test_gap);
  g_test_add_func ("/review/tracker/frame-edge", test_frame_edge);
  g_test_add_func ("/review/tracker/best-sighting", test_best_sighting);
  g_test_add_func ("/review/tracker/bad-boxes", test_bad_boxes);
  g_test_add_func ("/review/tracker/sample/every-2nd-frame", test_sample_every_2nd);
  g_test_add_func ("/review/tracker/sample/every-5th-frame", test_sample_every_5th);
  g_test_add_func ("/review/tracker/sample/every-10th-frame", test_sample_every_10th);
  g_test_add_func ("/review/tracker/sample/boxes-only", test_sample_boxes_only);

  ret = g_test_run ();

  g_clear_pointer (&analysed_frames, g_ptr_array_unref);
  truth_free (truth);
  return ret;
}
