/* test-exporter.c: evidence export from a real SQLite gallery: two enrolled people with
 * thumbnails, confirmations written the way the review queue writes them (match row and its
 * audit row in one transaction), exported through the library and the real attest-cli. */
#include "config.h"

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "review/attest-exporter.h"
#include "store/attest-gallery.h"
#include "store/attest-store-private.h"

#define MODEL "test-model-v1"
#define ACTOR "Rita Reviewer"
#define ANN "Ann \"Nan\" O'Neil <b>"
#define BO "Bo, Jr. & Co"
#define RATIONALE "same scar, \"left\" cheek\nclear view"

typedef struct
{
  char        *dir;
  char        *db_path;
  char        *video_a;
  char        *video_b;
  char        *sha_a;
  char        *sha_b;
  AttestStore *store;
  gint64       match_ids[3];
} Fixture;

static GBytes *
make_png (int size,
          guint32 rgba)
{
  g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, TRUE, 8, size, size);
  g_autoptr (GError) error = NULL;
  char *buffer = NULL;
  gsize length = 0;

  gdk_pixbuf_fill (pixbuf, rgba);
  g_assert_true (gdk_pixbuf_save_to_buffer (pixbuf, &buffer, &length, "png", &error, NULL));
  g_assert_no_error (error);
  return g_bytes_new_take (buffer, length);
}

static char *
write_source (const char *dir,
              const char *name,
              const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;

  g_file_set_contents (path, contents, -1, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&path);
}

static char *
sha256_of (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;
  char *sha = attest_file_sha256 (file, NULL, &error);

  g_assert_no_error (error);
  return sha;
}

