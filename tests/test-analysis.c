/* test-analysis.c: the per-frame step shared by live playback and the scanner
 * (analysis/attest-analysis.h), and the calibration of its limits.
 *
 * Links the analysis and vision layers only. Real models; a gallery of johns photos that no
 * test video shows; videos made here (tests/test-slideshow.h): different people one after
 * another in the same place, two people swapping places, clips joined by hard cuts, at 10
 * and 25 fps, analysed at every 1st, 5th, 8th and 10th frame. Each appearance must end as
 * exactly one track that names that person first, no crop a track keeps may show anyone else,
 * and no face may ever be labelled as someone else (the person before it in that place).
 *
 * /analysis/calibration measures what the limits rest on and prints the figures the headers
 * quote: cosines of different and same people on the johns and faces photos, of one face from
 * frame to frame in the bundled sample, appearance-grid changes, scene-cut shares, and the
 * same frames re-encoded. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "analysis/attest-analysis-private.h"
#include "analysis/attest-analysis.h"
#include "analysis/attest-tracker.h"
#include "vision/attest-vision.h"
#include "test-slideshow.h"
#include "test-video.h"

static AttestVision *vision;
static AttestMatcher *gallery;
static GHashTable *names;       /* gint64 * -> person */
static char *tmp_dir;

/* ---- faces of photos ------------------------------------------------------------------ */

static gboolean
embed_biggest (const AttestImageView *view,
               float                 *embedding,
               AttestBox             *box_out)
{
  return slideshow_embed_biggest (vision, view, embedding, box_out);
}

static gboolean
embed_chip (const char *path,
            float      *embedding)
{
  g_autoptr (AttestImage) image = slideshow_chip_on_canvas (path);

  return embed_biggest (attest_image_get_view (image), embedding, NULL);
}

static const char *const people[] = {
  "John_Salley", "John_Savage", "John_Schneider", "John_Shimkus", "John_Simm",
};

static const char *
identify_png (GBytes *png,
              float  *score)
{
  return slideshow_identify_png (vision, gallery, names, png, score);
}

/* ---- slideshows through the step ------------------------------------------------------- */

typedef struct
{
  SlideshowKind kind;
  int           fps;
  guint         every;
} SlideCase;

static GHashTable *videos;   /* "kind-fps" -> path */

static const char *
slideshow_video (const Slideshow *show)
{
  g_autofree char *key = g_strdup_printf ("%s-%d", show->name, show->fps);
  char *path = g_hash_table_lookup (videos, key);

  if (path == NULL)
    {
      g_autofree char *file = g_strdup_printf ("slideshow-%s.mp4", key);

      path = g_build_filename (tmp_dir, file, NULL);
      slideshow_write (show, path);
      g_hash_table_insert (videos, g_steal_pointer (&key), path);
    }
  return path;
}

/* Checks one frame's labels: a face labelled as someone is that person. */
static void
check_labels (const Slideshow        *show,
              const AttestDetections *d,
              guint                  *labelled)
{
  for (guint i = 0; d->info != NULL && i < d->n_faces; i++)
    {
      const AttestFaceInfo *info = &d->info[i];
      const SlideAppearance *a = slideshow_at (show, d->frame, &d->faces[i]);

      if (attest_face_info_get_state (info, d->threshold) != ATTEST_FACE_STATE_SUGGESTION)
        continue;
      if (a == NULL || !g_str_equal (info->candidates[0].name, a->person))
        g_error ("%s %d fps: frame %" G_GUINT64_FORMAT ": a face at (%.0f, %.0f) is labelled %s"
                 " but shows %s", show->name, show->fps, d->frame, d->faces[i].x, d->faces[i].y,
                 info->candidates[0].name, a != NULL ? a->person : "nobody");
      (*labelled)++;
    }
}

/* An ended track: if it is a suggestion, it names the person of its appearance, and every
 * crop it keeps shows that person. Returns the appearance (NULL: not a suggestion). */
