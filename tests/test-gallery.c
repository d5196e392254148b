/* test-gallery.c: identities and enrolled faces on real database files in a temporary folder.
 *
 * Embeddings are real where it matters (faces found and embedded by the vision module in
 * Debian's dlib example photos) and otherwise deterministic random unit vectors. Every test
 * ends by checking the audit chain: intact, with exactly the expected actions in order. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "store/attest-gallery.h"
#include "store/attest-store-private.h"
#include "vision/attest-vision.h"

#define ACTOR "Reviewer Rita"
#define MODEL "test-model@1"

G_STATIC_ASSERT (ATTEST_GALLERY_EMBEDDING_DIM == ATTEST_EMBEDDING_DIM);

/* ---- helpers ---- */

typedef struct
{
  char        *dir;
  char        *path;
  AttestStore *store;
} Fixture;

static void
rm_rf (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          rm_rf (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;

  f->dir = g_dir_make_tmp ("attest-gallery-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "gallery.db", NULL);
  f->store = attest_store_open (f->path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (f->store);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  gpointer alive = f->store;

  /* An _async call's worker hands its store reference back through the main context, a
   * moment after the callback ran: the store must be finalized once those have arrived. */
  g_object_add_weak_pointer (G_OBJECT (f->store), &alive);
  g_clear_object (&f->store);
  while (alive != NULL)
    g_main_context_iteration (NULL, TRUE);
  rm_rf (f->dir);
  g_free (f->path);
  g_free (f->dir);
}

/* A deterministic random unit vector. */
static float *
unit_vector (guint32 seed)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (seed);
  float *v = g_new (float, ATTEST_GALLERY_EMBEDDING_DIM);
  double sum = 0.0;

  for (guint i = 0; i < ATTEST_GALLERY_EMBEDDING_DIM; i++)
    {
      v[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
      sum += (double) v[i] * v[i];
    }
  for (guint i = 0; i < ATTEST_GALLERY_EMBEDDING_DIM; i++)
    v[i] = (float) (v[i] / sqrt (sum));
  return v;
}

/* A small real PNG of one colour. */
static GBytes *
make_png (guint32 rgba)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, 16, 16);
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize size = 0;

  gdk_pixbuf_fill (pixbuf, rgba);
  gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &size, "png", &error, NULL);
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, size);
}

static char *
fake_sha256 (const char *seed)
{
  return g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
}

/* Enrols a synthetic face by name (creating the person when new); returns the face id. */
static gint64
enrol_synthetic (AttestStore *store,
                 const char  *name,
                 guint32      seed)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *embedding = unit_vector (seed);
  g_autoptr (GBytes) png = make_png (0x10203000u + seed);
  g_autofree char *seed_text = g_strdup_printf ("frame-%u", seed);
  g_autofree char *source_sha = fake_sha256 (seed_text);
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  gboolean duplicate = TRUE;
  gint64 face_id = -1;

  e.identity_name = name;
  e.basis = "Named in the broadcast caption";
  e.actor = ACTOR;
  e.embedding = embedding;
  e.model_id = MODEL;
  e.thumbnail_png = png;
  e.source_uri = "file:///videos/news.mp4";
  e.source_sha256 = source_sha;
  e.source_ms = 1000 * seed;
  e.has_box = TRUE;
  e.box_x = 10;
  e.box_y = 20;
  e.box_w = 40;
  e.box_h = 48;

  g_assert_true (attest_store_enrol_face (store, &e, &face_id, &duplicate, &error));
  g_assert_no_error (error);
  g_assert_false (duplicate);
  g_assert_cmpint (face_id, >, 0);
  return face_id;
}

static void
exec_sql (AttestStore *store,
          const char  *sql)
{
  sqlite3 *db = _attest_store_lock (store);
  char *message = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &message);

  _attest_store_unlock (store);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, message);
}

static gint64
query_int (AttestStore *store,
           const char  *sql)
{
  sqlite3 *db = _attest_store_lock (store);
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  _attest_store_unlock (store);
  return value;
}

static gint64
identity_id_of (AttestStore *store,
                const char  *name)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) list = attest_store_list_identities (store, NULL, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (g_strcmp0 (attest_identity_get_name (identity), name) == 0)
        return attest_identity_get_id (identity);
    }
  g_error ("no identity named %s", name);
  return -1;
}

/* Inserts a confirmed match the way the review queue will: a later confirmation. */
static void
insert_match (AttestStore *store,
              gint64       identity_id,
              gint64       face_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *sha = fake_sha256 ("probe video");
  g_autofree char *sql = NULL;
  gint64 source_id = attest_store_ensure_source (store, "file:///videos/probe.mp4", sha, &error);

  g_assert_no_error (error);
  sql = g_strdup_printf ("INSERT INTO matches (identity_id, face_id, source_id, source_ms,"
                         " box_x, box_y, box_w, box_h, score, threshold, model_id, reviewer,"
                         " decided_at, rationale)"
                         " VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %"
                         G_GINT64_FORMAT ", 5000, 1, 2, 30, 30, 0.71, 0.45, '" MODEL "',"
                         " '" ACTOR "', 1, 'same scar')",
                         identity_id, face_id, source_id);
  exec_sql (store, sql);
}