static gint64
enrol (Fixture    *f,
       const char *name,
       int         axis,
       int         thumb_size)
{
  AttestEnrolment e = ATTEST_ENROLMENT_INIT;
  g_autoptr (GBytes) png = make_png (thumb_size, 0x3080c0ff);
  g_autoptr (GError) error = NULL;
  float embedding[ATTEST_GALLERY_EMBEDDING_DIM] = { 0 };
  gint64 face_id = -1;

  embedding[axis] = 1.0f;
  e.identity_name = name;
  e.basis = "test photos";
  e.actor = ACTOR;
  e.embedding = embedding;
  e.model_id = MODEL;
  e.thumbnail_png = png;
  g_assert_true (attest_store_enrol_face (f->store, &e, &face_id, NULL, &error));
  g_assert_no_error (error);
  return face_id;
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

/* A confirmation as the review queue records it: the match row and its audit row commit
 * together. */
static gint64
confirm_match (Fixture    *f,
               gint64      face_id,
               const char *uri,
               const char *sha,
               gint64      ms,
               double      score,
               const char *rationale)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *sql = NULL;
  gint64 source_id = attest_store_ensure_source (f->store, uri, sha, &error);
  AttestAuditEntry entry = { 0 };
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 match_id, audit_id;

  g_assert_no_error (error);
  db = _attest_store_lock (f->store);
  g_assert_true (_attest_store_begin (f->store, &error));
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO matches (identity_id, face_id, source_id, source_ms,"
                                       " frame, box_x, box_y, box_w, box_h, score, threshold, model_id,"
                                       " reviewer, decided_at, rationale)"
                                       " SELECT identity_id, id, ?, ?, ?, 10.5, 20, 64, 64, ?, 0.45, '"
                                       MODEL "', '" ACTOR "', ?, ? FROM faces WHERE id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, ms);
  sqlite3_bind_int64 (stmt, 3, ms / 40);
  sqlite3_bind_double (stmt, 4, score);
  /* 2026-01-02T03:04:05.250Z plus ms. */
  sqlite3_bind_int64 (stmt, 5, G_GINT64_CONSTANT (1767323045250000) + ms * 1000);
  sqlite3_bind_text (stmt, 6, rationale, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 7, face_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  match_id = sqlite3_last_insert_rowid (db);

  subject = g_strdup_printf ("match:%" G_GINT64_FORMAT, match_id);
  entry.actor = (char *) ACTOR;
  entry.action = (char *) "confirm";
  entry.subject = subject;
  entry.source_sha256 = (char *) sha;
  entry.source_ms = ms;
  entry.score = score;
  entry.threshold = 0.45;
  entry.model_id = (char *) MODEL;
  entry.rationale = (char *) rationale;
  audit_id = _attest_store_append_audit_in_tx (f->store, &entry, &error);
  g_assert_no_error (error);
  sql = g_strdup_printf ("UPDATE matches SET audit_id = %" G_GINT64_FORMAT " WHERE id = %"
                         G_GINT64_FORMAT, audit_id, match_id);
  g_assert_true (_attest_store_exec (f->store, sql, &error));
  g_assert_true (_attest_store_commit (f->store, &error));
  g_assert_no_error (error);
  _attest_store_unlock (f->store);
  return match_id;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  gint64 ann, bo;

  f->dir = g_dir_make_tmp ("attest-export-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "gallery.db", NULL);
  f->store = attest_store_open (f->db_path, &error);
  g_assert_no_error (error);
  f->video_a = write_source (f->dir, "hall, camera 1.mp4", "video A bytes");
  f->video_b = write_source (f->dir, "door.mp4", "video B bytes");
  f->sha_a = sha256_of (f->video_a);
  f->sha_b = sha256_of (f->video_b);

  ann = enrol (f, ANN, 0, 40);
  bo = enrol (f, BO, 1, 56);
  {
    g_autofree char *uri_a = g_filename_to_uri (f->video_a, NULL, NULL);
    g_autofree char *uri_b = g_filename_to_uri (f->video_b, NULL, NULL);

    f->match_ids[0] = confirm_match (f, ann, uri_a, f->sha_a, 1200, 0.71, RATIONALE);
    f->match_ids[1] = confirm_match (f, bo, uri_a, f->sha_a, 4800, 0.62, NULL);
    f->match_ids[2] = confirm_match (f, ann, uri_b, f->sha_b, 800, 0.55, "door camera");
  }
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->video_a);
  g_free (f->video_b);
  g_free (f->sha_a);
  g_free (f->sha_b);
}

/* ---- reading the files back ---- */

static char *
read_text (const char *dir,
           const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  char *text = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* A strict RFC 4180 reader: rows of fields (GPtrArray of GStrv), CRLF line ends. */
static GPtrArray *
parse_csv (const char *text)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GStrvBuilder) row = g_strv_builder_new ();
  g_autoptr (GString) field = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (*p == '"')
        {
          for (p++; !(*p == '"' && p[1] != '"'); p++)
            {
              g_assert_true (*p != '\0');
              if (*p == '"')
                p++;
              g_string_append_c (field, *p);
            }
          p++;
        }
      else
        while (*p != ',' && *p != '\r' && *p != '\0')
          {
            g_assert_true (*p != '"' && *p != '\n');
            g_string_append_c (field, *p++);
          }
      g_strv_builder_add (row, field->str);
      g_string_truncate (field, 0);
      if (*p == ',')
        p++;
      else
        {
          g_assert_true (g_str_has_prefix (p, "\r\n"));
          p += 2;
          g_ptr_array_add (rows, g_strv_builder_end (row));
          g_clear_pointer (&row, g_strv_builder_unref);
          row = g_strv_builder_new ();
        }
    }
  return rows;
}

static const char *
csv_get (GPtrArray  *rows,
         guint       row,
         const char *column)
{
  GStrv header = g_ptr_array_index (rows, 0);
  GStrv values = g_ptr_array_index (rows, row);

  for (guint i = 0; header[i] != NULL; i++)
    if (g_str_equal (header[i], column))
      return values[i];
  g_error ("no column %s", column);
  return NULL;
}

static guint
count_occurrences (const char *haystack,
                   const char *needle)
{
  guint n = 0;

  for (const char *p = strstr (haystack, needle); p != NULL; p = strstr (p + 1, needle))
    n++;
  return n;
}

static gint64
audit_count (AttestStore *store)
{
  return query_int (store, "SELECT count (*) FROM audit");
}