static const SlideAppearance *
check_track (const Slideshow          *show,
             const AttestTrackSummary *summary,
             guint                    *n_crops)
{
  const SlideAppearance *a;
  const char *who;
  float score = 0;

  if (!attest_track_summary_is_suggestion (summary))
    return NULL;
  a = slideshow_at (show, summary->best_frame, &summary->best_box);
  g_assert_nonnull (a);
  g_assert_cmpstr (summary->candidates[0].name, ==, a->person);

  who = identify_png (summary->probe_png, &score);
  g_assert_cmpstr (who, ==, a->person);
  (*n_crops)++;
  for (guint i = 0; i < summary->n_frames; i++)
    {
      who = identify_png (summary->frame_pngs[i], &score);
      if (who == NULL)
        continue;
      if (!g_str_equal (who, a->person) && score >= ATTEST_MATCHER_DEFAULT_THRESHOLD)
        g_error ("%s %d fps: the track of %s keeps a crop at %.2f s of %s (%.2f)", show->name,
                 show->fps, a->person, summary->frame_pts[i] / 1e9, who, score);
      g_assert_cmpstr (who, ==, a->person);
      (*n_crops)++;
    }
  return a;
}

static void
test_slideshow (gconstpointer data)
{
  const SlideCase *c = data;
  g_autoptr (Slideshow) show = slideshow_new (c->kind, c->fps);
  g_autoptr (TestVideo) video = test_video_open (slideshow_video (show));
  g_autoptr (AttestAnalysis) analysis = attest_analysis_new (vision, ATTEST_ANALYSIS_DEFAULT);
  g_autoptr (GPtrArray) ended = g_ptr_array_new_with_free_func (
    (GDestroyNotify) attest_track_summary_unref);
  guint items[SLIDESHOW_MAX_APPEARANCES] = { 0 };
  guint labelled = 0, n_crops = 0, n_items = 0;
  AttestAnalysisStats stats;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;

  attest_analysis_set_gallery (analysis, gallery, names);
  while (test_video_next (video, &view, &pts, &number))
    {
      g_autoptr (AttestFrameResult) result = NULL;

      if (number % c->every != 0)
        continue;
      result = attest_analysis_process (analysis, &view, pts, number);
      check_labels (show, result->detections, &labelled);
      g_ptr_array_extend (ended, result->ended, (GCopyFunc) attest_track_summary_ref, NULL);
      if (c->kind == SLIDESHOW_CUT)
        {
          /* A hard cut is a scene cut, and only a cut is. */
          gboolean at_cut = FALSE;

          for (guint i = 1; i < show->n; i++)
            at_cut |= number >= show->appearances[i].first_frame &&
                      number < show->appearances[i].first_frame + c->every;
          g_assert_cmpint (result->scene_cut, ==, at_cut);
        }
      else
        g_assert_false (result->scene_cut);
    }
  {
    g_autoptr (GPtrArray) rest = attest_analysis_reset (analysis);

    g_ptr_array_extend (ended, rest, (GCopyFunc) attest_track_summary_ref, NULL);
  }

  for (guint i = 0; i < ended->len; i++)
    {
      const AttestTrackSummary *summary = g_ptr_array_index (ended, i);
      const SlideAppearance *a = check_track (show, summary, &n_crops);

      if (a != NULL)
        {
          items[a->appearance]++;
          n_items++;
        }
    }
  for (guint i = 0; i < show->n; i++)
    if (items[show->appearances[i].appearance] != 1)
      g_error ("%s %d fps, every %u: %s at %.1f-%.1f s gave %u suggestions, not one", show->name,
               show->fps, c->every, show->appearances[i].person,
               show->appearances[i].first_frame / (double) show->fps,
               (show->appearances[i].last_frame + 1) / (double) show->fps,
               items[show->appearances[i].appearance]);

  attest_analysis_get_stats (analysis, &stats);
  g_test_message ("%s %d fps, every %u: %u appearances, %u items, %u tracks; %u labelled faces,"
                  " %u crops checked; %" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                  " embedded (%" G_GUINT64_FORMAT " identity checks), %" G_GUINT64_FORMAT
                  " replaced, %" G_GUINT64_FORMAT " cuts", show->name, show->fps, c->every,
                  show->n_appearances, n_items, ended->len, labelled, n_crops, stats.frames, stats.embedded,
                  stats.checks, stats.splits, stats.scene_cuts);
  g_assert_cmpuint (labelled, >, 0);
}

/* ---- calibration ------------------------------------------------------------------------ */

typedef struct
{
  GArray *values;  /* double */
} Figures;

static void
figures_add (Figures *f,
             double   v)
{
  if (f->values == NULL)
    f->values = g_array_new (FALSE, FALSE, sizeof (double));
  g_array_append_val (f->values, v);
}