static gint64
count_identities (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  gint64 n = attest_store_count_identities (store, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
count_faces (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  gint64 n = attest_store_count_faces (store, &error);

  g_assert_no_error (error);
  return n;
}

/* The audit chain verifies and holds exactly these actions, in this order. */
static GPtrArray *
assert_audit (AttestStore        *store,
              const char * const *actions)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint64 n = 0;
  gint64 bad = 0;

  g_assert_true (attest_store_verify_audit (store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpint (bad, ==, -1);
  g_assert_cmpuint (n, ==, g_strv_length ((char **) actions));

  entries = attest_store_list_audit (store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n);
  for (guint i = 0; i < entries->len; i++)
    {
      AttestAuditEntry *entry = entries->pdata[i];

      g_assert_cmpstr (entry->action, ==, actions[i]);
      g_assert_cmpstr (entry->actor, ==, ACTOR);
    }
  return g_steal_pointer (&entries);
}

static void
assert_subject (const AttestAuditEntry *entry,
                const char             *kind,
                gint64                  id)
{
  g_autofree char *expected = g_strdup_printf ("%s:%" G_GINT64_FORMAT, kind, id);

  g_assert_cmpstr (entry->subject, ==, expected);
}

static AttestAuditEntry *
last_audit (GPtrArray *entries)
{
  g_assert_cmpuint (entries->len, >, 0);
  return entries->pdata[entries->len - 1];
}

static JsonObject *
parse_details (const AttestAuditEntry *entry,
               JsonParser             *parser)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (entry->details);
  json_parser_load_from_data (parser, entry->details, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

/* ---- real faces ---- */

static AttestVision *shared_vision;

static AttestVision *
vision (void)
{
  if (shared_vision == NULL)
    {
      g_autoptr (GError) error = NULL;

      shared_vision = attest_vision_new (g_getenv ("ATTEST_MODELS_DIR"), &error);
      g_assert_no_error (error);
    }
  return shared_vision;
}

typedef struct
{
  char    *path;
  char    *uri;
  char    *sha256;
  float    embedding[ATTEST_EMBEDDING_DIM];
  AttestBox box;     /* in the photo's pixels */
  GBytes  *thumbnail;
} RealFace;

static void
real_face_free (RealFace *face)
{
  g_free (face->path);
  g_free (face->uri);
  g_free (face->sha256);
  g_clear_pointer (&face->thumbnail, g_bytes_unref);
  g_free (face);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RealFace, real_face_free)

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* The johns photos are tight 150x150 crops; the detector needs context around a face, so the
 * photo is padded by half its size with its edge pixels (as tests/test-vision.c does). */
static RealFace *
real_face (const char *person,
           guint       nth)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestImage) image = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *dir = g_build_filename (g_getenv ("ATTEST_DLIB_EXAMPLES"), "johns", person,
                                           NULL);
  g_autofree guint8 *padded = NULL;
  const AttestImageView *src;
  AttestImageView view;
  AttestBox boxes[4];
  RealFace *face;
  GDir *listing;
  const char *name;
  int pad;
  int n;

  listing = g_dir_open (dir, 0, &error);
  g_assert_no_error (error);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_suffix (name, ".jpg"))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (listing);
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, >, nth);

  face = g_new0 (RealFace, 1);
  face->path = g_build_filename (dir, names->pdata[nth], NULL);
  face->uri = g_filename_to_uri (face->path, NULL, NULL);
  {
    g_autoptr (GFile) file = g_file_new_for_path (face->path);
    face->sha256 = attest_file_sha256 (file, NULL, &error);
    g_assert_no_error (error);
  }

  image = attest_image_load (face->path, &error);
  g_assert_no_error (error);
  src = attest_image_get_view (image);
  g_assert_cmpint (src->format, ==, ATTEST_PIXELS_BGR);

  pad = src->width / 2;
  view.width = src->width + 2 * pad;
  view.height = src->height + 2 * pad;
  view.stride = view.width * 3;
  view.format = ATTEST_PIXELS_BGR;
  padded = g_malloc ((gsize) view.stride * view.height);
  for (int y = 0; y < view.height; y++)
    for (int x = 0; x < view.width; x++)
      memcpy (padded + y * view.stride + x * 3,
              src->data + CLAMP (y - pad, 0, src->height - 1) * src->stride
                        + CLAMP (x - pad, 0, src->width - 1) * 3,
              3);
  view.data = padded;

  n = attest_vision_detect (vision (), &view, boxes, G_N_ELEMENTS (boxes));
  g_assert_cmpint (n, >=, 1);

  g_assert_true (attest_vision_embed (vision (), &view, &boxes[0], face->embedding, &error));
  g_assert_no_error (error);
  face->thumbnail = attest_image_crop_png (&view, &boxes[0], 96, &error);
  g_assert_no_error (error);

  face->box = boxes[0];
  face->box.x -= pad;
  face->box.y -= pad;
  return face;
}

static AttestEnrolment
real_enrolment (const RealFace *face,
                const char     *name)
{
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;

  e.identity_name = name;
  e.basis = "Folder named after the person";
  e.actor = ACTOR;
  e.embedding = face->embedding;
  e.model_id = attest_vision_get_model_id (vision ());
  e.thumbnail_png = face->thumbnail;
  e.source_uri = face->uri;
  e.source_sha256 = face->sha256;
  e.has_box = TRUE;
  e.box_x = face->box.x;
  e.box_y = face->box.y;
  e.box_w = face->box.w;
  e.box_h = face->box.h;
  e.file_sha256 = face->sha256;
  e.via_import = TRUE;
  return e;
}

typedef struct
{
  GArray *face_ids;
  GArray *identity_ids;
  GArray *vectors;  /* floats, ATTEST_GALLERY_EMBEDDING_DIM per face */
} Collected;

static void
collect_embedding (gint64       face_id,
                   gint64       identity_id,
                   const float *embedding,
                   gpointer     user_data)
{
  Collected *c = user_data;

  g_array_append_val (c->face_ids, face_id);
  g_array_append_val (c->identity_ids, identity_id);
  g_array_append_vals (c->vectors, embedding, ATTEST_GALLERY_EMBEDDING_DIM);
}

static void
collected_init (Collected *c)
{
  c->face_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->identity_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  c->vectors = g_array_new (FALSE, FALSE, sizeof (float));
}

static void
collected_clear (Collected *c)
{
  g_array_unref (c->face_ids);
  g_array_unref (c->identity_ids);
  g_array_unref (c->vectors);
}

/* Import of real photos: person, face, source and audit entry per photo; the stored embedding
 * is the one computed; re-importing a file is a no-op; foreach streams exactly these. */
