/* attest-scanner.c: scanning a video file into the review queue (see attest-scanner.h).
 *
 * The checkpoint: after an analysed frame, the scan may resume at R when no track of the scan
 * spans R. R starts just after the frame and moves back to the first sighting of every track
 * still active, and of every ended track not yet written that reaches past R, until none is
 * left that spans it. The ended tracks entirely before R become items in the same transaction
 * that stores R; the tracks after R are kept in memory and are found again, identically, by a
 * scan resumed at R (same frames, same frame step, a tracker that starts empty there, where
 * the uninterrupted one had no track either). */
#include "config.h"

#include <glib/gi18n.h>
#include <math.h>

#include "analysis/attest-analysis.h"
#include "media/attest-frame-reader.h"
#include "media/attest-media-error.h"
#include "review/attest-review-queue.h"
#include "review/attest-scanner.h"
#include "review/attest-search.h"
#include "store/attest-review.h"
#include "store/attest-store-scan.h"

/* A checkpoint at least this often (stream time) while the scan can move its resume point. */
#define CHECKPOINT_EVERY_NS (2 * GST_SECOND)
/* Progress at most every 1% of the file, or every 100 ms when it moved less. */
#define PROGRESS_STEP 0.01
#define PROGRESS_INTERVAL_US (100 * 1000)

struct _AttestScanner
{
  GObject        parent_instance;

  AttestStore   *store;
  AttestVision  *vision;
  AttestMatcher *matcher;
  GHashTable    *names;
  double         threshold;
  guint          every;
  GMutex         resume_lock;
  gint64         resume_ms;     /* where the next scan of the file resumes, -1: the start */
};

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_ITEM_ADDED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (AttestScanner, attest_scanner, G_TYPE_OBJECT)

/* ---- per track ---- */

/* What a scan keeps about a track: its latest summary from the analysis (attest-analysis.h),
 * under a stable id. */
typedef struct
{
  gint64              stable_id;   /* first frame * 1000 + n */
  AttestTrackSummary *summary;
  gboolean            ended;       /* the summary is final */
} ScanTrack;

static void
scan_track_free (gpointer data)
{
  ScanTrack *t = data;

  attest_track_summary_unref (t->summary);
  g_free (t);
}

/* ---- one run ---- */

typedef struct
{
  AttestScanner      *self;
  GMainContext       *context;    /* signals go there (async); NULL: emitted directly */
  GCancellable       *cancellable;
  const char         *model_id;
  char               *uri;
  char               *sha;
  AttestAnalysis     *analysis;   /* the per-frame step, shared with live playback */
  GFile              *file;
  char               *stamp;      /* size, modification time and inode when hashed */
  GHashTable         *tracks;     /* track id -> ScanTrack* (active and ended, unwritten) */
  gint64              saved_to_ns; /* the resume point stored last */
  gint64              checkpoint_pts;
  gint64              duration_ns; /* -1: unknown */
  double              last_fraction;
  gint64              last_progress_us;
  guint               n_items;
} Run;

typedef struct
{
  AttestScanner *self;
  guint          signal;
  double         fraction;
  gint64         item_id;
} Emission;

static gboolean
emit_in_context (gpointer data)
{
  Emission *e = data;

  if (e->signal == SIGNAL_PROGRESS)
    g_signal_emit (e->self, signals[SIGNAL_PROGRESS], 0, e->fraction);
  else
    g_signal_emit (e->self, signals[SIGNAL_ITEM_ADDED], 0, e->item_id);
  return G_SOURCE_REMOVE;
}

static void
emission_free (gpointer data)
{
  Emission *e = data;

  g_object_unref (e->self);
  g_free (e);
}

static void
emit (Run    *run,
      guint   signal,
      double  fraction,
      gint64  item_id)
{
  Emission e = { run->self, signal, fraction, item_id };

  if (run->context == NULL)
    {
      emit_in_context (&e);
      return;
    }
  e.self = g_object_ref (run->self);
  g_main_context_invoke_full (run->context, G_PRIORITY_DEFAULT, emit_in_context,
                              g_memdup2 (&e, sizeof e), emission_free);
}

