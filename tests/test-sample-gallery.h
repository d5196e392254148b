/* test-sample-gallery.h: what the scan tests (test-scanner.c, test-crash.c, test-cli.c) and the
 * live matching tests (test-matching.c, test-review-ui.c) share about the bundled sample video: its ground truth (ATTEST_SAMPLE_TRUTH, written by
 * build-aux/make-sample-video.c) and a gallery folder of OTHER photos of the people it shows
 * (the dlib johns photos the video does not use), one sub-folder per person.
 *
 * Static functions in a header: each test is one file; this is included by each that needs it. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <unistd.h>

#include "review/attest-importer.h"
#include "store/attest-gallery.h"
#include "vision/attest-vision.h"

/* Truth appearances the scan is held to, as tests/test-tracker.c: fully on screen and at
 * least this wide in at least SAMPLE_MIN_FULL_FRAMES frames. */
#define SAMPLE_MIN_FACE_WIDTH 40.0
#define SAMPLE_MIN_FULL_FRAMES 10

typedef struct
{
  char   *id;          /* person#n, or group#n */
  char   *person;      /* John_Salley, or "group" (nobody enrolled) */
  gint64  first_ms;
  gint64  last_ms;
  guint   full_frames; /* frames where it is whole and wide enough to compare */
} SampleAppearance;

typedef struct
{
  JsonParser *parser;
  JsonObject *root;
  GPtrArray  *appearances;  /* SampleAppearance*, first seen first */
  gint64      duration_ms;
} SampleTruth;

static void
sample_appearance_free (gpointer data)
{
  SampleAppearance *a = data;

  g_free (a->id);
  g_free (a->person);
  g_free (a);
}

static SampleAppearance *
sample_truth_find (SampleTruth *truth,
                   const char  *id)
{
  for (guint i = 0; i < truth->appearances->len; i++)
    {
      SampleAppearance *a = g_ptr_array_index (truth->appearances, i);

      if (g_str_equal (a->id, id))
        return a;
    }
  return NULL;
}

G_GNUC_UNUSED static SampleTruth *
sample_truth_load (void)
{
  g_autoptr (GError) error = NULL;
  SampleTruth *truth = g_new0 (SampleTruth, 1);
  JsonArray *frames;

  truth->parser = json_parser_new ();
  json_parser_load_from_file (truth->parser, g_getenv ("ATTEST_SAMPLE_TRUTH"), &error);
  g_assert_no_error (error);
  truth->root = json_node_get_object (json_parser_get_root (truth->parser));
  truth->duration_ms = json_object_get_int_member (truth->root, "duration_ms");
  truth->appearances = g_ptr_array_new_with_free_func (sample_appearance_free);

  frames = json_object_get_array_member (truth->root, "frames");
  for (guint i = 0; i < json_array_get_length (frames); i++)
    {
      JsonObject *f = json_array_get_object_element (frames, i);
      JsonArray *faces = json_object_get_array_member (f, "faces");
      gint64 ms = json_object_get_int_member (f, "pts_ms");

      for (guint j = 0; j < json_array_get_length (faces); j++)
        {
          JsonObject *o = json_array_get_object_element (faces, j);
          const char *id = json_object_get_string_member (o, "id");
          SampleAppearance *a = sample_truth_find (truth, id);

          if (a == NULL)
            {
              g_auto (GStrv) parts = g_strsplit (id, "#", 2);

              a = g_new0 (SampleAppearance, 1);
              a->id = g_strdup (id);
              a->person = g_strdup (parts[0]);
              a->first_ms = ms;
              g_ptr_array_add (truth->appearances, a);
            }
          a->last_ms = ms;
          if (json_object_get_double_member (o, "visible") >= 0.999 &&
              json_object_get_double_member (o, "w") >= SAMPLE_MIN_FACE_WIDTH)
            a->full_frames++;
        }
    }
  return truth;
}

G_GNUC_UNUSED static void
sample_truth_free (SampleTruth *truth)
{
  g_ptr_array_unref (truth->appearances);
  g_object_unref (truth->parser);
  g_free (truth);
}

/* Whether the scan must find this appearance. */
G_GNUC_UNUSED static gboolean
sample_appearance_counts (const SampleAppearance *a)
{
  return a->full_frames >= SAMPLE_MIN_FULL_FRAMES;
}