static void
test_enrol_real (Fixture       *f,
                 gconstpointer  data)
{
  static const char *people[] = { "John_Salley", "John_Simm" };
  static const char *const actions[] = { "import", "import", "import", "import", NULL };
  g_autoptr (GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) real_face_free);
  g_autoptr (GArray) face_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  Collected collected;
  gint64 n;

  for (guint p = 0; p < G_N_ELEMENTS (people); p++)
    for (guint i = 0; i < 2; i++)
      {
        RealFace *face = real_face (people[p], i);
        AttestEnrolment e = real_enrolment (face, people[p]);
        gboolean duplicate = TRUE;
        gint64 face_id = -1;

        g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, &duplicate, &error));
        g_assert_no_error (error);
        g_assert_false (duplicate);
        g_ptr_array_add (faces, face);
        g_array_append_val (face_ids, face_id);
      }

  g_assert_cmpint (count_identities (f->store), ==, 2);
  g_assert_cmpint (count_faces (f->store), ==, 4);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM sources"), ==, 4);

  /* What a person sees: each face back with its picture, box, provenance and basis. */
  for (guint i = 0; i < faces->len; i++)
    {
      RealFace *face = faces->pdata[i];
      g_autoptr (AttestFace) stored = NULL;
      g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
      GBytes *thumb;
      const float *vector;
      guint n_floats = 0;
      double x, y, w, h;

      stored = attest_store_get_face (f->store, g_array_index (face_ids, gint64, i), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (attest_face_get_identity_name (stored), ==, people[i / 2]);
      g_assert_cmpstr (attest_face_get_source_uri (stored), ==, face->uri);
      g_assert_cmpstr (attest_face_get_source_sha256 (stored), ==, face->sha256);
      g_assert_cmpstr (attest_face_get_file_sha256 (stored), ==, face->sha256);
      g_assert_cmpint (attest_face_get_source_ms (stored), ==, -1);
      g_assert_cmpstr (attest_face_get_model_id (stored), ==,
                       attest_vision_get_model_id (vision ()));
      g_assert_cmpstr (attest_face_get_enrolled_by (stored), ==, ACTOR);
      g_assert_cmpstr (attest_face_get_basis (stored), ==, "Folder named after the person");
      g_assert_true (attest_face_get_box (stored, &x, &y, &w, &h));
      g_assert_cmpfloat (x, ==, face->box.x);
      g_assert_cmpfloat (h, ==, face->box.h);

      vector = attest_face_get_embedding (stored, &n_floats);
      g_assert_cmpuint (n_floats, ==, ATTEST_EMBEDDING_DIM);
      g_assert_cmpmem (vector, n_floats * sizeof (float),
                       face->embedding, sizeof face->embedding);

      thumb = attest_face_get_thumbnail (stored);
      g_assert_nonnull (thumb);
      g_assert_true (g_bytes_equal (thumb, face->thumbnail));
      gdk_pixbuf_loader_write_bytes (loader, thumb, &error);
      g_assert_no_error (error);
      gdk_pixbuf_loader_close (loader, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (gdk_pixbuf_loader_get_pixbuf (loader)), ==, 96);
    }

  /* Two photos of one person agree; the two people do not (the honest-candidates premise). */
  {
    RealFace *a1 = faces->pdata[0], *a2 = faces->pdata[1], *b1 = faces->pdata[2];

    g_assert_cmpfloat (attest_embedding_cosine (a1->embedding, a2->embedding), >, 0.45);
    g_assert_cmpfloat (attest_embedding_cosine (a1->embedding, b1->embedding), <, 0.45);
  }

  /* The audit: one "import" per photo, naming the face, the person, the box and the basis. */
  entries = assert_audit (f->store, actions);
  for (guint i = 0; i < entries->len; i++)
    {
      AttestAuditEntry *entry = entries->pdata[i];
      RealFace *face = faces->pdata[i];
      g_autofree char *subject = g_strdup_printf ("face:%" G_GINT64_FORMAT,
                                                  g_array_index (face_ids, gint64, i));
      JsonObject *details = parse_details (entry, parser);

      g_assert_cmpstr (entry->subject, ==, subject);
      g_assert_cmpstr (entry->source_sha256, ==, face->sha256);
      g_assert_cmpint (entry->source_ms, ==, -1);
      g_assert_cmpstr (entry->model_id, ==, attest_vision_get_model_id (vision ()));
      g_assert_cmpstr (json_object_get_string_member (details, "identity_name"), ==,
                       people[i / 2]);
      g_assert_cmpstr (json_object_get_string_member (details, "basis"), ==,
                       "Folder named after the person");
      g_assert_cmpfloat (json_object_get_double_member (
                           json_object_get_object_member (details, "box"), "w"),
                         ==, face->box.w);
      g_assert_true (json_object_get_boolean_member (details, "identity_created") == (i % 2 == 0));
    }

  /* Importing the same file again for the same person: the existing face, nothing written. */
  {
    RealFace *face = faces->pdata[1];
    AttestEnrolment e = real_enrolment (face, people[0]);
    gboolean duplicate = FALSE;
    gint64 face_id = -1;

    g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, &duplicate, &error));
    g_assert_no_error (error);
    g_assert_true (duplicate);
    g_assert_cmpint (face_id, ==, g_array_index (face_ids, gint64, 1));
    g_assert_cmpint (attest_store_find_face_by_file (f->store, identity_id_of (f->store, people[0]),
                                                     face->sha256, &error),
                     ==, face_id);
    g_assert_no_error (error);
    g_assert_cmpint (attest_store_find_face_by_file (f->store, identity_id_of (f->store, people[1]),
                                                     face->sha256, &error),
                     ==, -1);
    g_assert_no_error (error);
    g_assert_cmpint (count_faces (f->store), ==, 4);
    g_clear_pointer (&entries, g_ptr_array_unref);
    entries = assert_audit (f->store, actions);
  }

  /* foreach_embedding streams exactly the enrolled vectors, with their people. */
  collected_init (&collected);
  n = attest_store_foreach_embedding (f->store, attest_vision_get_model_id (vision ()),
                                      collect_embedding, &collected, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 4);
  g_assert_cmpuint (collected.face_ids->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      RealFace *face = faces->pdata[i];

      g_assert_cmpint (g_array_index (collected.face_ids, gint64, i), ==,
                       g_array_index (face_ids, gint64, i));
      g_assert_cmpint (g_array_index (collected.identity_ids, gint64, i), ==,
                       identity_id_of (f->store, people[i / 2]));
      g_assert_cmpmem (&g_array_index (collected.vectors, float, i * ATTEST_EMBEDDING_DIM),
                       sizeof face->embedding, face->embedding, sizeof face->embedding);
    }
  collected_clear (&collected);

  /* Another model's faces are not mixed in. */
  collected_init (&collected);
  n = attest_store_foreach_embedding (f->store, "another-model", collect_embedding, &collected,
                                      &error);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  g_assert_cmpuint (collected.face_ids->len, ==, 0);
  collected_clear (&collected);
}