static void
report_progress (Run    *run,
                 gint64  pts,
                 gboolean force)
{
  double fraction;
  gint64 now = g_get_monotonic_time ();

  if (run->duration_ns <= 0)
    return;
  /* A resumed scan is already as far as it resumes from. */
  fraction = CLAMP ((double) MAX (pts, run->saved_to_ns) / run->duration_ns, 0.0, 1.0);
  if (!force && fraction - run->last_fraction < PROGRESS_STEP &&
      (fraction <= run->last_fraction || now - run->last_progress_us < PROGRESS_INTERVAL_US))
    return;
  run->last_fraction = fraction;
  run->last_progress_us = now;
  emit (run, SIGNAL_PROGRESS, fraction, -1);
}

static gint64
ns_to_ms_floor (gint64 ns)
{
  return ns / G_GINT64_CONSTANT (1000000);
}

static gint64
ns_to_ms_ceil (gint64 ns)
{
  return (ns + G_GINT64_CONSTANT (999999)) / G_GINT64_CONSTANT (1000000);
}

static gint
compare_uint (gconstpointer a,
              gconstpointer b)
{
  guint x = *(const guint *) a, y = *(const guint *) b;

  return x < y ? -1 : x > y;
}

/* Stable ids for the tracks first seen on this frame, in order of first sighting (track ids
 * grow in that order). */
static void
register_new_tracks (Run       *run,
                     GPtrArray *summaries)
{
  g_autoptr (GArray) fresh = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint i = 0; i < summaries->len; i++)
    {
      AttestTrackSummary *summary = g_ptr_array_index (summaries, i);

      if (!g_hash_table_contains (run->tracks, GUINT_TO_POINTER (summary->track_id)))
        g_array_append_val (fresh, summary->track_id);
    }
  g_array_sort (fresh, compare_uint);
  for (guint i = 0; i < fresh->len; i++)
    {
      guint id = g_array_index (fresh, guint, i);
      ScanTrack *t = g_new0 (ScanTrack, 1);
      const AttestTrackSummary *summary = NULL;

      for (guint j = 0; summary == NULL && j < summaries->len; j++)
        if (((AttestTrackSummary *) g_ptr_array_index (summaries, j))->track_id == id)
          summary = g_ptr_array_index (summaries, j);
      t->stable_id = (gint64) summary->first_frame * 1000 + 1 + i;
      t->summary = attest_track_summary_ref ((AttestTrackSummary *) summary);
      g_hash_table_insert (run->tracks, GUINT_TO_POINTER (id), t);
    }
}

/* Keeps the newest summary of each track; `ended`: they are final. */
static void
follow_tracks (Run       *run,
               GPtrArray *summaries,
               gboolean   ended)
{
  register_new_tracks (run, summaries);
  for (guint i = 0; i < summaries->len; i++)
    {
      AttestTrackSummary *summary = g_ptr_array_index (summaries, i);
      ScanTrack *t = g_hash_table_lookup (run->tracks, GUINT_TO_POINTER (summary->track_id));

      attest_track_summary_unref (t->summary);
      t->summary = attest_track_summary_ref (summary);
      t->ended |= ended;
    }
}

/* One frame through the shared step. */
static void
analyse_frame (Run                   *run,
               const AttestImageView *view,
               gint64                 pts,
               guint64                frame_number)
{
  g_autoptr (AttestFrameResult) result = attest_analysis_process (run->analysis, view,
                                                                  (guint64) pts, frame_number);

  /* Ended ones first: a scene cut ends tracks before new ones start on this frame. */
  follow_tracks (run, result->ended, TRUE);
  follow_tracks (run, result->changed, FALSE);
}

/* ---- checkpoints ---- */

static void
set_resume_ms (AttestScanner *self,
               gint64         ms)
{
  g_mutex_lock (&self->resume_lock);
  self->resume_ms = ms;
  g_mutex_unlock (&self->resume_lock);
}