static AttestAuditEntry *
last_audit_entry (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = attest_store_list_audit (store, 0, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (all->len, >, 0);
  return g_ptr_array_steal_index (all, all->len - 1);
}

static void
assert_audit_intact (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  guint64 n = 0;
  gint64 bad = -1;

  g_assert_true (attest_store_verify_audit (store, &n, &bad, &error));
  g_assert_no_error (error);
}

/* ---- tests ---- */

static void
test_export_all (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "evidence", "case 7", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (AttestAuditEntry) export_entry = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *html = NULL;
  g_autofree char *jsonl = NULL;
  g_autofree char *csv_sha = NULL;
  g_autofree char *json_path = NULL;
  g_auto (GStrv) lines = NULL;
  g_autofree char *last_hash = NULL;
  JsonArray *matches;
  JsonObject *first;
  gint64 before = audit_count (f->store);
  guint n_lines = 0;

  result = attest_exporter_export (f->store, dir, NULL, "Exporting Ed", &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  g_assert_cmpuint (result->n_matches, ==, 3);
  g_assert_cmpstr (result->folder, ==, out);
  /* 4 documents + one gallery face per match; schema v1 stores no probe crops. */
  g_assert_cmpuint (result->files->len, ==, 7);

  /* CSV: the header, one row per match in id order, quoting round-trips. */
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 4);
  g_assert_cmpstr (((GStrv) g_ptr_array_index (rows, 0))[0], ==, "match_id");
  g_assert_cmpuint (g_strv_length (g_ptr_array_index (rows, 0)), ==, 18);
  for (guint r = 1; r < rows->len; r++)
    g_assert_cmpuint (g_strv_length (g_ptr_array_index (rows, r)), ==, 18);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 1, "match_id"), NULL, 10), ==, f->match_ids[0]);
  g_assert_cmpstr (csv_get (rows, 1, "identity"), ==, ANN);
  g_assert_cmpstr (csv_get (rows, 2, "identity"), ==, BO);
  g_assert_cmpstr (csv_get (rows, 1, "rationale"), ==, RATIONALE);
  g_assert_cmpstr (csv_get (rows, 2, "rationale"), ==, "");
  g_assert_cmpstr (csv_get (rows, 1, "source_sha256"), ==, f->sha_a);
  g_assert_cmpstr (csv_get (rows, 3, "source_sha256"), ==, f->sha_b);
  g_assert_true (g_str_has_suffix (csv_get (rows, 1, "source_uri"), "hall,%20camera%201.mp4"));
  g_assert_cmpstr (csv_get (rows, 1, "time_ms"), ==, "1200");
  g_assert_cmpstr (csv_get (rows, 1, "frame"), ==, "30");
  g_assert_cmpstr (csv_get (rows, 1, "box_x"), ==, "10.5");
  g_assert_cmpstr (csv_get (rows, 1, "box_w"), ==, "64");
  g_assert_cmpstr (csv_get (rows, 1, "score"), ==, "0.71");
  g_assert_cmpstr (csv_get (rows, 1, "threshold"), ==, "0.45");
  g_assert_cmpstr (csv_get (rows, 1, "model_id"), ==, MODEL);
  g_assert_cmpstr (csv_get (rows, 1, "reviewer"), ==, ACTOR);
  g_assert_cmpstr (csv_get (rows, 1, "decided_at"), ==, "2026-01-02T03:04:06.450000Z");
  g_assert_cmpstr (csv_get (rows, 1, "probe_png"), ==, "");

  /* JSON: the same numbers, typed. */
  json_path = g_build_filename (out, "matches.json", NULL);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  matches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "matches");
  g_assert_cmpuint (json_array_get_length (matches), ==, 3);
  first = json_array_get_object_element (matches, 0);
  g_assert_cmpint (json_object_get_int_member (first, "match_id"), ==, f->match_ids[0]);
  g_assert_cmpstr (json_object_get_string_member (first, "identity"), ==, ANN);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (first, "score"), 0.71, 1e-9);
  g_assert_cmpfloat_with_epsilon (json_object_get_double_member (first, "threshold"), 0.45, 1e-9);
  g_assert_cmpint (json_object_get_int_member (first, "time_ms"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (first, "frame"), ==, 30);
  g_assert_cmpfloat (json_object_get_double_member (json_object_get_object_member (first, "box"), "x"), ==, 10.5);
  g_assert_cmpstr (json_object_get_string_member (first, "source_sha256"), ==, f->sha_a);
  g_assert_cmpstr (json_object_get_string_member (first, "model_id"), ==, MODEL);
  g_assert_cmpstr (json_object_get_string_member (first, "reviewer"), ==, ACTOR);
  g_assert_cmpstr (json_object_get_string_member (first, "decided_at"), ==, "2026-01-02T03:04:06.450000Z");
  g_assert_cmpstr (json_object_get_string_member (first, "rationale"), ==, RATIONALE);

  /* Crops: each gallery face decodes and is that identity's thumbnail (Ann 40 px, Bo 56 px). */
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *name = g_strdup_printf ("match-%" G_GINT64_FORMAT "-gallery.png", f->match_ids[i]);
      g_autofree char *path = g_build_filename (out, name, NULL);
      g_autoptr (GdkPixbuf) pixbuf = gdk_pixbuf_new_from_file (path, &error);

      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, i == 1 ? 56 : 40);
      g_assert_cmpstr (csv_get (rows, i + 1, "gallery_png"), ==, name);
    }

  /* report.html: one section per match, names escaped, images inline, nothing external. */
  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "<section class=\"match\""), ==, 3);
  g_assert_nonnull (strstr (html, "Ann &quot;Nan&quot; O&apos;Neil &lt;b&gt;"));
  g_assert_nonnull (strstr (html, "Bo, Jr. &amp; Co"));
  g_assert_null (strstr (html, "<b>"));
  g_assert_cmpuint (count_occurrences (html, "src=\"data:image/png;base64,"), ==, 3);
  g_assert_null (strstr (html, "src=\"http"));
  g_assert_null (strstr (html, "src=\"/"));
  g_assert_null (strstr (html, "href="));
  g_assert_nonnull (strstr (html, "@media print"));
  /* The decision chain: each match's confirmation, by whom. */
  g_assert_cmpuint (count_occurrences (html, "<td>confirm (match:"), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "</td><td>" ACTOR "</td>"), ==, 3);

  /* audit.jsonl: every entry before the export, chained; the export entry follows it. */
  jsonl = read_text (out, "audit.jsonl");
  lines = g_strsplit (jsonl, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr (JsonParser) line_parser = json_parser_new ();
      JsonObject *entry;

      json_parser_load_from_data (line_parser, lines[i], -1, &error);
      g_assert_no_error (error);
      entry = json_node_get_object (json_parser_get_root (line_parser));
      g_assert_cmpint (json_object_get_int_member (entry, "id"), ==, i + 1);
      if (last_hash != NULL)
        g_assert_cmpstr (json_object_get_string_member (entry, "prev_hash"), ==, last_hash);
      g_free (last_hash);
      last_hash = g_strdup (json_object_get_string_member (entry, "hash"));
      n_lines++;
    }
  g_assert_cmpuint (n_lines, ==, before);

  g_assert_cmpint (audit_count (f->store), ==, before + 1);
  export_entry = last_audit_entry (f->store);
  g_assert_cmpint (export_entry->id, ==, result->audit_id);
  g_assert_cmpstr (export_entry->action, ==, "export");
  g_assert_cmpstr (export_entry->actor, ==, "Exporting Ed");
  g_assert_cmpstr (export_entry->prev_hash, ==, last_hash);
  csv_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, csv, -1);
  g_assert_cmpstr (result->csv_sha256, ==, csv_sha);
  g_assert_nonnull (strstr (export_entry->details, csv_sha));
  g_assert_nonnull (strstr (export_entry->details, "\"count\":3"));
  assert_audit_intact (f->store);

  /* No temporary folder left behind. */
  {
    g_autoptr (GDir) listing = g_dir_open (out, 0, &error);
    const char *name;

    g_assert_no_error (error);
    while ((name = g_dir_read_name (listing)) != NULL)
      g_assert_false (g_str_has_prefix (name, "."));
  }
}