/* ---- enrolment refusals and atomicity ---- */

typedef struct
{
  gint64 identities;
  gint64 faces;
  gint64 sources;
  gint64 audit;
} Counts;

static Counts
counts (AttestStore *store)
{
  Counts c = {
    count_identities (store),
    count_faces (store),
    query_int (store, "SELECT count (*) FROM sources"),
    query_int (store, "SELECT count (*) FROM audit"),
  };
  return c;
}

static void
assert_counts_equal (Counts a,
                     Counts b)
{
  g_assert_cmpint (a.identities, ==, b.identities);
  g_assert_cmpint (a.faces, ==, b.faces);
  g_assert_cmpint (a.sources, ==, b.sources);
  g_assert_cmpint (a.audit, ==, b.audit);
}

static void
assert_refused (AttestStore           *store,
                const AttestEnrolment *e,
                int                    code,
                const char            *message_part)
{
  g_autoptr (GError) error = NULL;
  Counts before = counts (store);
  gint64 face_id = 123;
  gboolean duplicate = TRUE;

  g_assert_false (attest_store_enrol_face (store, e, &face_id, &duplicate, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, code);
  if (strstr (error->message, message_part) == NULL)
    g_error ("“%s” does not say “%s”", error->message, message_part);
  g_assert_cmpint (face_id, ==, -1);
  g_assert_false (duplicate);
  assert_counts_equal (before, counts (store));
}

static void
test_enrol_refused (Fixture       *f,
                    gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "enrol", "enrol", NULL };
  g_autoptr (GError) error = NULL;
  g_autofree float *embedding = unit_vector (7);
  g_autofree float *unnormalised = unit_vector (8);
  g_autoptr (GBytes) not_png = g_bytes_new_static ("GIF89a not a png", 16);
  g_autoptr (GPtrArray) entries = NULL;
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  gint64 ann;
  gint64 face_id;
  gboolean duplicate;

  enrol_synthetic (f->store, "Ann", 1);
  enrol_synthetic (f->store, "Émile", 2);
  ann = identity_id_of (f->store, "Ann");

  e.identity_name = "ann";
  e.create_identity = TRUE;
  e.basis = "Caption";
  e.actor = ACTOR;
  e.embedding = embedding;
  e.model_id = MODEL;

  /* A new person whose name is taken, ignoring case: refused, naming the existing one. */
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_EXISTS,
                  "An identity named “Ann” already exists");
  /* Beyond ASCII too (SQLite's NOCASE alone would let "ÉMILE" in). */
  e.identity_name = "  ÉMILE ";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_EXISTS,
                  "An identity named “Émile” already exists");

  /* No basis, no reviewer, no name: refused before anything is written. */
  e.identity_name = "Zoe";
  e.basis = NULL;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "basis");
  e.basis = "   ";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "basis");
  e.basis = "Caption";
  e.actor = "";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "reviewer");
  e.actor = ACTOR;
  e.identity_name = " ";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "name");
  e.identity_name = "Zoe";

  /* Bad data. */
  unnormalised[0] += 0.5f;
  e.embedding = unnormalised;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "not normalised");
  unnormalised[0] = NAN;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "not numbers");
  e.embedding = embedding;
  e.thumbnail_png = not_png;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "PNG");
  e.thumbnail_png = NULL;
  e.source_sha256 = "abc";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "“abc”");
  e.source_sha256 = NULL;
  e.has_box = TRUE;
  e.box_w = 0;
  e.box_h = 10;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "box");
  e.has_box = FALSE;
  e.identity_id = 9999;
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_NOT_FOUND, "no longer in the gallery");
  e.identity_id = -1;

  /* A failure at the very last step (the audit write, forced by a trigger) after the person,
   * source and face rows were written: all of it is rolled back. */
  exec_sql (f->store, "CREATE TRIGGER test_audit_fails BEFORE INSERT ON audit"
                      " BEGIN SELECT RAISE (ABORT, 'the disk is full (test)'); END;");
  e.source_sha256 = "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789";
  {
    Counts before = counts (f->store);

    face_id = 5;
    g_assert_false (attest_store_enrol_face (f->store, &e, &face_id, NULL, &error));
    g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "the disk is full (test)"));
    g_clear_error (&error);
    g_assert_cmpint (face_id, ==, -1);
    assert_counts_equal (before, counts (f->store));
    g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM identities WHERE name = 'Zoe'"),
                     ==, 0);
  }
  exec_sql (f->store, "DROP TRIGGER test_audit_fails");

  /* The same enrolment now goes through, as one new person, face, source and entry. */
  {
    Counts before = counts (f->store);
    Counts after;

    g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, &duplicate, &error));
    g_assert_no_error (error);
    g_assert_false (duplicate);
    after = counts (f->store);
    g_assert_cmpint (after.identities, ==, before.identities + 1);
    g_assert_cmpint (after.faces, ==, before.faces + 1);
    g_assert_cmpint (after.sources, ==, before.sources + 1);
    g_assert_cmpint (after.audit, ==, before.audit + 1);
  }

  /* An existing name with create_identity FALSE adds to that person. */
  e.identity_name = "ANN";
  e.create_identity = FALSE;
  e.source_sha256 = NULL;
  g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, &duplicate, &error));
  g_assert_no_error (error);
  {
    g_autoptr (AttestFace) face = attest_store_get_face (f->store, face_id, &error);

    g_assert_no_error (error);
    g_assert_cmpint (attest_face_get_identity_id (face), ==, ann);
    g_assert_cmpstr (attest_face_get_identity_name (face), ==, "Ann");
    g_assert_false (attest_face_get_box (face, NULL, NULL, NULL, NULL));
    g_assert_null (attest_face_get_thumbnail (face));
  }
  g_assert_cmpint (count_identities (f->store), ==, 3);

  entries = assert_audit (f->store, actions);
  g_assert_cmpstr (last_audit (entries)->rationale, ==, "Caption");
}

/* Names: stored NFC; invisible formatting characters refused; names that only look alike
 * are allowed, and found for a warning. */