gint64
attest_scanner_get_resume_ms (AttestScanner *self)
{
  gint64 ms;

  g_return_val_if_fail (ATTEST_IS_SCANNER (self), -1);

  g_mutex_lock (&self->resume_lock);
  ms = self->resume_ms;
  g_mutex_unlock (&self->resume_lock);
  return ms;
}

/* The item for an ended track, or NULL when no shown candidate reaches the threshold (or it
 * has no comparable face). The candidates are the analysis's: searched over the whole track,
 * with what the rejection policy hides left out (attest-rejections.h). Fills `candidates`
 * (ATTEST_FACE_MAX_CANDIDATES) and the frame arrays the spec points into. */
static AttestReviewItemSpec *
item_for_track (Run                   *run,
                ScanTrack             *t,
                AttestReviewCandidate *candidates,
                GBytes               **frame_pngs,
                gint64                *frame_ms)
{
  const AttestTrackSummary *summary = t->summary;
  AttestReviewItemSpec *spec;
  guint n = 0;

  if (!summary->has_embedding || summary->probe_png == NULL)
    return NULL;
  for (guint i = 0; i < summary->n_candidates; i++)
    {
      const AttestFaceCandidate *c = &summary->candidates[i];

      /* Best first: the rest are lower. */
      if (!(c->score >= run->self->threshold))
        break;
      candidates[n].identity_id = c->identity_id;
      candidates[n].face_id = c->face_id;
      candidates[n].score = c->score;
      candidates[n].name = c->name;
      n++;
    }
  if (n == 0)
    return NULL;

  spec = g_new0 (AttestReviewItemSpec, 1);
  attest_review_spec_from_summary (spec, summary, frame_pngs, frame_ms);
  spec->source_uri = run->uri;
  spec->source_sha256 = run->sha;
  spec->track = t->stable_id;
  spec->model_id = run->model_id;
  spec->threshold = run->self->threshold;
  spec->candidates = candidates;
  spec->n_candidates = n;
  return spec;
}

typedef struct
{
  AttestReviewItemSpec  *spec;
  AttestReviewCandidate  candidates[ATTEST_FACE_MAX_CANDIDATES];
  GBytes                *frame_pngs[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
  gint64                 frame_ms[ATTEST_TRACK_SUMMARY_MAX_FRAMES];
} Built;

static void
built_free (gpointer data)
{
  Built *b = data;

  g_free (b->spec);
  g_free (b);
}

/* The earliest time no unwritten track spans, from just after the frame at `after_pts`
 * (see the top of the file). */
static gint64
resume_point (Run    *run,
              gint64  after_pts)
{
  gint64 r = after_pts;
  gboolean moved = TRUE;
  GHashTableIter iter;
  ScanTrack *t;

  g_hash_table_iter_init (&iter, run->tracks);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
    if (!t->ended)
      r = MIN (r, (gint64) t->summary->first_pts);
  while (moved)
    {
      moved = FALSE;
      g_hash_table_iter_init (&iter, run->tracks);
      while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &t))
        if (t->ended && (gint64) t->summary->last_pts >= r && (gint64) t->summary->first_pts < r)
          {
            r = (gint64) t->summary->first_pts;
            moved = TRUE;
          }
    }
  return r;
}

static gint
compare_built (gconstpointer a,
               gconstpointer b)
{
  const AttestReviewItemSpec *x = (*(Built *const *) a)->spec;
  const AttestReviewItemSpec *y = (*(Built *const *) b)->spec;

  if (x->start_ms != y->start_ms)
    return x->start_ms < y->start_ms ? -1 : 1;
  return x->track < y->track ? -1 : x->track > y->track;
}