static void
test_export_one_source (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "door only", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *html = NULL;

  result = attest_exporter_export (f->store, dir, f->sha_b, ACTOR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_matches, ==, 1);
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 2);
  g_assert_cmpstr (csv_get (rows, 1, "source_sha256"), ==, f->sha_b);
  g_assert_cmpstr (csv_get (rows, 1, "rationale"), ==, "door camera");
  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "<section class=\"match\""), ==, 1);
  g_assert_null (strstr (html, BO));
  /* Only the door's match has its crops here. */
  {
    g_autofree char *other = g_strdup_printf ("%s/match-%" G_GINT64_FORMAT "-gallery.png", out, f->match_ids[0]);
    g_autofree char *own = g_strdup_printf ("%s/match-%" G_GINT64_FORMAT "-gallery.png", out, f->match_ids[2]);

    g_assert_false (g_file_test (other, G_FILE_TEST_EXISTS));
    g_assert_true (g_file_test (own, G_FILE_TEST_IS_REGULAR));
  }
}

static void
test_export_skips_revoked (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "after undo", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *sql = NULL;

  if (query_int (f->store, "SELECT count (*) FROM pragma_table_info ('matches') WHERE name = 'revoked_at'") == 0)
    {
      g_test_skip ("this schema has no revoked matches");
      return;
    }
  sql = g_strdup_printf ("UPDATE matches SET revoked_at = 1 WHERE id = %" G_GINT64_FORMAT, f->match_ids[1]);
  {
    sqlite3 *db = _attest_store_lock (f->store);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
    _attest_store_unlock (f->store);
  }
  result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->n_matches, ==, 2);
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (csv_get (rows, 1, "identity"), ==, ANN);
  g_assert_cmpstr (csv_get (rows, 2, "identity"), ==, ANN);
}