static void
test_names (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree float *embedding = unit_vector (7);
  g_autofree char *like = NULL;
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  gint64 face_id, salley;
  gboolean duplicate;

  enrol_synthetic (f->store, "John Salley", 1);
  salley = identity_id_of (f->store, "John Salley");
  e.create_identity = TRUE;
  e.basis = "Caption";
  e.actor = ACTOR;
  e.embedding = embedding;
  e.model_id = MODEL;

  /* A zero-width space, a right-to-left override, a byte order mark: refused, saying so. */
  e.identity_name = "John\u200B Salley";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "U+200B");
  e.identity_name = "\u202EyellaS nhoJ";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "U+202E");
  e.identity_name = "\uFEFFJohn";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "invisible");
  /* In a reviewer's name too: the audit log names who decided. */
  e.identity_name = "Zoe";
  e.actor = "Dana\u202E Demo";
  assert_refused (f->store, &e, ATTEST_GALLERY_ERROR_INVALID, "U+202E");
  e.actor = ACTOR;
  g_assert_false (attest_store_rename_identity (f->store, salley, "John\u200DSalley", ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);

  /* Decomposed input (E + combining acute) is stored composed: one "Émile" whatever the
   * keyboard sent. */
  e.identity_name = "E\u0301mile";
  g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, &duplicate, &error));
  g_assert_no_error (error);
  g_assert_cmpint (identity_id_of (f->store, "\u00C9mile"), >, 0);

  /* Look-alikes are a different name (allowed), but found for a warning. */
  like = attest_store_find_name_like (f->store, "John_Salley", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (like, ==, "John Salley");
  g_clear_pointer (&like, g_free);
  /* Cyrillic о and а drawn like the Latin ones. */
  like = attest_store_find_name_like (f->store, "J\u043Ehn S\u0430lley", -1, &error);
  g_assert_cmpstr (like, ==, "John Salley");
  g_clear_pointer (&like, g_free);
  like = attest_store_find_name_like (f->store, "john  salley.", -1, &error);
  g_assert_cmpstr (like, ==, "John Salley");
  g_clear_pointer (&like, g_free);
  /* The same name is the same person (not "like"), another name is nobody, and a person is
   * not like themself. */
  g_assert_null (attest_store_find_name_like (f->store, "JOHN SALLEY", -1, &error));
  g_assert_null (attest_store_find_name_like (f->store, "John Savage", -1, &error));
  g_assert_null (attest_store_find_name_like (f->store, "John_Salley", salley, &error));
  g_assert_no_error (error);
}

/* ---- listing and searching ---- */

static char *
names_of (GListStore *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (list)); i++)
    {
      g_autoptr (AttestIdentity) identity = g_list_model_get_item (G_LIST_MODEL (list), i);

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, attest_identity_get_name (identity));
    }
  return g_string_free (out, FALSE);
}

/* The names a search shows, in order, as "A, B, C". */
static void
assert_search (AttestStore *store,
               const char  *text,
               const char  *expected)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) list = attest_store_list_identities (store, text, &error);
  g_autofree char *names = NULL;

  g_assert_no_error (error);
  names = names_of (list);
  g_assert_cmpstr (names, ==, expected);
}