/* What tells a file changed without reading it all again: size, modification time, inode. */
static char *
file_stamp (GFile *file)
{
  g_autoptr (GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                  G_FILE_ATTRIBUTE_TIME_MODIFIED ","
                                                  G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC ","
                                                  G_FILE_ATTRIBUTE_UNIX_INODE,
                                                  G_FILE_QUERY_INFO_NONE, NULL, NULL);

  if (info == NULL)
    return g_strdup ("");
  return g_strdup_printf ("%" G_GOFFSET_FORMAT " %" G_GUINT64_FORMAT ".%06u %" G_GUINT64_FORMAT,
                          g_file_info_get_size (info),
                          g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED),
                          g_file_info_get_attribute_uint32 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED_USEC),
                          g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_UNIX_INODE));
}

static void
set_changed_error (Run     *run,
                   GError **error)
{
  g_autofree char *name = g_file_get_parse_name (run->file);

  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
               _("“%s” changed while it was being scanned: what was found before it changed is "
                 "kept; scan it again"), name);
}

/* Writes the items of the ended tracks before the resume point and the point itself, in one
 * transaction. `completed`: the end of the file (every track has ended). */
static gboolean
checkpoint (Run       *run,
            gint64     after_pts,
            gboolean   completed,
            GError   **error)
{
  AttestScanner *self = run->self;
  g_autoptr (GPtrArray) built = g_ptr_array_new_with_free_func (built_free);
  g_autoptr (GArray) done = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autofree const AttestReviewItemSpec **specs = NULL;
  AttestScanProgress progress = { 0 };
  GHashTableIter iter;
  gpointer key;
  ScanTrack *t;
  gint64 r;

  r = completed ? after_pts : resume_point (run, after_pts);
  r = MAX (r, run->saved_to_ns);

  g_hash_table_iter_init (&iter, run->tracks);
  while (g_hash_table_iter_next (&iter, &key, (gpointer *) &t))
    {
      Built *b;

      if (!t->ended || (gint64) t->summary->last_pts >= r)
        continue;
      g_array_append_val (done, (guint) { GPOINTER_TO_UINT (key) });
      b = g_new0 (Built, 1);
      b->spec = item_for_track (run, t, b->candidates, b->frame_pngs, b->frame_ms);
      if (b->spec == NULL)
        {
          built_free (b);
          continue;
        }
      g_ptr_array_add (built, b);
    }

  /* Nothing new to store and the resume point has not moved enough to be worth a write. */
  if (!completed && built->len == 0 &&
      (r == run->saved_to_ns || after_pts - run->checkpoint_pts < CHECKPOINT_EVERY_NS))
    {
      for (guint i = 0; i < done->len; i++)
        g_hash_table_remove (run->tracks, GUINT_TO_POINTER (g_array_index (done, guint, i)));
      return TRUE;
    }

  g_ptr_array_sort (built, compare_built);
  specs = g_new0 (const AttestReviewItemSpec *, MAX (built->len, 1));
  for (guint i = 0; i < built->len; i++)
    specs[i] = ((Built *) g_ptr_array_index (built, i))->spec;

  progress.model_id = (char *) run->model_id;
  progress.threshold = self->threshold;
  progress.every = self->every;
  progress.scanned_to_ms = completed ? ns_to_ms_ceil (r) : ns_to_ms_floor (r);
  if (r == after_pts && !completed)
    progress.scanned_to_ms = ns_to_ms_ceil (r);
  progress.duration_ms = run->duration_ns >= 0 ? ns_to_ms_floor (run->duration_ns) : -1;
  progress.completed = completed;
  /* Items are written under the hash of the bytes read at the start: only while the file is
   * still that file (the end of the scan reads it all again, see scan_file). */
  {
    g_autofree char *stamp = file_stamp (run->file);

    if (g_strcmp0 (stamp, run->stamp) != 0)
      {
        set_changed_error (run, error);
        return FALSE;
      }
  }
  if (!attest_store_save_scan_checkpoint (self->store, run->uri, run->sha, &progress, specs,
                                          built->len, ids, error))
    return FALSE;

  run->saved_to_ns = r;
  run->checkpoint_pts = after_pts;
  set_resume_ms (self, progress.scanned_to_ms);
  for (guint i = 0; i < done->len; i++)
    g_hash_table_remove (run->tracks, GUINT_TO_POINTER (g_array_index (done, guint, i)));
  for (guint i = 0; i < ids->len; i++)
    {
      gint64 id = g_array_index (ids, gint64, i);

      if (id < 0)
        continue;
      run->n_items++;
      emit (run, SIGNAL_ITEM_ADDED, 0, id);
    }
  return TRUE;
}