static int
compare_double (gconstpointer a,
                gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

/* The value at `fraction` of the sorted values (0: min, 1: max). */
static double
figures_at (Figures *f,
            double   fraction)
{
  g_assert_nonnull (f->values);
  g_array_sort (f->values, compare_double);
  return g_array_index (f->values, double,
                        (guint) CLAMP (fraction * (f->values->len - 1) + 0.5, 0, f->values->len - 1));
}

static void
figures_say (Figures    *f,
             const char *what)
{
  g_test_message ("%-58s n %5u  min %.3f  1%% %.3f  median %.3f  99.9%% %.3f  max %.3f", what,
                  f->values->len, figures_at (f, 0), figures_at (f, 0.01), figures_at (f, 0.5),
                  figures_at (f, 0.999), figures_at (f, 1));
  g_array_unref (f->values);
  f->values = NULL;
}

typedef struct
{
  char  *who;    /* person, or "photo#face" for the faces photos: all different people */
  float  e[ATTEST_EMBEDDING_DIM];
} Face;

/* Every face of the johns (chips) and of the faces photos that passes the quality gate. */
static GPtrArray *
photo_faces (void)
{
  GPtrArray *faces = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *faces_dir = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "faces", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) dir = g_dir_open (faces_dir, 0, &error);
  const char *file;

  g_assert_no_error (error);
  for (guint p = 0; p < G_N_ELEMENTS (people); p++)
    {
      g_autofree char *folder = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns",
                                                  people[p], NULL);
      g_autoptr (GDir) photos = g_dir_open (folder, 0, &error);

      while ((file = g_dir_read_name (photos)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, file, NULL);
          Face *face = g_new0 (Face, 1);

          face->who = (char *) people[p];
          if (embed_chip (path, face->e))
            g_ptr_array_add (faces, face);
          else
            g_free (face);
        }
    }
  /* Group and single photos of people who are not the johns, each face someone else (dogs.jpg
   * has none; bald_guys.jpg is left out: a collage of a few men, each several times). */
  while ((file = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (faces_dir, file, NULL);
      g_autoptr (AttestImage) image = NULL;
      AttestBox boxes[32];
      int n;

      if (!g_str_has_suffix (file, ".jpg") || g_str_equal (file, "bald_guys.jpg"))
        continue;
      image = attest_image_load (path, &error);
      g_assert_no_error (error);
      n = MIN (attest_vision_detect (vision, attest_image_get_view (image), boxes, 32), 32);
      for (int i = 0; i < n; i++)
        {
          AttestQuality quality;
          Face *face = g_new0 (Face, 1);

          face->who = NULL;  /* someone of their own */
          if (attest_vision_assess (vision, attest_image_get_view (image), &boxes[i], &quality, NULL) &&
              quality.issue == ATTEST_QUALITY_OK &&
              attest_vision_embed (vision, attest_image_get_view (image), &boxes[i], face->e, NULL))
            g_ptr_array_add (faces, face);
          else
            g_free (face);
        }
    }
  return faces;
}

/* The sample's faces by the ground truth, every `every`th frame: for each truth face whole
 * and at least 40 px wide, the detector's box on it and its embedding (gate passed). */
typedef struct
{
  guint64 frame;
  char   *id;       /* appearance */
  float   e[ATTEST_EMBEDDING_DIM];
  float   look[ATTEST_ANALYSIS_LOOK_SIZE];
  float   width;
} SampleFace;

static void
sample_face_free (gpointer data)
{
  SampleFace *f = data;

  g_free (f->id);
  g_free (f);
}