static void
test_list_search (Fixture       *f,
                  gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "enrol", "enrol", "enrol",
                                         "enrol", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GListStore) list = NULL;
  g_autoptr (AttestIdentity) ann = NULL;
  g_autoptr (AttestFace) first = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  gint64 first_face;
  gint64 before;
  gint64 after;

  before = g_get_real_time ();
  first_face = enrol_synthetic (f->store, "Zed", 1);
  enrol_synthetic (f->store, "bob  Jones", 2);   /* inner spaces collapse */
  enrol_synthetic (f->store, "Ann Smith", 3);
  enrol_synthetic (f->store, "Joanna Ray", 4);
  enrol_synthetic (f->store, "ann smith", 5);    /* same person as "Ann Smith" */
  enrol_synthetic (f->store, "Łucja", 6);
  after = g_get_real_time ();

  g_assert_cmpint (count_identities (f->store), ==, 5);

  /* Sorted by name ignoring case, whatever the order they came in. */
  assert_search (f->store, NULL, "Ann Smith, bob Jones, Joanna Ray, Zed, Łucja");
  assert_search (f->store, "  ", "Ann Smith, bob Jones, Joanna Ray, Zed, Łucja");

  /* Substring, ignoring case, beyond ASCII too. */
  assert_search (f->store, "ANN", "Ann Smith, Joanna Ray");
  assert_search (f->store, " jones ", "bob Jones");
  assert_search (f->store, "łUC", "Łucja");
  assert_search (f->store, "nobody", "");

  list = attest_store_list_identities (f->store, "ann smith", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
  ann = g_list_model_get_item (G_LIST_MODEL (list), 0);
  g_assert_cmpuint (attest_identity_get_n_faces (ann), ==, 2);
  g_assert_cmpuint (attest_identity_get_n_matches (ann), ==, 0);
  g_assert_cmpstr (attest_identity_get_created_by (ann), ==, ACTOR);
  g_assert_cmpint (attest_identity_get_created_at (ann), >=, before);
  g_assert_cmpint (attest_identity_get_created_at (ann), <=, after);
  g_assert_null (attest_identity_get_notes (ann));

  /* The cover is the person's first face's thumbnail. */
  {
    g_autoptr (GListStore) faces = attest_store_list_faces (f->store, attest_identity_get_id (ann),
                                                            &error);
    g_autoptr (AttestFace) face0 = NULL;

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (faces)), ==, 2);
    face0 = g_list_model_get_item (G_LIST_MODEL (faces), 0);
    g_assert_true (g_bytes_equal (attest_identity_get_cover (ann),
                                  attest_face_get_thumbnail (face0)));
    g_assert_cmpint (attest_face_get_source_ms (face0), ==, 3000);
  }

  first = attest_store_get_face (f->store, first_face, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attest_face_get_identity_name (first), ==, "Zed");

  /* Missing things are named as missing. */
  g_assert_null (attest_store_get_face (f->store, 4242, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (attest_store_list_faces (f->store, 4242, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (attest_store_get_identity (f->store, 4242, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  entries = assert_audit (f->store, actions);
}

/* ---- rename ---- */

static void
test_rename (Fixture       *f,
             gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "rename", "rename", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AttestIdentity) renamed = NULL;
  JsonObject *details;
  gint64 ann;

  enrol_synthetic (f->store, "Ann", 1);
  enrol_synthetic (f->store, "Bob", 2);
  ann = identity_id_of (f->store, "Ann");

  g_assert_true (attest_store_rename_identity (f->store, ann, "Ann Jones", ACTOR, &error));
  g_assert_no_error (error);
  renamed = attest_store_get_identity (f->store, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attest_identity_get_name (renamed), ==, "Ann Jones");

  /* Taken (ignoring case): refused with both names, nothing changed. */
  g_assert_false (attest_store_rename_identity (f->store, ann, "BOB", ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==,
                   "Could not rename “Ann Jones” to “BOB”: an identity with that name already "
                   "exists");
  g_clear_error (&error);

  /* Empty names, a missing reviewer, a missing person. */
  g_assert_false (attest_store_rename_identity (f->store, ann, " \t", ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (attest_store_rename_identity (f->store, ann, "X", NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (attest_store_rename_identity (f->store, 4242, "X", ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The same name: nothing to record. A change of case only: a real rename. */
  g_assert_true (attest_store_rename_identity (f->store, ann, "Ann Jones", ACTOR, &error));
  g_assert_no_error (error);
  g_assert_true (attest_store_rename_identity (f->store, ann, "ann jones", ACTOR, &error));
  g_assert_no_error (error);

  assert_search (f->store, NULL, "ann jones, Bob");

  entries = assert_audit (f->store, actions);
  details = parse_details (entries->pdata[2], parser);
  assert_subject (((AttestAuditEntry *) entries->pdata[2]), "identity", ann);
  g_assert_cmpstr (json_object_get_string_member (details, "from"), ==, "Ann");
  g_assert_cmpstr (json_object_get_string_member (details, "to"), ==, "Ann Jones");
}

/* ---- merge ---- */

static void
test_merge (Fixture       *f,
            gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "enrol", "enrol", "merge", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GListStore) faces = NULL;
  g_autoptr (AttestIdentity) merged = NULL;
  AttestAuditEntry *entry;
  JsonObject *details;
  gint64 ann, annie, bob, annie_face;
  Counts before;

  enrol_synthetic (f->store, "Ann", 1);
  annie_face = enrol_synthetic (f->store, "Annie", 2);
  enrol_synthetic (f->store, "Annie", 3);
  enrol_synthetic (f->store, "Bob", 4);
  ann = identity_id_of (f->store, "Ann");
  annie = identity_id_of (f->store, "Annie");
  bob = identity_id_of (f->store, "Bob");
  exec_sql (f->store, "UPDATE identities SET notes = 'Met at the 2019 hearing' WHERE name = 'Annie'");
  insert_match (f->store, annie, annie_face);

  /* Into itself: refused by name, nothing changed. */
  before = counts (f->store);
  g_assert_false (attest_store_merge_identities (f->store, annie, annie, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_assert_cmpstr (error->message, ==,
                   "Could not merge “Annie” into itself: choose two different people");
  g_clear_error (&error);
  g_assert_false (attest_store_merge_identities (f->store, 4242, ann, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (attest_store_merge_identities (f->store, annie, ann, "  ", NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);
  assert_counts_equal (before, counts (f->store));

  /* Annie is Ann: her faces and her confirmed match move, she goes, her notes stay. */
  g_assert_true (attest_store_merge_identities (f->store, annie, ann, ACTOR,
                                                "Same person, nickname", &error));
  g_assert_no_error (error);

  g_assert_cmpint (count_identities (f->store), ==, 2);
  g_assert_cmpint (count_faces (f->store), ==, 4);
  g_assert_null (attest_store_get_identity (f->store, annie, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  merged = attest_store_get_identity (f->store, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_identity_get_n_faces (merged), ==, 3);
  g_assert_cmpuint (attest_identity_get_n_matches (merged), ==, 1);
  g_assert_cmpstr (attest_identity_get_notes (merged), ==, "Met at the 2019 hearing");
  faces = attest_store_list_faces (f->store, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (faces)), ==, 3);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM matches WHERE identity_id = "
                                        "(SELECT id FROM identities WHERE name = 'Ann')"), ==, 1);
  assert_search (f->store, NULL, "Ann, Bob");
  g_assert_cmpint (identity_id_of (f->store, "Bob"), ==, bob);

  entries = assert_audit (f->store, actions);
  entry = last_audit (entries);
  assert_subject (entry, "identity", ann);
  g_assert_cmpstr (entry->rationale, ==, "Same person, nickname");
  details = parse_details (entry, parser);
  g_assert_cmpstr (json_object_get_string_member (details, "from_name"), ==, "Annie");
  g_assert_cmpstr (json_object_get_string_member (details, "into_name"), ==, "Ann");
  g_assert_cmpint (json_object_get_int_member (details, "faces_moved"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (details, "matches_moved"), ==, 1);
}

/* A merge undone: the person comes back as the same record with her name and notes, the
 * faces and the match the merge moved go back, a face enrolled into the other person since
 * stays there, and the undo is an audited reversal naming the merge. A second undo, and an
 * undo while the name is taken, are refused with nothing changed. */
static void
test_undo_merge (Fixture       *f,
                 gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "enrol", "merge", "enrol",
                                         "unmerge", NULL };
  static const char *const all_actions[] = { "enrol", "enrol", "enrol", "merge", "enrol",
                                             "unmerge", "merge", "enrol", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AttestIdentity) back = NULL;
  g_autoptr (AttestIdentity) ann_after = NULL;
  AttestAuditEntry *entry;
  JsonObject *details;
  gint64 ann, annie, annie_face, merge_id;
  Counts before;

  enrol_synthetic (f->store, "Ann", 1);
  annie_face = enrol_synthetic (f->store, "Annie", 2);
  enrol_synthetic (f->store, "Annie", 3);
  ann = identity_id_of (f->store, "Ann");
  annie = identity_id_of (f->store, "Annie");
  exec_sql (f->store, "UPDATE identities SET notes = 'Seen in Leeds' WHERE name = 'Ann'");
  exec_sql (f->store, "UPDATE identities SET notes = 'Met at the 2019 hearing' WHERE name = 'Annie'");
  insert_match (f->store, annie, annie_face);

  /* Nothing to undo yet. */
  g_assert_false (attest_store_undo_merge (f->store, annie, ann, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_true (attest_store_merge_identities (f->store, annie, ann, ACTOR, NULL, &error));
  g_assert_no_error (error);
  merge_id = query_int (f->store, "SELECT max (id) FROM audit");
  /* Ann gets a face of her own after the merge. */
  enrol_synthetic (f->store, "Ann", 4);

  g_assert_true (attest_store_undo_merge (f->store, annie, ann, ACTOR, "Two people after all",
                                          &error));
  g_assert_no_error (error);

  back = attest_store_get_identity (f->store, annie, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (attest_identity_get_name (back), ==, "Annie");
  g_assert_cmpstr (attest_identity_get_notes (back), ==, "Met at the 2019 hearing");
  g_assert_cmpuint (attest_identity_get_n_faces (back), ==, 2);
  g_assert_cmpuint (attest_identity_get_n_matches (back), ==, 1);
  ann_after = attest_store_get_identity (f->store, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_identity_get_n_faces (ann_after), ==, 2);
  g_assert_cmpuint (attest_identity_get_n_matches (ann_after), ==, 0);
  g_assert_cmpstr (attest_identity_get_notes (ann_after), ==, "Seen in Leeds");

  entries = assert_audit (f->store, actions);
  entry = last_audit (entries);
  assert_subject (entry, "identity", annie);
  g_assert_cmpstr (entry->rationale, ==, "Two people after all");
  details = parse_details (entry, parser);
  g_assert_cmpint (json_object_get_int_member (details, "undone_audit_id"), ==, merge_id);
  g_assert_cmpint (json_object_get_int_member (details, "faces_moved_back"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (details, "matches_moved_back"), ==, 1);

  /* Undone once only. */
  before = counts (f->store);
  g_assert_false (attest_store_undo_merge (f->store, annie, ann, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assert_counts_equal (before, counts (f->store));

  /* Merged again, and someone else takes the name "annie" meanwhile: refused, by name. */
  g_assert_true (attest_store_merge_identities (f->store, annie, ann, ACTOR, NULL, &error));
  g_assert_no_error (error);
  enrol_synthetic (f->store, "annie", 5);
  before = counts (f->store);
  g_assert_false (attest_store_undo_merge (f->store, annie, ann, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_EXISTS);
  g_assert_cmpstr (error->message, ==,
                   "Could not undo the merge: another person is called “Annie” now");
  g_clear_error (&error);
  assert_counts_equal (before, counts (f->store));
  g_clear_pointer (&entries, g_ptr_array_unref);
  entries = assert_audit (f->store, all_actions);
}

/* ---- delete ---- */

static void
test_delete (Fixture       *f,
             gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "enrol", "enrol", "delete",
                                         "delete", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AttestIdentity) ann_after = NULL;
  Collected collected;
  JsonObject *details;
  JsonArray *face_ids;
  gint64 ann, bob, ann_face1, ann_face2, bob_face1, bob_face2;
  Counts before;

  ann_face1 = enrol_synthetic (f->store, "Ann", 1);
  ann_face2 = enrol_synthetic (f->store, "Ann", 2);
  bob_face1 = enrol_synthetic (f->store, "Bob", 3);
  bob_face2 = enrol_synthetic (f->store, "Bob", 4);
  ann = identity_id_of (f->store, "Ann");
  bob = identity_id_of (f->store, "Bob");

  /* A confirmed match names Ann (made later by a reviewer against her first face). */
  insert_match (f->store, ann, ann_face1);

  /* One face: gone, the person stays, the match keeps its person. */
  g_assert_true (attest_store_delete_face (f->store, ann_face1, ACTOR, &error));
  g_assert_no_error (error);
  g_assert_null (attest_store_get_face (f->store, ann_face1, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (attest_store_delete_face (f->store, ann_face1, ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (count_faces (f->store), ==, 3);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM matches WHERE face_id IS NULL"),
                   ==, 1);

  /* Ann has a confirmed match: she cannot be deleted, and the message says why and what to
   * do instead. Nothing changes. */
  before = counts (f->store);
  g_assert_false (attest_store_delete_identity (f->store, ann, ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_IN_USE);
  g_assert_cmpstr (error->message, ==,
                   "Could not delete “Ann”: 1 confirmed match names this person, and matches "
                   "are evidence. Merge “Ann” into another person instead.");
  g_clear_error (&error);
  assert_counts_equal (before, counts (f->store));
  ann_after = attest_store_get_identity (f->store, ann, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (attest_identity_get_n_faces (ann_after), ==, 1);

  /* Bob has none: he goes with his faces. */
  g_assert_false (attest_store_delete_identity (f->store, bob, "", &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (attest_store_delete_identity (f->store, bob, ACTOR, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_identities (f->store), ==, 1);
  g_assert_cmpint (count_faces (f->store), ==, 1);
  g_assert_null (attest_store_get_face (f->store, bob_face2, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_false (attest_store_delete_identity (f->store, bob, ACTOR, &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* The index source no longer holds deleted faces. */
  collected_init (&collected);
  g_assert_cmpint (attest_store_foreach_embedding (f->store, NULL, collect_embedding, &collected,
                                                   &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (collected.face_ids, gint64, 0), ==, ann_face2);
  collected_clear (&collected);

  entries = assert_audit (f->store, actions);
  assert_subject (((AttestAuditEntry *) entries->pdata[4]), "face", ann_face1);
  g_assert_cmpstr (((AttestAuditEntry *) entries->pdata[4])->model_id, ==, MODEL);
  assert_subject (last_audit (entries), "identity", bob);
  details = parse_details (last_audit (entries), parser);
  g_assert_cmpstr (json_object_get_string_member (details, "name"), ==, "Bob");
  face_ids = json_object_get_array_member (details, "face_ids");
  g_assert_cmpuint (json_array_get_length (face_ids), ==, 2);
  g_assert_cmpint (json_array_get_int_element (face_ids, 0), ==, bob_face1);
  g_assert_cmpint (json_array_get_int_element (face_ids, 1), ==, bob_face2);

  /* Bob enrolled again is a new record: neither his id nor his faces' ids come back, so
   * "identity:N" in the audit log means one person for ever. */
  {
    gint64 again_face = enrol_synthetic (f->store, "Bob", 3);
    gint64 again = identity_id_of (f->store, "Bob");

    g_assert_cmpint (again, >, bob);
    g_assert_cmpint (again_face, >, bob_face2);
  }
}

/* ---- async ---- */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
test_async (Fixture       *f,
            gconstpointer  data)
{
  static const char *const actions[] = { "enrol", "enrol", "rename", "merge", "delete",
                                         "delete", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GCancellable) cancelled = g_cancellable_new ();
  g_autoptr (GPtrArray) entries = NULL;
  g_autofree float *embedding = unit_vector (11);
  g_autofree char *name = g_strdup ("Cleo");
  GAsyncResult *result = NULL;
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  Collected collected;
  gint64 cleo_face = -1, dora_face, cleo, dora;
  gboolean duplicate = TRUE;

  e.identity_name = name;
  e.basis = "Introduced herself on camera";
  e.actor = ACTOR;
  e.embedding = embedding;
  e.model_id = MODEL;

  /* The enrolment is copied: the caller's buffers may change right after the call. */
  attest_store_enrol_face_async (f->store, &e, NULL, store_result, &result);
  name[0] = 'X';
  embedding[0] = 42.0f;
  g_assert_true (attest_store_enrol_face_finish (f->store, wait_result (&result), &cleo_face,
                                                 &duplicate, &error));
  g_assert_no_error (error);
  g_assert_false (duplicate);
  g_clear_object (&result);
  cleo = identity_id_of (f->store, "Cleo");

  /* A refusal comes back as the same error as the plain call gives. */
  attest_store_enrol_face_async (f->store, &e, NULL, store_result, &result);
  g_assert_false (attest_store_enrol_face_finish (f->store, wait_result (&result), NULL, NULL,
                                                  &error));
  g_assert_error (error, ATTEST_GALLERY_ERROR, ATTEST_GALLERY_ERROR_INVALID);
  g_clear_error (&error);
  g_clear_object (&result);

  dora_face = enrol_synthetic (f->store, "Dora", 12);
  dora = identity_id_of (f->store, "Dora");

  attest_store_list_identities_async (f->store, "DOR", NULL, store_result, &result);
  {
    g_autoptr (GListStore) list = attest_store_list_identities_finish (f->store,
                                                                       wait_result (&result),
                                                                       &error);
    g_autofree char *names = NULL;

    g_assert_no_error (error);
    names = names_of (list);
    g_assert_cmpstr (names, ==, "Dora");
  }
  g_clear_object (&result);

  attest_store_list_faces_async (f->store, cleo, NULL, store_result, &result);
  {
    g_autoptr (GListStore) list = attest_store_list_faces_finish (f->store, wait_result (&result),
                                                                  &error);
    g_autoptr (AttestFace) face = NULL;
    g_autofree float *original = unit_vector (11);

    g_assert_no_error (error);
    g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1);
    face = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_assert_cmpint (attest_face_get_id (face), ==, cleo_face);
    g_assert_cmpmem (attest_face_get_embedding (face, NULL),
                     ATTEST_GALLERY_EMBEDDING_DIM * sizeof (float),
                     original, ATTEST_GALLERY_EMBEDDING_DIM * sizeof (float));
  }
  g_clear_object (&result);

  attest_store_rename_identity_async (f->store, cleo, "Cleopatra", ACTOR, NULL, store_result,
                                      &result);
  g_assert_true (attest_store_rename_identity_finish (f->store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  attest_store_merge_identities_async (f->store, dora, cleo, ACTOR, NULL, NULL, store_result,
                                       &result);
  g_assert_true (attest_store_merge_identities_finish (f->store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  assert_search (f->store, NULL, "Cleopatra");

  /* The index stream, and a cancelled one. */
  collected_init (&collected);
  attest_store_foreach_embedding_async (f->store, MODEL, collect_embedding, &collected, NULL,
                                        store_result, &result);
  g_assert_cmpint (attest_store_foreach_embedding_finish (f->store, wait_result (&result),
                                                          &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpint (g_array_index (collected.face_ids, gint64, 1), ==, dora_face);
  g_assert_cmpint (g_array_index (collected.identity_ids, gint64, 1), ==, cleo);
  g_clear_object (&result);
  collected_clear (&collected);

  g_cancellable_cancel (cancelled);
  collected_init (&collected);
  attest_store_foreach_embedding_async (f->store, MODEL, collect_embedding, &collected,
                                        cancelled, store_result, &result);
  g_assert_cmpint (attest_store_foreach_embedding_finish (f->store, wait_result (&result),
                                                          &error), ==, -1);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (collected.face_ids->len, ==, 0);
  g_clear_object (&result);
  collected_clear (&collected);

  attest_store_delete_face_async (f->store, dora_face, ACTOR, NULL, store_result, &result);
  g_assert_true (attest_store_delete_face_finish (f->store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  attest_store_delete_identity_async (f->store, cleo, ACTOR, NULL, store_result, &result);
  g_assert_true (attest_store_delete_identity_finish (f->store, wait_result (&result), &error));
  g_assert_no_error (error);
  g_clear_object (&result);

  g_assert_cmpint (count_identities (f->store), ==, 0);
  g_assert_cmpint (count_faces (f->store), ==, 0);
  entries = assert_audit (f->store, actions);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

  ADD ("/gallery/enrol/real-photos", test_enrol_real);
  ADD ("/gallery/enrol/refused", test_enrol_refused);
  ADD ("/gallery/names", test_names);
  ADD ("/gallery/list-search", test_list_search);
  ADD ("/gallery/rename", test_rename);
  ADD ("/gallery/merge", test_merge);
  ADD ("/gallery/undo-merge", test_undo_merge);
  ADD ("/gallery/delete", test_delete);
  ADD ("/gallery/async", test_async);

#undef ADD

  status = g_test_run ();
  g_clear_pointer (&shared_vision, attest_vision_free);
  return status;
}