/* The appearance whose face is under `box` on frame `frame` (IoU >= 0.3), or NULL. */
G_GNUC_UNUSED static SampleAppearance *
sample_truth_at (SampleTruth     *truth,
                 gint64           frame,
                 const AttestBox *box)
{
  JsonArray *frames = json_object_get_array_member (truth->root, "frames");
  JsonArray *faces;
  const char *best = NULL;
  float best_iou = 0.3f;

  if (frame < 0 || frame >= json_array_get_length (frames))
    return NULL;
  faces = json_object_get_array_member (json_array_get_object_element (frames, frame), "faces");
  for (guint j = 0; j < json_array_get_length (faces); j++)
    {
      JsonObject *o = json_array_get_object_element (faces, j);
      AttestBox t = {
        json_object_get_double_member (o, "x"), json_object_get_double_member (o, "y"),
        json_object_get_double_member (o, "w"), json_object_get_double_member (o, "h"), 1,
      };
      float iou = attest_box_iou (box, &t);

      if (iou >= best_iou)
        {
          best_iou = iou;
          best = json_object_get_string_member (o, "id");
        }
    }
  return best != NULL ? sample_truth_find (truth, best) : NULL;
}

static gboolean
sample_photo_used (SampleTruth *truth,
                   const char  *person,
                   const char  *file)
{
  JsonObject *photos = json_object_get_object_member (truth->root, "photos");
  JsonArray *used = json_object_has_member (photos, person)
                    ? json_object_get_array_member (photos, person) : NULL;

  for (guint i = 0; used != NULL && i < json_array_get_length (used); i++)
    if (g_strcmp0 (json_array_get_string_element (used, i), file) == 0)
      return TRUE;
  return FALSE;
}

/* Makes dir/<person>/ holding (symbolic links to) every johns photo of that person the video
 * does not show, for every person but `leave_out` (may be NULL). Returns how many photos. */
G_GNUC_UNUSED static guint
sample_gallery_folder (SampleTruth *truth,
                       const char  *dir,
                       const char  *leave_out)
{
  g_autofree char *johns = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) people = g_dir_open (johns, 0, &error);
  const char *person;
  guint n = 0;

  g_assert_no_error (error);
  while ((person = g_dir_read_name (people)) != NULL)
    {
      g_autofree char *folder = g_build_filename (johns, person, NULL);
      g_autofree char *to = g_build_filename (dir, person, NULL);
      g_autoptr (GDir) photos = NULL;
      const char *file;

      if (g_strcmp0 (person, leave_out) == 0)
        continue;
      photos = g_dir_open (folder, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpint (g_mkdir_with_parents (to, 0700), ==, 0);
      while ((file = g_dir_read_name (photos)) != NULL)
        {
          g_autofree char *from = g_build_filename (folder, file, NULL);
          g_autofree char *link = g_build_filename (to, file, NULL);

          if (!g_str_has_suffix (file, ".jpg") || sample_photo_used (truth, person, file))
            continue;
          g_assert_cmpint (symlink (from, link), ==, 0);
          n++;
        }
    }
  return n;
}

/* Enrols, through `importer`, every johns photo of every person that the video does not show
 * (the same photos as sample_gallery_folder), file by file, the person's folder name as the
 * name. Returns how many faces were enrolled; `skipped` (may be NULL) gets how many photos
 * were not. */
G_GNUC_UNUSED static guint
sample_gallery_import (SampleTruth    *truth,
                       AttestImporter *importer,
                       guint          *skipped)
{
  g_autofree char *johns = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (GDir) people = g_dir_open (johns, 0, &error);
  const char *person;
  guint enrolled = 0, not_enrolled = 0;

  g_assert_no_error (error);
  while ((person = g_dir_read_name (people)) != NULL)
    {
      g_autofree char *folder = g_build_filename (johns, person, NULL);
      g_autoptr (GDir) photos = g_dir_open (folder, 0, &error);
      const char *file;

      g_assert_no_error (error);
      while ((file = g_dir_read_name (photos)) != NULL)
        {
          g_autofree char *path = g_build_filename (folder, file, NULL);
          AttestImportResult result = { 0 };

          if (!g_str_has_suffix (file, ".jpg") || sample_photo_used (truth, person, file))
            continue;
          g_assert_true (attest_importer_import_file (importer, path, person, &result, &error));
          g_assert_no_error (error);
          if (result.status == ATTEST_IMPORT_ENROLLED)
            enrolled++;
          else
            not_enrolled++;
          attest_import_result_clear (&result);
        }
    }
  if (skipped != NULL)
    *skipped = not_enrolled;
  return enrolled;
}

/* identity id (gint64*) -> name (char*) of every identity in the store, as the window's
 * attest_window_set_matcher() takes them. */
G_GNUC_UNUSED static GHashTable *
sample_identity_names (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) identities = attest_store_list_identities (store, NULL, &error);
  GHashTable *names = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);

  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (identities)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (identities), i);
      gint64 id = attest_identity_get_id (identity);

      g_hash_table_insert (names, g_memdup2 (&id, sizeof id),
                           g_strdup (attest_identity_get_name (identity)));
    }
  return names;
}

G_GNUC_UNUSED static void
sample_rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          sample_rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}