/* With review items (schema 2), the probe crop the reviewer saw is exported next to the
 * gallery face, and the item's own audit entries join the decision chain. */
static void
test_export_probe_crop (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "with probe", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GBytes) probe = make_png (72, 0xc04020ff);
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *html = NULL;
  g_autofree char *probe_name = NULL;
  g_autofree char *probe_path = NULL;
  g_autofree char *item_subject = NULL;
  AttestAuditEntry entry = { 0 };
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db;
  gint64 item_id;

  if (query_int (f->store, "SELECT count (*) FROM pragma_table_info ('review_items') WHERE name = 'probe_png'") == 0)
    {
      g_test_skip ("this schema stores no probe crops");
      return;
    }
  db = _attest_store_lock (f->store);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "INSERT INTO review_items (source_id, start_ms, end_ms, best_ms,"
                                       " box_x, box_y, box_w, box_h, probe_png, model_id, threshold,"
                                       " created_at)"
                                       " SELECT source_id, source_ms, source_ms, source_ms, box_x, box_y,"
                                       " box_w, box_h, ?, model_id, threshold, 1 FROM matches WHERE id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_blob (stmt, 1, g_bytes_get_data (probe, NULL), g_bytes_get_size (probe), SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 2, f->match_ids[1]);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  item_id = sqlite3_last_insert_rowid (db);
  {
    g_autofree char *sql = g_strdup_printf ("UPDATE matches SET review_item_id = %" G_GINT64_FORMAT
                                            " WHERE id = %" G_GINT64_FORMAT, item_id, f->match_ids[1]);

    g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  }
  _attest_store_unlock (f->store);
  item_subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, item_id);
  entry.actor = (char *) "Second Sam";
  entry.action = (char *) "unsure";
  entry.subject = item_subject;
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;
  g_assert_cmpint (attest_store_append_audit (f->store, &entry, &error), >, 0);
  g_assert_no_error (error);

  result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (result->files->len, ==, 8);

  probe_name = g_strdup_printf ("match-%" G_GINT64_FORMAT "-probe.png", f->match_ids[1]);
  probe_path = g_build_filename (out, probe_name, NULL);
  pixbuf = gdk_pixbuf_new_from_file (probe_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 72);

  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpstr (csv_get (rows, 2, "probe_png"), ==, probe_name);
  g_assert_cmpstr (csv_get (rows, 1, "probe_png"), ==, "");

  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "src=\"data:image/png;base64,"), ==, 4);
  {
    g_autofree char *row = g_strdup_printf ("<td>unsure (%s)</td><td>Second Sam</td>", item_subject);

    g_assert_cmpuint (count_occurrences (html, row), ==, 1);
  }
}

static void
test_export_unwritable (Fixture       *f,
                        gconstpointer  data)
{
  /* Tests run as root, where permissions do not stop writes: a folder below a regular file
   * (ENOTDIR) and one inside /proc cannot be created by anyone. */
  g_autofree char *under_file = g_build_filename (f->video_a, "evidence", NULL);
  const char *targets[] = { under_file, "/proc/attest-export-test" };
  gint64 before = audit_count (f->store);

  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GFile) dir = g_file_new_for_path (targets[i]);
      g_autoptr (AttestExportResult) result = NULL;

      result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
      g_assert_null (result);
      g_assert_nonnull (error);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, targets[i]));
      g_assert_cmpint (audit_count (f->store), ==, before);
    }
  assert_audit_intact (f->store);
}