static GPtrArray *
sample_faces (guint    every,
              Figures *frame_change)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (TestVideo) video = test_video_open (g_getenv ("ATTEST_SAMPLE_VIDEO"));
  GPtrArray *out = g_ptr_array_new_with_free_func (sample_face_free);
  float last_look[ATTEST_ANALYSIS_FRAME_LOOK_SIZE];
  gboolean has_last = FALSE;
  JsonArray *frames;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;

  json_parser_load_from_file (parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  frames = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                         "frames");
  while (test_video_next (video, &view, &pts, &number))
    {
      JsonArray *truth;
      AttestBox boxes[32];
      float look[ATTEST_ANALYSIS_FRAME_LOOK_SIZE];
      int n;

      if (number % every != 0 || number >= json_array_get_length (frames))
        continue;
      _attest_analysis_frame_look (&view, look);
      if (has_last)
        figures_add (frame_change, _attest_analysis_frame_change (look, last_look));
      memcpy (last_look, look, sizeof look);
      has_last = TRUE;

      truth = json_object_get_array_member (json_array_get_object_element (frames, number), "faces");
      n = MIN (attest_vision_detect (vision, &view, boxes, 32), 32);
      for (guint t = 0; t < json_array_get_length (truth); t++)
        {
          JsonObject *o = json_array_get_object_element (truth, t);
          AttestBox tb = { json_object_get_double_member (o, "x"), json_object_get_double_member (o, "y"),
                           json_object_get_double_member (o, "w"), json_object_get_double_member (o, "h"), 1 };
          SampleFace *face;
          AttestQuality quality;
          int best = -1;
          float best_iou = 0.3f;

          if (json_object_get_double_member (o, "visible") < 1.0 || tb.w < 40)
            continue;
          for (int i = 0; i < n; i++)
            if (attest_box_iou (&tb, &boxes[i]) >= best_iou)
              {
                best_iou = attest_box_iou (&tb, &boxes[i]);
                best = i;
              }
          if (best < 0 || !attest_vision_assess (vision, &view, &boxes[best], &quality, NULL) ||
              quality.issue != ATTEST_QUALITY_OK)
            continue;
          face = g_new0 (SampleFace, 1);
          face->frame = number;
          face->id = g_strdup (json_object_get_string_member (o, "id"));
          face->width = boxes[best].w;
          _attest_analysis_face_look (&view, &boxes[best], face->look);
          if (attest_vision_embed (vision, &view, &boxes[best], face->e, NULL))
            g_ptr_array_add (out, face);
          else
            sample_face_free (face);
        }
    }
  return out;
}

/* The biggest face at the centre of each appearance of a slideshow, from one encoding. */
static void
slideshow_probes (const char *path,
                  const Slideshow *show,
                  float (*probes)[ATTEST_EMBEDDING_DIM],
                  float (*looks)[ATTEST_ANALYSIS_LOOK_SIZE],
                  float (*last_looks)[ATTEST_ANALYSIS_LOOK_SIZE])
{
  g_autoptr (TestVideo) video = test_video_open (path);
  AttestImageView view;
  GstClockTime pts;
  guint64 number;

  while (test_video_next (video, &view, &pts, &number))
    for (guint i = 0; i < show->n; i++)
      {
        const SlideAppearance *a = &show->appearances[i];
        AttestBox box;

        if (number == (a->first_frame + a->last_frame) / 2)
          g_assert_true (embed_biggest (&view, probes[i], NULL));
        if (number == a->first_frame && looks != NULL)
          {
            g_assert_true (embed_biggest (&view, probes[i], &box));
            _attest_analysis_face_look (&view, &box, looks[i]);
          }
        if (number == a->last_frame && last_looks != NULL)
          {
            float e[ATTEST_EMBEDDING_DIM];

            g_assert_true (embed_biggest (&view, e, &box));
            _attest_analysis_face_look (&view, &box, last_looks[i]);
          }
      }
}