/* ---- the scan ---- */

void
attest_scan_result_free (AttestScanResult *result)
{
  if (result == NULL)
    return;
  g_free (result->source_sha256);
  g_free (result->source_uri);
  g_free (result);
}

static void
run_clear (Run *run)
{
  g_free (run->uri);
  g_free (run->sha);
  g_clear_pointer (&run->analysis, attest_analysis_free);
  g_clear_pointer (&run->tracks, g_hash_table_unref);
  g_clear_object (&run->file);
  g_free (run->stamp);
}

static AttestScanResult *
result_new (Run      *run,
            gint64    scanned_to_ms,
            gboolean  completed,
            gboolean  resumed)
{
  AttestScanResult *result = g_new0 (AttestScanResult, 1);

  result->source_sha256 = g_strdup (run->sha);
  result->source_uri = g_strdup (run->uri);
  result->n_items = run->n_items;
  result->scanned_to_ms = scanned_to_ms;
  result->duration_ms = run->duration_ns >= 0 ? ns_to_ms_floor (run->duration_ns) : -1;
  result->completed = completed;
  result->resumed = resumed;
  return result;
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static gboolean
same_settings (const AttestScanProgress *p,
               Run                      *run)
{
  return g_strcmp0 (p->model_id, run->model_id) == 0 && p->every == run->self->every &&
         fabs (p->threshold - run->self->threshold) < 1e-9;
}

static AttestScanResult *
scan_file (AttestScanner  *self,
           GFile          *file,
           GMainContext   *context,
           GCancellable   *cancellable,
           GError        **error)
{
  g_auto (Run) run = { 0 };
  g_autoptr (AttestFrameReader) reader = NULL;
  g_autoptr (AttestScanProgress) progress = NULL;
  g_autoptr (AttestRejections) rejections = NULL;
  g_autofree char *arg = NULL;
  GstClockTime duration;
  AttestImageView view;
  GstClockTime pts;
  guint64 number;
  gint64 last_pts = -1;
  gboolean resumed = FALSE;
  GError *read_error = NULL;

  run.self = self;
  run.context = context;
  run.cancellable = cancellable;
  run.model_id = attest_vision_get_model_id (self->vision);
  run.duration_ns = -1;
  run.last_fraction = -1;
  set_resume_ms (self, -1);

  /* The reader's checks first: a missing, empty, foreign or damaged file gets its clear
   * message before anything is hashed or written. */
  arg = g_file_is_native (file) ? g_file_get_path (file) : g_file_get_uri (file);
  reader = attest_frame_reader_new (arg, cancellable, error);
  if (reader == NULL)
    return NULL;
  run.uri = g_strdup (attest_frame_reader_get_uri (reader));
  run.file = g_object_ref (file);
  run.stamp = file_stamp (file);
  run.sha = attest_file_sha256 (file, cancellable, error);
  if (run.sha == NULL)
    return NULL;
  duration = attest_frame_reader_get_duration (reader);
  if (GST_CLOCK_TIME_IS_VALID (duration))
    run.duration_ns = (gint64) duration;

  progress = attest_store_get_scan_progress (self->store, run.sha, error);
  if (progress == NULL && error != NULL && *error != NULL)
    return NULL;
  if (progress != NULL && same_settings (progress, &run))
    {
      if (progress->completed)
        {
          report_progress (&run, run.duration_ns, TRUE);
          return result_new (&run, progress->scanned_to_ms, TRUE, FALSE);
        }
      resumed = TRUE;
      run.saved_to_ns = progress->scanned_to_ms * G_GINT64_CONSTANT (1000000);
      set_resume_ms (self, progress->scanned_to_ms);
    }
  /* Otherwise (never scanned, or with another model, threshold or frame step): from the
   * start; faces already queued are not queued twice (attest-store-scan.h). */

  /* Negative evidence as it stands now, applied by the analysis's one policy. */
  rejections = attest_rejections_load_from_store (self->store, run.model_id, error);
  if (rejections == NULL)
    return NULL;
  run.analysis = attest_analysis_new (self->vision, ATTEST_ANALYSIS_DEFAULT);
  attest_analysis_set_gallery (run.analysis, self->matcher, self->names);
  attest_analysis_set_rejections (run.analysis, rejections);
  attest_analysis_set_threshold (run.analysis, self->threshold);
  attest_analysis_set_source (run.analysis, run.uri, run.sha);
  run.tracks = g_hash_table_new_full (NULL, NULL, NULL, scan_track_free);
  run.checkpoint_pts = run.saved_to_ns;

  while (attest_frame_reader_next (reader, &view, &pts, &number, &read_error))
    {
      if (g_cancellable_is_cancelled (cancellable))
        break;
      if (!GST_CLOCK_TIME_IS_VALID (pts))
        continue;
      last_pts = (gint64) pts;
      /* Decoded, not analysed: before the resume point, or between every Nth frame. */
      if ((gint64) pts < run.saved_to_ns || number % self->every != 0)
        {
          report_progress (&run, last_pts, FALSE);
          continue;
        }
      analyse_frame (&run, &view, (gint64) pts, number);
      if (!checkpoint (&run, (gint64) pts + 1, FALSE, error))
        return NULL;
      report_progress (&run, last_pts, FALSE);
    }

  /* A cancel while waiting for a frame ends like one between frames. */
  if (g_error_matches (read_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_clear_error (&read_error);
  if (read_error != NULL)
    {
      g_propagate_error (error, read_error);
      return NULL;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      /* What ended before the stop is kept; the rest is scanned again next time. */
      g_autoptr (GError) save_error = NULL;

      if (!checkpoint (&run, last_pts + 1, FALSE, &save_error))
        g_debug ("Could not save the scan's last checkpoint: %s", save_error->message);
      return NULL;
    }

  {
    AttestAnalysisStats stats;
    g_autoptr (GPtrArray) ended = attest_analysis_reset (run.analysis);

    follow_tracks (&run, ended, TRUE);
    attest_analysis_get_stats (run.analysis, &stats);
    g_debug ("Scan of %s: %" G_GUINT64_FORMAT " frames analysed, %" G_GUINT64_FORMAT " faces;"
             " detect %.1f s, gate %" G_GUINT64_FORMAT " faces %.1f s, embed %" G_GUINT64_FORMAT
             " faces %.1f s (%" G_GUINT64_FORMAT " identity checks %.1f s), tracks %.1f s",
             run.uri, stats.frames, stats.faces, stats.detect_us / 1e6, stats.gated,
             stats.gate_us / 1e6, stats.embedded, stats.embed_us / 1e6, stats.checks,
             stats.check_us / 1e6, stats.track_us / 1e6);
  }
  /* The hash must cover what was analysed: the file is read again and the scan is complete
   * only when it is still the same bytes. */
  {
    g_autofree char *again = attest_file_sha256 (file, cancellable, error);

    if (again == NULL)
      return NULL;
    if (g_ascii_strcasecmp (again, run.sha) != 0)
      {
        set_changed_error (&run, error);
        return NULL;
      }
  }
  if (!checkpoint (&run, MAX (run.duration_ns, last_pts + 1), TRUE, error))
    return NULL;
  report_progress (&run, MAX (run.duration_ns, 0), TRUE);
  return result_new (&run, ns_to_ms_ceil (run.saved_to_ns), TRUE, resumed);
}

AttestScanResult *
attest_scanner_scan (AttestScanner  *self,
                     GFile          *file,
                     GCancellable   *cancellable,
                     GError        **error)
{
  g_return_val_if_fail (ATTEST_IS_SCANNER (self), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return scan_file (self, file, NULL, cancellable, error);
}

typedef struct
{
  GFile        *file;
  GMainContext *context;
} AsyncData;

static void
async_data_free (gpointer data)
{
  AsyncData *d = data;

  g_object_unref (d->file);
  g_main_context_unref (d->context);
  g_free (d);
}

static void
scan_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  AsyncData *d = task_data;
  GError *error = NULL;
  AttestScanResult *result = scan_file (source_object, d->file, d->context, cancellable, &error);

  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) attest_scan_result_free);
}

void
attest_scanner_scan_async (AttestScanner       *self,
                           GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  AsyncData *d;

  g_return_if_fail (ATTEST_IS_SCANNER (self));
  g_return_if_fail (G_IS_FILE (file));

  d = g_new0 (AsyncData, 1);
  d->file = g_object_ref (file);
  d->context = g_main_context_ref_thread_default ();
  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_scanner_scan_async);
  g_task_set_task_data (task, d, async_data_free);
  /* The result is reported even when cancelled late: the error comes from the scan. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_run_in_thread (task, scan_thread);
}

AttestScanResult *
attest_scanner_scan_finish (AttestScanner  *self,
                            GAsyncResult   *result,
                            GError        **error)
{
  g_return_val_if_fail (ATTEST_IS_SCANNER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ---- */

static void
attest_scanner_finalize (GObject *object)
{
  AttestScanner *self = ATTEST_SCANNER (object);

  g_clear_object (&self->store);
  g_clear_pointer (&self->vision, attest_vision_free);
  g_clear_pointer (&self->matcher, attest_matcher_unref);
  g_clear_pointer (&self->names, g_hash_table_unref);
  g_mutex_clear (&self->resume_lock);

  G_OBJECT_CLASS (attest_scanner_parent_class)->finalize (object);
}

static void
attest_scanner_class_init (AttestScannerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = attest_scanner_finalize;

  signals[SIGNAL_PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                           G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  signals[SIGNAL_ITEM_ADDED] = g_signal_new ("item-added", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 1, G_TYPE_INT64);
}

static void
attest_scanner_init (AttestScanner *self)
{
  self->threshold = ATTEST_MATCHER_DEFAULT_THRESHOLD;
  self->every = ATTEST_SCANNER_DEFAULT_EVERY;
  g_mutex_init (&self->resume_lock);
  self->resume_ms = -1;
}

AttestScanner *
attest_scanner_new (AttestStore   *store,
                    AttestVision  *vision,
                    AttestMatcher *matcher,
                    GHashTable    *identity_names)
{
  AttestScanner *self;

  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (vision != NULL, NULL);
  g_return_val_if_fail (matcher != NULL, NULL);

  self = g_object_new (ATTEST_TYPE_SCANNER, NULL);
  self->store = g_object_ref (store);
  /* Until the scan's thread is done with it (the task holds the scanner). */
  self->vision = attest_vision_ref (vision);
  self->matcher = attest_matcher_ref (matcher);
  self->names = identity_names != NULL ? g_hash_table_ref (identity_names) : NULL;
  return self;
}

void
attest_scanner_set_threshold (AttestScanner *self,
                              double         threshold)
{
  g_return_if_fail (ATTEST_IS_SCANNER (self));
  g_return_if_fail (isfinite (threshold));

  self->threshold = threshold;
}

double
attest_scanner_get_threshold (AttestScanner *self)
{
  g_return_val_if_fail (ATTEST_IS_SCANNER (self), ATTEST_MATCHER_DEFAULT_THRESHOLD);

  return self->threshold;
}

void
attest_scanner_set_every (AttestScanner *self,
                          guint          every_nth_frame)
{
  g_return_if_fail (ATTEST_IS_SCANNER (self));

  self->every = every_nth_frame > 0 ? every_nth_frame : ATTEST_SCANNER_DEFAULT_EVERY;
}

guint
attest_scanner_get_every (AttestScanner *self)
{
  g_return_val_if_fail (ATTEST_IS_SCANNER (self), ATTEST_SCANNER_DEFAULT_EVERY);

  return self->every;
}