static void
on_exported (GObject      *source,
             GAsyncResult *res,
             gpointer      user_data)
{
  AttestExportResult **out = user_data;
  g_autoptr (GError) error = NULL;

  *out = attest_exporter_export_finish (res, &error);
  g_assert_no_error (error);
}

static void
test_export_async (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "from the app", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autofree char *csv = NULL;
  g_autoptr (GPtrArray) rows = NULL;

  attest_exporter_export_async (f->store, dir, f->sha_a, ACTOR, NULL, on_exported, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (result->n_matches, ==, 2);
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (csv_get (rows, 2, "identity"), ==, BO);
}

typedef struct
{
  char *out;
  char *err;
  int   status;
} Run;

static void
run_cli (Run         *run,
         const char **args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                &run->out, &run->err, &wait_status, &error);
  g_assert_no_error (error);
  run->status = WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
  g_test_message ("attest-cli -> %d\nstdout: %s\nstderr: %s", run->status, run->out, run->err);
}

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}

static void
test_cli_export (Fixture       *f,
                 gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "cli export", NULL);
  g_autofree char *csv = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *bad = g_build_filename (f->video_a, "x", NULL);
  g_autoptr (AttestAuditEntry) last = NULL;
  JsonObject *line;
  JsonArray *files;
  gint64 before;
  Run run = { 0 };

  /* The CLI opens the same database file: close ours so it is not the writer meanwhile. */
  g_clear_object (&f->store);
  {
    const char *args[] = { "--database", f->db_path, "export", "--to", out, "--source", f->video_a,
                           "--reviewer", "Cli Clara", NULL };

    run_cli (&run, args);
  }
  g_assert_cmpint (run.status, ==, 0);
  g_assert_cmpuint (count_occurrences (run.out, "\n"), ==, 1);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  line = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (line, "folder"), ==, out);
  g_assert_cmpint (json_object_get_int_member (line, "matches"), ==, 2);
  files = json_object_get_array_member (line, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 6);
  g_assert_cmpstr (json_array_get_string_element (files, 0), ==, "matches.csv");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      g_autofree char *path = g_build_filename (out, json_array_get_string_element (files, i), NULL);

      g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
    }
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpstr (csv_get (rows, 1, "source_sha256"), ==, f->sha_a);
  g_assert_cmpstr (csv_get (rows, 2, "source_sha256"), ==, f->sha_a);
  run_clear (&run);

  f->store = attest_store_open (f->db_path, &error);
  g_assert_no_error (error);
  last = last_audit_entry (f->store);
  g_assert_cmpstr (last->action, ==, "export");
  g_assert_cmpstr (last->actor, ==, "Cli Clara");
  g_assert_cmpstr (last->source_sha256, ==, f->sha_a);
  before = audit_count (f->store);
  g_clear_object (&f->store);

  /* Unwritable folder: exit 1, a message naming it, nothing audited. */
  {
    const char *args[] = { "--database", f->db_path, "export", "--to", bad, NULL };

    run_cli (&run, args);
  }
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpstr (run.out, ==, "");
  g_assert_nonnull (strstr (run.err, bad));
  run_clear (&run);

  /* Usage: --to is required. */
  {
    const char *args[] = { "--database", f->db_path, "export", NULL };

    run_cli (&run, args);
  }
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--to"));
  run_clear (&run);

  f->store = attest_store_open (f->db_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (audit_count (f->store), ==, before);
  assert_audit_intact (f->store);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/exporter/all", Fixture, NULL, fixture_set_up, test_export_all, fixture_tear_down);
  g_test_add ("/exporter/one-source", Fixture, NULL, fixture_set_up, test_export_one_source, fixture_tear_down);
  g_test_add ("/exporter/skips-revoked", Fixture, NULL, fixture_set_up, test_export_skips_revoked, fixture_tear_down);
  g_test_add ("/exporter/probe-crop", Fixture, NULL, fixture_set_up, test_export_probe_crop, fixture_tear_down);
  g_test_add ("/exporter/unwritable", Fixture, NULL, fixture_set_up, test_export_unwritable, fixture_tear_down);
  g_test_add ("/exporter/async", Fixture, NULL, fixture_set_up, test_export_async, fixture_tear_down);
  g_test_add ("/exporter/cli", Fixture, NULL, fixture_set_up, test_cli_export, fixture_tear_down);
  return g_test_run ();
}