static void
test_calibration (void)
{
  g_autoptr (GPtrArray) faces = photo_faces ();
  g_autoptr (GPtrArray) sample = NULL;
  Figures different = { 0 }, same = { 0 }, track = { 0 }, look_same = { 0 }, look_other = { 0 };
  Figures frame_change = { 0 }, cut_change = { 0 }, reencoded = { 0 }, other_moment = { 0 };
  double max_different, min_track, max_frame_change, min_look_other, min_reencoded, max_other_moment;

  /* Photos: every pair of faces. */
  for (guint i = 0; i < faces->len; i++)
    for (guint j = i + 1; j < faces->len; j++)
      {
        const Face *a = g_ptr_array_index (faces, i), *b = g_ptr_array_index (faces, j);
        double cosine = attest_embedding_cosine (a->e, b->e);

        if (a->who != NULL && b->who != NULL && g_str_equal (a->who, b->who))
          figures_add (&same, cosine);
        else
          figures_add (&different, cosine);
      }
  max_different = figures_at (&different, 1);
  figures_say (&different, "different people (johns + faces photos), cosine");
  figures_say (&same, "the same person, other photos (johns), cosine");

  /* The sample: one face from one analysed frame to the next (every 5th and 10th frame). */
  sample = sample_faces (5, &frame_change);
  for (guint i = 0; i < sample->len; i++)
    for (guint j = i + 1; j < sample->len; j++)
      {
        const SampleFace *a = g_ptr_array_index (sample, i), *b = g_ptr_array_index (sample, j);

        if (b->frame > a->frame + 10)
          break;
        if (b->frame == a->frame || !g_str_equal (a->id, b->id))
          continue;
        figures_add (&track, attest_embedding_cosine (a->e, b->e));
        figures_add (&look_same, _attest_analysis_look_difference (a->look, b->look,
                                                                   ATTEST_ANALYSIS_LOOK_SIZE));
      }
  /* Different appearances of one person in the sample (other photos, other sizes). */
  for (guint i = 0; i < sample->len; i++)
    for (guint j = i + 1; j < sample->len; j++)
      {
        const SampleFace *a = g_ptr_array_index (sample, i), *b = g_ptr_array_index (sample, j);
        const char *ha = strchr (a->id, '#'), *hb = strchr (b->id, '#');

        if (!g_str_equal (a->id, b->id) && ha - a->id == hb - b->id &&
            strncmp (a->id, b->id, ha - a->id) == 0)
          figures_add (&other_moment, attest_embedding_cosine (a->e, b->e));
      }
  min_track = figures_at (&track, 0);
  {
    guint above = 0;

    for (guint i = 0; i < look_same.values->len; i++)
      above += g_array_index (look_same.values, double, i) > ATTEST_ANALYSIS_LOOK_CHANGE;
    g_test_message ("one face, consecutive analysed frames: %.0f%% change their look by more"
                    " than %.0f (an embedding each)", 100.0 * above / look_same.values->len,
                    ATTEST_ANALYSIS_LOOK_CHANGE);
  }
  figures_say (&track, "one face, consecutive analysed frames (sample), cosine");
  figures_say (&look_same, "one face, consecutive analysed frames: look change");
  max_frame_change = figures_at (&frame_change, 1);
  figures_say (&frame_change, "sample, consecutive analysed frames: frame change share");

  /* Slideshows: someone else in the same place; a cut; the same frames encoded again. */
  {
    g_autoptr (Slideshow) place = slideshow_new (SLIDESHOW_SAME_PLACE, 25);
    g_autoptr (Slideshow) cut = slideshow_new (SLIDESHOW_CUT, 25);
    g_autofree char *again = g_build_filename (tmp_dir, "same-place-again.mp4", NULL);
    float probes[SLIDESHOW_MAX_APPEARANCES][ATTEST_EMBEDDING_DIM];
    float probes_again[SLIDESHOW_MAX_APPEARANCES][ATTEST_EMBEDDING_DIM];
    float first[SLIDESHOW_MAX_APPEARANCES][ATTEST_ANALYSIS_LOOK_SIZE];
    float last[SLIDESHOW_MAX_APPEARANCES][ATTEST_ANALYSIS_LOOK_SIZE];
    g_autoptr (TestVideo) video = test_video_open (slideshow_video (cut));
    float frame_look[ATTEST_ANALYSIS_FRAME_LOOK_SIZE], previous[ATTEST_ANALYSIS_FRAME_LOOK_SIZE];
    AttestImageView view;
    GstClockTime pts;
    guint64 number;

    slideshow_probes (slideshow_video (place), place, probes, first, last);
    for (guint i = 1; i < place->n; i++)
      figures_add (&look_other, _attest_analysis_look_difference (last[i - 1], first[i],
                                                                  ATTEST_ANALYSIS_LOOK_SIZE));
    min_look_other = figures_at (&look_other, 0);
    figures_say (&look_other, "someone else in the same place (slideshow): look change");

    /* The same slideshow encoded again, at another quality: the same faces seen again. */
    {
      g_autofree char *launch = g_strdup_printf (
        "filesrc location=\"%s\" ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! "
        "x264enc speed-preset=ultrafast bitrate=600 ! mp4mux ! filesink location=\"%s\"",
        slideshow_video (place), again);
      g_autoptr (GError) error = NULL;
      g_autoptr (GstElement) pipeline = gst_parse_launch (launch, &error);
      g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
      g_autoptr (GstMessage) message = NULL;

      g_assert_no_error (error);
      gst_element_set_state (pipeline, GST_STATE_PLAYING);
      message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                            GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
      g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
      gst_element_set_state (pipeline, GST_STATE_NULL);
    }
    slideshow_probes (again, place, probes_again, NULL, NULL);
    g_hash_table_insert (videos, g_strdup ("again"), g_strdup (again));
    for (guint i = 0; i < place->n; i++)
      figures_add (&reencoded, attest_embedding_cosine (probes[i], probes_again[i]));
    /* Salley twice, other photos: another moment of one person. */
    figures_add (&other_moment, attest_embedding_cosine (probes[0], probes[place->n - 1]));
    min_reencoded = figures_at (&reencoded, 0);
    max_other_moment = figures_at (&other_moment, 1);
    figures_say (&reencoded, "the same frame re-encoded (slideshow), cosine");
    figures_say (&other_moment, "one person, other appearances (sample + slideshow), cosine");

    while (test_video_next (video, &view, &pts, &number))
      {
        _attest_analysis_frame_look (&view, frame_look);
        for (guint i = 1; i < cut->n; i++)
          if (number == cut->appearances[i].first_frame)
            figures_add (&cut_change, _attest_analysis_frame_change (frame_look, previous));
        memcpy (previous, frame_look, sizeof previous);
      }
    g_assert_cmpfloat (figures_at (&cut_change, 0), >=, ATTEST_ANALYSIS_CUT_SHARE);
    figures_say (&cut_change, "a hard cut between clips: frame change share");
  }

  /* The limits sit between what they separate. */
  g_assert_cmpfloat (max_different, <, ATTEST_TRACKER_SAME_PERSON);
  g_assert_cmpfloat (min_track, >, ATTEST_TRACKER_SAME_PERSON);
  g_assert_cmpfloat (max_different, <, ATTEST_REJECTION_SAME_PERSON);
  g_assert_cmpfloat (min_reencoded, >=, ATTEST_REJECTION_SAME_FACE);
  g_assert_cmpfloat (max_other_moment, <, ATTEST_REJECTION_SAME_FACE);
  g_assert_cmpfloat (min_look_other, >, ATTEST_ANALYSIS_LOOK_CHANGE);
  g_assert_cmpfloat (max_frame_change, <, ATTEST_ANALYSIS_CUT_SHARE);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  static const SlideshowKind kinds[] = { SLIDESHOW_SAME_PLACE, SLIDESHOW_SWAP, SLIDESHOW_CUT };
  static const int rates[] = { 10, 25 };
  static const guint steps[] = { 1, 5, 8, 10 };
  g_autoptr (GPtrArray) cases = g_ptr_array_new_with_free_func (g_free);
  int result;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);
  vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
  g_assert_no_error (error);
  tmp_dir = g_dir_make_tmp ("attest-analysis-XXXXXX", &error);
  g_assert_no_error (error);
  videos = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  gallery = slideshow_gallery_new (vision, &names);

  g_test_add_func ("/analysis/calibration", test_calibration);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint r = 0; r < G_N_ELEMENTS (rates); r++)
      for (guint s = 0; s < G_N_ELEMENTS (steps); s++)
        {
          SlideCase *c = g_new0 (SlideCase, 1);
          g_autoptr (Slideshow) show = slideshow_new (kinds[k], rates[r]);
          g_autofree char *path = g_strdup_printf ("/analysis/slideshow/%s/%dfps/every-%u",
                                                   show->name, rates[r], steps[s]);

          c->kind = kinds[k];
          c->fps = rates[r];
          c->every = steps[s];
          g_ptr_array_add (cases, c);
          g_test_add_data_func (path, c, test_slideshow);
        }

  result = g_test_run ();

  {
    GHashTableIter iter;
    gpointer path;

    g_hash_table_iter_init (&iter, videos);
    while (g_hash_table_iter_next (&iter, NULL, &path))
      g_unlink (path);
    g_rmdir (tmp_dir);
  }
  g_hash_table_unref (videos);
  g_clear_pointer (&gallery, attest_matcher_unref);
  g_clear_pointer (&names, g_hash_table_unref);
  attest_vision_free (vision);
  g_free (tmp_dir);
  return result;
}
