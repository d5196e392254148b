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

#include <errno.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "review/attest-exporter.h"
#include "review/attest-export-check.h"
#include "store/attest-gallery.h"
#include "store/attest-matches.h"
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
confirm_item_match (Fixture    *f,
                    gint64      face_id,
                    const char *uri,
                    const char *sha,
                    gint64      ms,
                    double      score,
                    const char *rationale,
                    gint64      item_id)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *subject = NULL;
  g_autofree char *sql = NULL;
  g_autofree char *details = NULL;
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
                                       " reviewer, decided_at, rationale, review_item_id)"
                                       " SELECT identity_id, id, ?, ?, ?, 10.5, 20, 64, 64, ?, 0.45, '"
                                       MODEL "', '" ACTOR "', ?, ?, ? FROM faces WHERE id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, source_id);
  sqlite3_bind_int64 (stmt, 2, ms);
  sqlite3_bind_int64 (stmt, 3, ms / 40);
  sqlite3_bind_double (stmt, 4, score);
  /* 2026-01-02T03:04:05.250Z plus ms. */
  sqlite3_bind_int64 (stmt, 5, G_GINT64_CONSTANT (1767323045250000) + ms * 1000);
  sqlite3_bind_text (stmt, 6, rationale, -1, SQLITE_STATIC);
  if (item_id > 0)
    sqlite3_bind_int64 (stmt, 7, item_id);
  sqlite3_bind_int64 (stmt, 8, face_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  match_id = sqlite3_last_insert_rowid (db);

  /* The confirmation names whom it confirmed, as the review queue's does. */
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT m.identity_id, m.decided_at, i.name"
                                           " FROM matches m JOIN identities i ON i.id = m.identity_id"
                                           " WHERE m.id = ?",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, match_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  {
    g_autoptr (JsonBuilder) b = json_builder_new ();
    g_autoptr (JsonNode) root = NULL;

    json_builder_begin_object (b);
    if (item_id > 0)
      {
        json_builder_set_member_name (b, "item_id");
        json_builder_add_int_value (b, item_id);
      }
    json_builder_set_member_name (b, "identity_id");
    json_builder_add_int_value (b, sqlite3_column_int64 (stmt, 0));
    json_builder_set_member_name (b, "name");
    json_builder_add_string_value (b, (const char *) sqlite3_column_text (stmt, 2));
    json_builder_end_object (b);
    root = json_builder_get_root (b);
    details = json_to_string (root, FALSE);
  }
  entry.at_us = sqlite3_column_int64 (stmt, 1);
  sqlite3_finalize (stmt);
  entry.details = details;

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

static gint64
confirm_match (Fixture    *f,
               gint64      face_id,
               const char *uri,
               const char *sha,
               gint64      ms,
               double      score,
               const char *rationale)
{
  return confirm_item_match (f, face_id, uri, sha, ms, score, rationale, -1);
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
  /* A test that failed half-way may leave its mounts: take them off before removing. */
  {
    g_autofree char *tiny = g_build_filename (f->dir, "tiny", NULL);
    g_autofree char *ro = g_build_filename (f->dir, "read-only", NULL);

    umount2 (tiny, MNT_DETACH);
    umount2 (ro, MNT_DETACH);
  }
  remove_tree (f->dir);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->video_a);
  g_free (f->video_b);
  g_free (f->sha_a);
  g_free (f->sha_b);
}

static void flip_byte (const char *path,
                       gsize       at);

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

/* The hash of the entry before the newest (the export's own record). */
static char *
last_audit_entry_before_export_hash (AttestStore *store)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = attest_store_list_audit (store, 0, 0, &error);

  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, >=, 2);
  return g_strdup (((AttestAuditEntry *) entries->pdata[entries->len - 2])->hash);
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
  /* 4 documents + one gallery face per match + the manifest and its signature; these matches
   * have no review item, so no probe crops. */
  g_assert_cmpuint (result->files->len, ==, 9);

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
  /* The decision chain: each match's confirmation, by whom, with the name confirmed, and the
   * enrolment of the gallery face it was matched with. */
  g_assert_cmpuint (count_occurrences (html, "<td>confirm "), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "<td>confirm Bo, Jr. &amp; Co (match:"), ==, 1);
  g_assert_cmpuint (count_occurrences (html, "<td>enrol"), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "</td><td>" ACTOR "</td>"), ==, 6);

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
  /* The report says which match is missing and why. */
  {
    g_autofree char *html = read_text (out, "report.html");
    g_autofree char *line = g_strdup_printf ("Match %" G_GINT64_FORMAT " (%s,", f->match_ids[1], "Bo, Jr. &amp; Co");

    g_assert_nonnull (strstr (html, "Not included: confirmations that were undone"));
    g_assert_nonnull (strstr (html, line));
    g_assert_cmpuint (count_occurrences (html, "<section class=\"match\""), ==, 2);
  }
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
  gint64 item_id, with_item;

  if (query_int (f->store, "SELECT count (*) FROM pragma_table_info ('review_items') WHERE name = 'probe_png'") == 0)
    {
      g_test_skip ("this schema stores no probe crops");
      return;
    }
  /* An item as a scan makes it (its probe crop), then the reviewer's confirmation of it. */
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
  _attest_store_unlock (f->store);
  {
    g_autofree char *uri_a = g_filename_to_uri (f->video_a, NULL, NULL);
    gint64 bo_face = query_int (f->store, "SELECT face_id FROM matches WHERE id = 2");

    with_item = confirm_item_match (f, bo_face, uri_a, f->sha_a, 4900, 0.62, "the chin", item_id);
  }
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
  g_assert_cmpuint (result->files->len, ==, 11);

  probe_name = g_strdup_printf ("match-%" G_GINT64_FORMAT "-probe.png", with_item);
  probe_path = g_build_filename (out, probe_name, NULL);
  pixbuf = gdk_pixbuf_new_from_file (probe_path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, 72);

  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  g_assert_cmpstr (csv_get (rows, 4, "probe_png"), ==, probe_name);
  g_assert_cmpstr (csv_get (rows, 2, "probe_png"), ==, "");
  g_assert_cmpstr (csv_get (rows, 1, "probe_png"), ==, "");

  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "src=\"data:image/png;base64,"), ==, 5);
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
  const char *targets[] = { under_file, "/proc/attest-export-test", f->video_a };
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

/* ---- selection ---- */

static GPtrArray *
export_rows (Fixture                   *f,
             const char                *name,
             const AttestExportOptions *options,
             AttestExportResult       **result_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, name, NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autofree char *csv = NULL;
  AttestExportResult *result;

  result = attest_exporter_export_full (f->store, dir, options, &error);
  g_assert_no_error (error);
  g_assert_nonnull (result);
  csv = read_text (out, "matches.csv");
  *result_out = result;
  return parse_csv (csv);
}

static JsonObject *
details_of (AttestStore *store,
            JsonParser  *parser)
{
  g_autoptr (AttestAuditEntry) last = last_audit_entry (store);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (last->action, ==, "export");
  json_parser_load_from_data (parser, last->details, -1, &error);
  g_assert_no_error (error);
  return json_node_get_object (json_parser_get_root (parser));
}

static void
test_export_time_range (Fixture       *f,
                        gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *details, *selection;
  gint64 before;

  /* 800..1200 ms of every source: A at 1200 and B at 800 (bounds inclusive), not A at 4800. */
  options.actor = ACTOR;
  options.from_ms = 800;
  options.to_ms = 1200;
  rows = export_rows (f, "range all", &options, &result);
  g_assert_cmpuint (result->n_matches, ==, 2);
  g_assert_cmpuint (rows->len, ==, 3);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 1, "match_id"), NULL, 10), ==, f->match_ids[0]);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 2, "match_id"), NULL, 10), ==, f->match_ids[2]);
  details = details_of (f->store, parser);
  selection = json_object_get_object_member (details, "selection");
  g_assert_cmpint (json_object_get_int_member (selection, "from_ms"), ==, 800);
  g_assert_cmpint (json_object_get_int_member (selection, "to_ms"), ==, 1200);
  g_assert_true (json_object_get_null_member (selection, "source_sha256"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (details, "exported_match_ids")), ==, 2);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&result, attest_export_result_free);

  /* From 1000 ms on, within source A only: both of A's matches, none of B's. */
  options.source_sha256 = f->sha_a;
  options.from_ms = 1000;
  options.to_ms = -1;
  rows = export_rows (f, "range a", &options, &result);
  g_assert_cmpuint (result->n_matches, ==, 2);
  g_assert_cmpstr (csv_get (rows, 1, "time_ms"), ==, "1200");
  g_assert_cmpstr (csv_get (rows, 2, "time_ms"), ==, "4800");
  g_assert_cmpstr (csv_get (rows, 2, "source_sha256"), ==, f->sha_a);
  details = details_of (f->store, parser);
  selection = json_object_get_object_member (details, "selection");
  g_assert_cmpstr (json_object_get_string_member (selection, "source_sha256"), ==, f->sha_a);
  g_assert_true (json_object_get_null_member (selection, "to_ms"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&result, attest_export_result_free);

  /* A range that ends before it starts is refused before anything is written. */
  before = audit_count (f->store);
  options.from_ms = 2000;
  options.to_ms = 1000;
  {
    g_autofree char *out = g_build_filename (f->dir, "backwards", NULL);
    g_autoptr (GFile) dir = g_file_new_for_path (out);

    g_assert_null (attest_exporter_export_full (f->store, dir, &options, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, out));
    g_assert_false (g_file_test (out, G_FILE_TEST_EXISTS));
  }
  g_assert_cmpint (audit_count (f->store), ==, before);
}

static void
test_export_match_ids (Fixture       *f,
                       gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  gint64 chosen[] = { 0, 0, 9999 };
  JsonObject *details;
  JsonArray *ids;

  /* Asked in any order, with an id that is no match: the two real ones, in id order. */
  chosen[0] = f->match_ids[2];
  chosen[1] = f->match_ids[0];
  options.actor = ACTOR;
  options.match_ids = chosen;
  options.n_match_ids = G_N_ELEMENTS (chosen);
  rows = export_rows (f, "chosen", &options, &result);
  g_assert_cmpuint (result->n_matches, ==, 2);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 1, "match_id"), NULL, 10), ==, f->match_ids[0]);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 2, "match_id"), NULL, 10), ==, f->match_ids[2]);
  details = details_of (f->store, parser);
  ids = json_object_get_array_member (json_object_get_object_member (details, "selection"), "match_ids");
  g_assert_cmpuint (json_array_get_length (ids), ==, 3);
  g_assert_cmpint (json_array_get_int_element (ids, 2), ==, 9999);
  g_assert_nonnull (strstr (json_object_get_string_member (details, "description"), "3 chosen matches"));
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&result, attest_export_result_free);

  /* Ids and a source combine: of the two chosen, only B's. */
  options.source_sha256 = f->sha_b;
  rows = export_rows (f, "chosen b", &options, &result);
  g_assert_cmpuint (result->n_matches, ==, 1);
  g_assert_cmpint (g_ascii_strtoll (csv_get (rows, 1, "match_id"), NULL, 10), ==, f->match_ids[2]);
  g_clear_pointer (&rows, g_ptr_array_unref);
  g_clear_pointer (&result, attest_export_result_free);

  /* An empty set selects nothing (not everything). */
  options.source_sha256 = NULL;
  options.n_match_ids = 0;
  rows = export_rows (f, "chosen none", &options, &result);
  g_assert_cmpuint (result->n_matches, ==, 0);
  g_assert_cmpuint (rows->len, ==, 1);
}

/* Every field of every match, in the CSV and the JSON, against what the store holds. */
static void
test_export_fields (Fixture       *f,
                    gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *json_path = g_build_filename (f->dir, "fields", "matches.json", NULL);
  JsonArray *matches;

  options.actor = ACTOR;
  rows = export_rows (f, "fields", &options, &result);
  records = attest_store_list_matches (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (records->len, ==, 3);
  g_assert_cmpuint (rows->len, ==, records->len + 1);
  json_parser_load_from_file (parser, json_path, &error);
  g_assert_no_error (error);
  matches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)), "matches");
  g_assert_cmpuint (json_array_get_length (matches), ==, records->len);

  for (guint i = 0; i < records->len; i++)
    {
      AttestMatchRecord *m = g_ptr_array_index (records, i);
      JsonObject *o = json_array_get_object_element (matches, i);
      JsonObject *box = json_object_get_object_member (o, "box");
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, m->id);
      g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT, m->source_ms);
      g_autofree char *frame = g_strdup_printf ("%" G_GINT64_FORMAT, m->frame);
      g_autofree char *gallery = g_strdup_printf ("match-%" G_GINT64_FORMAT "-gallery.png", m->id);
      g_autoptr (GDateTime) decided = g_date_time_new_from_iso8601 (csv_get (rows, i + 1, "decided_at"), NULL);
      const struct { const char *column; const char *expected; } text[] = {
        { "match_id", id }, { "source_uri", m->source_uri }, { "source_sha256", m->source_sha256 },
        { "time_ms", ms }, { "frame", frame }, { "identity", m->identity_name },
        { "model_id", m->model_id }, { "reviewer", m->reviewer },
        { "rationale", m->rationale != NULL ? m->rationale : "" }, { "gallery_png", gallery },
      };
      const struct { const char *column; const char *member; double expected; } numbers[] = {
        { "box_x", "x", m->box_x }, { "box_y", "y", m->box_y }, { "box_w", "w", m->box_w },
        { "box_h", "h", m->box_h }, { "score", NULL, m->score }, { "threshold", NULL, m->threshold },
      };

      for (guint k = 0; k < G_N_ELEMENTS (text); k++)
        g_assert_cmpstr (csv_get (rows, i + 1, text[k].column), ==, text[k].expected);
      for (guint k = 0; k < G_N_ELEMENTS (numbers); k++)
        {
          double csv_value = g_ascii_strtod (csv_get (rows, i + 1, numbers[k].column), NULL);
          double json_value = numbers[k].member != NULL
            ? json_object_get_double_member (box, numbers[k].member)
            : json_object_get_double_member (o, numbers[k].column);

          g_assert_cmpfloat_with_epsilon (csv_value, numbers[k].expected, 1e-6);
          g_assert_cmpfloat (json_value, ==, numbers[k].expected);
        }
      g_assert_nonnull (decided);
      g_assert_cmpint (g_date_time_to_unix (decided) * G_USEC_PER_SEC +
                       g_date_time_get_microsecond (decided), ==, m->decided_at);
      g_assert_cmpstr (json_object_get_string_member (o, "decided_at"), ==, csv_get (rows, i + 1, "decided_at"));
      g_assert_cmpint (json_object_get_int_member (o, "match_id"), ==, m->id);
      g_assert_cmpstr (json_object_get_string_member (o, "source_uri"), ==, m->source_uri);
      g_assert_cmpstr (json_object_get_string_member (o, "source_sha256"), ==, m->source_sha256);
      g_assert_cmpint (json_object_get_int_member (o, "time_ms"), ==, m->source_ms);
      g_assert_cmpint (json_object_get_int_member (o, "frame"), ==, m->frame);
      g_assert_cmpstr (json_object_get_string_member (o, "identity"), ==, m->identity_name);
      g_assert_cmpstr (json_object_get_string_member (o, "model_id"), ==, m->model_id);
      g_assert_cmpstr (json_object_get_string_member (o, "reviewer"), ==, m->reviewer);
      if (m->rationale != NULL)
        g_assert_cmpstr (json_object_get_string_member (o, "rationale"), ==, m->rationale);
      else
        g_assert_true (json_object_get_null_member (o, "rationale"));
      g_assert_cmpstr (json_object_get_string_member (o, "gallery_png"), ==, gallery);
      g_assert_true (json_object_get_null_member (o, "probe_png"));
    }
}

/* Every image of report.html is inline and is byte for byte one of the crops written beside
 * it; every crop written is in the page. */
static void
test_export_report_images (Fixture       *f,
                           gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (GHashTable) crops = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autofree char *out = g_build_filename (f->dir, "images", NULL);
  g_autofree char *html = NULL;
  guint n_images = 0, n_png = 0;

  options.actor = ACTOR;
  rows = export_rows (f, "images", &options, &result);
  for (guint i = 0; i < result->files->len; i++)
    {
      const char *name = g_ptr_array_index (result->files, i);
      g_autofree char *bytes = NULL;
      gsize size;

      if (!g_str_has_suffix (name, ".png"))
        continue;
      {
        g_autofree char *path = g_build_filename (out, name, NULL);

        g_assert_true (g_file_get_contents (path, &bytes, &size, NULL));
      }
      g_hash_table_insert (crops, g_base64_encode ((const guchar *) bytes, size), NULL);
      n_png++;
    }
  g_assert_cmpuint (n_png, ==, 3);

  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "<img"), ==, count_occurrences (html, "<img alt=\"\" src=\"data:image/png;base64,"));
  for (const char *p = strstr (html, "base64,"); p != NULL; p = strstr (p, "base64,"))
    {
      const char *end;
      g_autofree char *b64 = NULL;
      g_autofree guchar *png = NULL;
      g_autoptr (GdkPixbufLoader) loader = gdk_pixbuf_loader_new ();
      g_autoptr (GError) error = NULL;
      gsize size;

      p += strlen ("base64,");
      end = strchr (p, '"');
      g_assert_nonnull (end);
      b64 = g_strndup (p, end - p);
      g_assert_true (g_hash_table_contains (crops, b64));
      png = g_base64_decode (b64, &size);
      g_assert_true (gdk_pixbuf_loader_write (loader, png, size, &error));
      g_assert_true (gdk_pixbuf_loader_close (loader, &error));
      g_assert_no_error (error);
      g_assert_nonnull (gdk_pixbuf_loader_get_pixbuf (loader));
      n_images++;
    }
  g_assert_cmpuint (n_images, ==, n_png);
  /* What a reader needs beside the faces: the meaning of the score and the decision chain. */
  g_assert_cmpuint (count_occurrences (html, "(threshold 0.45)"), ==, 3);
  g_assert_nonnull (strstr (html, "not a probability"));
  g_assert_cmpuint (count_occurrences (html, "<table class=\"chain\">"), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "Confirmed by " ACTOR " on 2026-01-02 at 03:04:"), ==, 3);
  g_assert_null (strstr (html, "Not included"));
  /* Two people with one face each: too small a gallery to estimate, and the page says so. */
  g_assert_cmpuint (count_occurrences (html, "too small to estimate"), ==, 3);
}

/* With a gallery big enough (2 people, 10 faces), each score's threshold is given its
 * measured false-match rate on that gallery. */
static void
test_export_report_fmr (Fixture       *f,
                        gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *out = g_build_filename (f->dir, "fmr", NULL);
  g_autofree char *html = NULL;

  /* Eight more faces, each on its own axis: no two people's faces resemble each other. */
  for (int i = 0; i < 8; i++)
    enrol (f, i % 2 == 0 ? ANN : BO, 2 + i, 32);
  options.actor = ACTOR;
  rows = export_rows (f, "fmr", &options, &result);
  html = read_text (out, "report.html");
  g_assert_cmpuint (count_occurrences (html, "estimated false-match rate 0.0%"), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "(95% bound)"), ==, 3);
  g_assert_cmpuint (count_occurrences (html, "(10 faces of 2 people)"), ==, 3);
  g_assert_null (strstr (html, "too small to estimate"));
}

/* audit.jsonl rebuilt into entries hashes to the same chain with the store's canonical
 * encoding: a reader can verify it without the database. */
static void
test_export_audit_verifiable (Fixture       *f,
                              gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *out = g_build_filename (f->dir, "verify", NULL);
  g_autofree char *jsonl = NULL;
  g_autofree char *prev = g_strdup ("0000000000000000000000000000000000000000000000000000000000000000");
  g_autofree char *tampered = NULL;
  g_auto (GStrv) lines = NULL;
  guint n = 0;

  options.actor = ACTOR;
  rows = export_rows (f, "verify", &options, &result);
  jsonl = read_text (out, "audit.jsonl");
  lines = g_strsplit (jsonl, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (GError) error = NULL;
      g_autofree char *hash = NULL;
      AttestAuditEntry e = { 0 };
      JsonObject *o;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      o = json_node_get_object (json_parser_get_root (parser));
      e.id = json_object_get_int_member (o, "id");
      e.at_us = json_object_get_int_member (o, "at_us");
#define STR(name) (json_object_get_null_member (o, name) ? NULL : (char *) json_object_get_string_member (o, name))
#define DBL(name) (json_object_get_null_member (o, name) ? NAN : json_object_get_double_member (o, name))
      e.actor = STR ("actor");
      e.action = STR ("action");
      e.subject = STR ("subject");
      e.source_sha256 = STR ("source_sha256");
      e.source_ms = json_object_get_null_member (o, "source_ms") ? -1 : json_object_get_int_member (o, "source_ms");
      e.score = DBL ("score");
      e.threshold = DBL ("threshold");
      e.model_id = STR ("model_id");
      e.rationale = STR ("rationale");
      e.details = STR ("details");
      e.prev_hash = STR ("prev_hash");
      e.key_id = json_object_has_member (o, "key_id") ? STR ("key_id") : NULL;
#undef STR
#undef DBL
      g_assert_cmpstr (e.prev_hash, ==, prev);
      hash = _attest_audit_entry_compute_hash (&e);
      g_assert_cmpstr (hash, ==, json_object_get_string_member (o, "hash"));
      /* One changed character of the rationale no longer hashes the same. */
      if (e.rationale != NULL && tampered == NULL)
        {
          g_autofree char *copy = g_strdup (e.rationale);

          copy[0] ^= 1;
          e.rationale = copy;
          tampered = _attest_audit_entry_compute_hash (&e);
          g_assert_cmpstr (tampered, !=, hash);
        }
      g_free (prev);
      prev = g_strdup (hash);
      n++;
    }
  g_assert_nonnull (tampered);
  g_assert_cmpuint (n, ==, audit_count (f->store) - 1);
  /* The chain in the folder ends where the store's export entry links. */
  {
    g_autoptr (AttestAuditEntry) last = last_audit_entry (f->store);

    g_assert_cmpstr (last->prev_hash, ==, prev);
  }
}

/* ---- bad output folders ---- */

static gboolean
try_mount_tmpfs (const char *where,
                 const char *options)
{
  g_assert_cmpint (g_mkdir_with_parents (where, 0700), ==, 0);
  if (mount ("tmpfs", where, "tmpfs", 0, options) == 0)
    return TRUE;
  g_test_message ("mount -t tmpfs -o %s %s refused: %s", options, where, g_strerror (errno));
  return FALSE;
}

static char *
db_sha256 (Fixture *f)
{
  /* Everything into the main file first (WAL), then its bytes. */
  g_autoptr (GFile) file = g_file_new_for_path (f->db_path);
  sqlite3 *db = _attest_store_lock (f->store);

  g_assert_cmpint (sqlite3_exec (db, "PRAGMA wal_checkpoint (TRUNCATE)", NULL, NULL, NULL), ==, SQLITE_OK);
  _attest_store_unlock (f->store);

  return attest_file_sha256 (file, NULL, NULL);
}

/* What a failed export must leave: a message naming the folder, no "export" entry, the same
 * database, and in the folder only what was there before. */
static void
assert_failed_cleanly (Fixture    *f,
                       GError     *error,
                       const char *folder,
                       gint64      audit_before,
                       const char *db_before,
                       const char *only_file)
{
  g_autofree char *db_after = db_sha256 (f);
  g_autoptr (GDir) listing = NULL;
  const char *name;

  g_assert_nonnull (error);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, folder));
  g_assert_cmpint (audit_count (f->store), ==, audit_before);
  g_assert_cmpstr (db_after, ==, db_before);
  assert_audit_intact (f->store);
  listing = g_dir_open (folder, 0, NULL);
  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    g_assert_cmpstr (name, ==, only_file);
}

/* Nothing of a failed export is left beside it: only the notes (and `also`) are there. */
static void
assert_only_notes (const char *parent,
                   const char *also)
{
  g_autoptr (GDir) listing = g_dir_open (parent, 0, NULL);
  const char *name;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    if (!g_str_equal (name, "notes.txt") && g_strcmp0 (name, also) != 0)
      g_error ("left beside the export: %s", name);
}

static void
test_export_read_only_mount (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *mnt = g_build_filename (f->dir, "read-only", NULL);
  g_autofree char *below = g_build_filename (mnt, "evidence", NULL);
  g_autofree char *db_before = db_sha256 (f);
  const char *targets[2] = { mnt, below };
  gint64 before = audit_count (f->store);

  if (!try_mount_tmpfs (mnt, "ro,size=64k"))
    {
      g_test_skip ("cannot mount a read-only tmpfs here (not root?)");
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (GFile) dir = g_file_new_for_path (targets[i]);

      g_assert_null (attest_exporter_export (f->store, dir, NULL, ACTOR, &error));
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY);
      assert_failed_cleanly (f, error, targets[i], before, db_before, NULL);
    }
  g_assert_cmpint (umount (mnt), ==, 0);
}

/* Fills a file system up to `leave` bytes free (counted in the file system's blocks). */
static void
fill_up (const char *folder,
         gsize       leave)
{
  g_autofree char *reserve = g_build_filename (folder, "reserve", NULL);
  g_autofree char *filler = g_build_filename (folder, "filler", NULL);
  g_autofree char *zeros = g_malloc0 (leave);
  char block[4096] = { 0 };
  FILE *fp;

  g_assert_true (g_file_set_contents (reserve, zeros, leave, NULL));
  fp = fopen (filler, "w");
  g_assert_nonnull (fp);
  setvbuf (fp, NULL, _IONBF, 0);
  while (fwrite (block, 1, sizeof block, fp) == sizeof block)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  fclose (fp);
  g_assert_cmpint (g_unlink (reserve), ==, 0);
}

/* In a child (g_test_trap_subprocess): a file size limit of 4 KiB, SIGXFSZ ignored, so a
 * write past it fails with EFBIG as a full disk fails with ENOSPC. */
static void
test_export_file_size_limit_child (void)
{
  const char *db_path = g_getenv ("ATTEST_TEST_DB");
  const char *folder = g_getenv ("ATTEST_TEST_FOLDER");
  g_autoptr (AttestStore) store = NULL;
  g_autoptr (GFile) dir = g_file_new_for_path (folder);
  g_autoptr (GError) error = NULL;
  struct rlimit limit = { 4096, 4096 };

  if (!g_test_subprocess ())
    {
      g_test_skip ("runs as a child of /exporter/file-size-limit");
      return;
    }
  /* The same key, in a folder of its own: the audit heads remembered beside the shared test
   * key (one line per gallery the tests keep) may outgrow the limit, and failing to write
   * them is a warning, fatal in tests. */
  {
    g_autofree char *key_dir = g_dir_make_tmp ("attest-child-config-XXXXXX", &error);
    g_autofree char *key_copy = g_build_filename (key_dir, "installation.key", NULL);
    g_autoptr (GFile) from = g_file_new_for_path (g_getenv ("ATTEST_KEY_FILE"));
    g_autoptr (GFile) to = g_file_new_for_path (key_copy);

    g_assert_no_error (error);
    g_file_copy (from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_ALL_METADATA, NULL, NULL, NULL,
                 &error);
    g_assert_no_error (error);
    g_setenv ("ATTEST_KEY_FILE", key_copy, TRUE);
  }
  store = attest_store_open (db_path, &error);
  g_assert_no_error (error);
  signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_assert_null (attest_exporter_export (store, dir, NULL, ACTOR, &error));
  g_assert_nonnull (error);
  g_printerr ("%s\n", error->message);
}

static void
run_file_size_limit (Fixture    *f,
                     const char *folder,
                     const char *db_before)
{
  gint64 before = audit_count (f->store);

  g_setenv ("ATTEST_TEST_DB", f->db_path, TRUE);
  g_setenv ("ATTEST_TEST_FOLDER", folder, TRUE);
  g_test_trap_subprocess ("/exporter/file-size-limit-child", 0, G_TEST_SUBPROCESS_INHERIT_STDOUT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*Could not export to the folder*");
  g_test_trap_assert_stderr ("*File too large*");
  {
    GError error = { G_IO_ERROR, G_IO_ERROR_FAILED, (char *) folder };
    g_autofree char *parent = g_path_get_dirname (folder);

    assert_failed_cleanly (f, &error, folder, before, db_before, NULL);
    assert_only_notes (parent, NULL);
  }
}

static void
test_export_disk_full (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *mnt = g_build_filename (f->dir, "tiny", NULL);
  g_autofree char *folder = g_build_filename (mnt, "case 9", NULL);
  g_autofree char *notes = g_build_filename (mnt, "notes.txt", NULL);
  g_autofree char *db_before = db_sha256 (f);
  gint64 before = audit_count (f->store);

  if (!try_mount_tmpfs (mnt, "size=64k"))
    {
      g_test_message ("disk full: mount refused, running the RLIMIT_FSIZE fallback instead");
      g_assert_cmpint (g_mkdir_with_parents (mnt, 0700), ==, 0);
      g_assert_true (g_file_set_contents (notes, "the investigator's own notes", -1, NULL));
      run_file_size_limit (f, folder, db_before);
      return;
    }
  g_test_message ("disk full: a 64 KiB tmpfs at %s, filled up to 8 KiB free", mnt);
  /* What was beside the export before stays. */
  g_assert_true (g_file_set_contents (notes, "the investigator's own notes", -1, NULL));
  fill_up (mnt, 8192);
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GFile) dir = g_file_new_for_path (folder);

    g_assert_null (attest_exporter_export (f->store, dir, NULL, ACTOR, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
    g_assert_nonnull (strstr (error->message, "the disk is full"));
    assert_failed_cleanly (f, error, folder, before, db_before, NULL);
    assert_only_notes (mnt, "filler");
  }
  /* With room again the same export goes through. */
  {
    g_autofree char *filler = g_build_filename (mnt, "filler", NULL);
    g_autoptr (GError) error = NULL;
    g_autoptr (GFile) dir = g_file_new_for_path (folder);
    g_autoptr (AttestExportResult) result = NULL;

    g_assert_cmpint (g_unlink (filler), ==, 0);
    result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (result->n_matches, ==, 3);
    g_assert_cmpint (audit_count (f->store), ==, before + 1);
  }
  g_assert_cmpint (umount (mnt), ==, 0);
}

/* The fallback on its own, so it is known to work where mounting is refused. */
static void
test_export_file_size_limit (Fixture       *f,
                             gconstpointer  data)
{
  g_autofree char *parent = g_build_filename (f->dir, "limited", NULL);
  g_autofree char *folder = g_build_filename (parent, "case", NULL);
  g_autofree char *notes = g_build_filename (parent, "notes.txt", NULL);
  g_autofree char *db_before = db_sha256 (f);

  g_assert_cmpint (g_mkdir_with_parents (parent, 0700), ==, 0);
  g_assert_true (g_file_set_contents (notes, "the investigator's own notes", -1, NULL));
  run_file_size_limit (f, folder, db_before);
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

  /* The _full variant copies the selection: the caller's array may go at once. */
  {
    AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
    g_autofree gint64 *ids = g_new (gint64, 1);
    g_autofree char *chosen = g_build_filename (f->dir, "from the app, chosen", NULL);
    g_autoptr (GFile) chosen_dir = g_file_new_for_path (chosen);
    g_autofree char *chosen_csv = NULL;
    g_autoptr (GPtrArray) chosen_rows = NULL;

    g_clear_pointer (&result, attest_export_result_free);
    ids[0] = f->match_ids[1];
    options.actor = ACTOR;
    options.match_ids = ids;
    options.n_match_ids = 1;
    attest_exporter_export_full_async (f->store, chosen_dir, &options, NULL, on_exported, &result);
    g_clear_pointer (&ids, g_free);
    while (result == NULL)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (result->n_matches, ==, 1);
    chosen_csv = read_text (chosen, "matches.csv");
    chosen_rows = parse_csv (chosen_csv);
    g_assert_cmpstr (csv_get (chosen_rows, 1, "identity"), ==, BO);
  }
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
  g_assert_cmpuint (json_array_get_length (files), ==, 8);
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

  /* attest-cli verify-export: exit 0 on the export as written, 1 naming a changed file. */
  {
    const char *args[] = { "verify-export", out, NULL };
    g_autofree char *report = g_build_filename (out, "report.html", NULL);

    run_cli (&run, args);
    g_test_message ("verify-export: %s%s", run.out, run.err);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_true (g_str_has_prefix (run.out, "{\"intact\":true,\"files\":6,"));
    g_assert_nonnull (strstr (run.out, "\"this_installation\":true"));
    g_assert_nonnull (strstr (run.out, "\"problems\":[]}"));
    run_clear (&run);

    flip_byte (report, 100);
    run_cli (&run, args);
    g_test_message ("verify-export, report.html changed: %s%s", run.out, run.err);
    g_assert_cmpint (run.status, ==, 1);
    g_assert_true (g_str_has_prefix (run.out, "{\"intact\":false,"));
    g_assert_nonnull (strstr (run.err, "report.html differs from the manifest"));
    run_clear (&run);
    flip_byte (report, 100);
  }

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

  /* A time range: 1000..2000 ms of every source is Ann's match at 1200 ms in A. */
  {
    g_autofree char *ranged = g_build_filename (f->dir, "cli range", NULL);
    g_autofree char *ranged_csv = NULL;
    g_autoptr (GPtrArray) ranged_rows = NULL;
    const char *args[] = { "--database", f->db_path, "export", "--to", ranged, "--from-ms", "1000",
                           "--to-ms", "2000", "--reviewer", "Cli Clara", NULL };

    run_cli (&run, args);
    g_assert_cmpint (run.status, ==, 0);
    g_assert_nonnull (strstr (run.out, "\"matches\":1,"));
    ranged_csv = read_text (ranged, "matches.csv");
    ranged_rows = parse_csv (ranged_csv);
    g_assert_cmpuint (ranged_rows->len, ==, 2);
    g_assert_cmpstr (csv_get (ranged_rows, 1, "time_ms"), ==, "1200");
    run_clear (&run);
    before++;
  }

  /* Usage: a range that ends before it starts. */
  {
    const char *args[] = { "--database", f->db_path, "export", "--to", out, "--from-ms", "5",
                           "--to-ms", "1", NULL };

    run_cli (&run, args);
  }
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, "--from-ms"));
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

/* Names and rationales that a spreadsheet would run as formulas reach matches.csv as text (a
 * leading '), and matches.json as they were typed. */
static void
test_export_csv_formulas (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "formulas", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autofree char *uri = g_filename_to_uri (f->video_a, NULL, NULL);
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  const char *formulas[] = { "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)", "+1", "\tTAB", "\rCR" };
  gint64 face = enrol (f, "=HYPERLINK(\"http://x\")", 2, 48);
  guint found = 0;

  for (guint i = 0; i < G_N_ELEMENTS (formulas); i++)
    confirm_match (f, face, uri, f->sha_a, 6000 + 100 * i, 0.8, formulas[i]);
  result = attest_exporter_export (f->store, dir, NULL, "Exporting Ed", &error);
  g_assert_no_error (error);
  csv = read_text (out, "matches.csv");
  rows = parse_csv (csv);
  for (guint r = 1; r < rows->len; r++)
    {
      const char *rationale = csv_get (rows, r, "rationale");

      /* The rows before were typed without a formula: unchanged. */
      if (!g_str_equal (csv_get (rows, r, "identity"), "'=HYPERLINK(\"http://x\")"))
        {
          g_assert_cmpint (csv_get (rows, r, "identity")[0], !=, '\'');
          continue;
        }
      g_assert_cmpint (rationale[0], ==, '\'');
      g_assert_nonnull (strchr ("=+-@\t\r", rationale[1]));
      found++;
    }
  g_assert_cmpuint (found, ==, G_N_ELEMENTS (formulas));
  /* Numbers stay numbers, the JSON keeps the text as typed. */
  g_assert_cmpstr (csv_get (rows, 1, "score"), ==, "0.71");
  json = read_text (out, "matches.json");
  g_assert_nonnull (strstr (json, "\"=HYPERLINK(\\\"http://x\\\")\""));
  g_assert_nonnull (strstr (json, "\"-2+3+cmd|' /C calc'!A0\""));
}

/* Someone holding the database file edits a match, or an audit entry (its append-only
 * triggers dropped first): the export refuses, names what differs, writes and records
 * nothing. */
static void
test_export_refuses_tampered (Fixture       *f,
                              gconstpointer  data)
{
  const char *attacks[] = {
    "UPDATE matches SET identity_id = (SELECT max (id) FROM identities), reviewer = 'Alice"
    " Trusted', rationale = 'clear match', score = 0.99 WHERE id = 1",
    "DROP TRIGGER audit_no_update; UPDATE audit SET rationale = 'forged' WHERE id = 3",
    /* The newest confirmation removed and the head moved back to the entry before it. */
    "DROP TRIGGER audit_no_delete; UPDATE matches SET audit_id = NULL WHERE audit_id = 5;"
    " DELETE FROM matches WHERE audit_id IS NULL; DELETE FROM audit WHERE id = 5;"
    " UPDATE attest_meta SET value = 4 WHERE key = 'audit_count';"
    " UPDATE attest_meta SET value = (SELECT hash FROM audit WHERE id = 4) WHERE key = 'audit_head'",
  };
  const char *messages[] = {
    "Match 1 does not say what its confirmation (audit entry 3) says: identity, reviewer,"
    " rationale, score",
    "the audit log does not verify",
    "the audit log does not verify (The audit log’s head (entry 4) was not written by this "
    "installation: newer entries were removed or the head was moved)",
  };

  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *copy = g_strdup_printf ("%s/tampered-%u.db", f->dir, i);
      g_autofree char *out = g_strdup_printf ("%s/tampered-%u", f->dir, i);
      g_autoptr (GFile) dir = g_file_new_for_path (out);
      g_autoptr (AttestStore) store = NULL;
      g_autoptr (AttestExportResult) result = NULL;
      sqlite3 *db = NULL;
      gint64 before;

      /* A copy of the file, edited with plain SQLite as the sqlite3 tool would. */
      g_assert_true (attest_store_checkpoint (f->store, &error));
      g_assert_no_error (error);
      {
        g_autoptr (GFile) from = g_file_new_for_path (f->db_path);
        g_autoptr (GFile) to = g_file_new_for_path (copy);

        g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, &error));
      }
      g_assert_cmpint (sqlite3_open (copy, &db), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (db, attacks[i], NULL, NULL, NULL), ==, SQLITE_OK);
      sqlite3_close (db);

      store = attest_store_open (copy, &error);
      g_assert_no_error (error);
      before = audit_count (store);
      result = attest_exporter_export (store, dir, NULL, ACTOR, &error);
      g_assert_null (result);
      g_assert_error (error, ATTEST_EXPORTER_ERROR, ATTEST_EXPORTER_ERROR_TAMPERED);
      g_test_message ("%s", error->message);
      g_assert_nonnull (strstr (error->message, messages[i]));
      g_assert_true (g_str_has_prefix (error->message, "Nothing was exported"));
      g_assert_false (g_file_query_exists (dir, NULL));
      g_assert_cmpint (audit_count (store), ==, before);
    }
}

static guint
count_pngs (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  const char *name;
  guint n = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    n += g_str_has_suffix (name, ".png");
  return n;
}

static void
exec_sql (AttestStore *store,
          const char  *sql)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = _attest_store_lock (store);

  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  _attest_store_unlock (store);
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(char *const *) a, *(char *const *) b);
}

/* The names in a folder, sorted, with each file's SHA-256: what "as it was" means. */
static char *
folder_state (const char *folder)
{
  g_autoptr (GDir) dir = g_dir_open (folder, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  GString *out = g_string_new (NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (folder, g_ptr_array_index (names, i), NULL);
      g_autofree char *contents = NULL;
      g_autofree char *sha = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      g_string_append_printf (out, "%s %s\n", (char *) g_ptr_array_index (names, i), sha);
    }
  return g_string_free (out, FALSE);
}

/* Where an export goes: a folder of someone's other files is refused and untouched; a
 * previous Attest export is replaced as a whole (a narrower one leaves no stale crop); a
 * re-export that fails leaves the previous one byte for byte; the folder is the user's alone
 * (0700) and so are its files (0600). */
static void
test_export_folders (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *others = g_build_filename (f->dir, "others", NULL);
  g_autofree char *out = g_build_filename (f->dir, "case 12", NULL);
  g_autoptr (GFile) others_dir = g_file_new_for_path (others);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *state = NULL;
  gint64 audit_before;

  /* Someone's folder: refused, left as it was, nothing recorded. */
  g_assert_cmpint (g_mkdir (others, 0755), ==, 0);
  write_source (others, "notes.txt", "the investigator's own notes");
  before = folder_state (others);
  audit_before = audit_count (f->store);
  g_assert_null (attest_exporter_export (f->store, others_dir, NULL, ACTOR, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS);
  g_assert_nonnull (strstr (error->message, "it holds other files"));
  g_clear_error (&error);
  state = folder_state (others);
  g_assert_cmpstr (state, ==, before);
  g_assert_cmpint (audit_count (f->store), ==, audit_before);
  g_clear_pointer (&before, g_free);
  g_clear_pointer (&state, g_free);

  /* A new folder: the user's alone. */
  {
    g_autoptr (AttestExportResult) result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
    GStatBuf st;

    g_assert_no_error (error);
    g_assert_cmpint (g_stat (out, &st), ==, 0);
    g_assert_cmpint (st.st_mode & 0777, ==, 0700);
    for (guint i = 0; i < result->files->len; i++)
      {
        g_autofree char *path = g_build_filename (out, g_ptr_array_index (result->files, i), NULL);

        g_assert_cmpint (g_stat (path, &st), ==, 0);
        g_assert_cmpint (st.st_mode & 0777, ==, 0600);
      }
    g_assert_cmpuint (count_pngs (out), ==, 3);
  }

  /* Again, narrower (one source): replaced as a whole, no crop of the other source stays. */
  {
    g_autoptr (AttestExportResult) result = attest_exporter_export (f->store, dir, f->sha_b, ACTOR,
                                                                    &error);

    g_assert_no_error (error);
    g_assert_cmpuint (result->n_matches, ==, 1);
    g_assert_cmpuint (count_pngs (out), ==, 1);
  }

  /* A re-export that fails at the very end (the database refuses the export's record): the
   * previous export is there as it was, nothing beside it. */
  before = folder_state (out);
  audit_before = audit_count (f->store);
  exec_sql (f->store, "CREATE TEMP TRIGGER test_export_fails BEFORE INSERT ON main.audit"
                      " BEGIN SELECT RAISE (ABORT, 'the database is locked (test)'); END;");
  g_assert_null (attest_exporter_export (f->store, dir, NULL, ACTOR, &error));
  g_assert_nonnull (error);
  g_test_message ("failed re-export: %s", error->message);
  g_clear_error (&error);
  exec_sql (f->store, "DROP TRIGGER temp.test_export_fails");
  state = folder_state (out);
  g_assert_cmpstr (state, ==, before);
  g_assert_cmpint (audit_count (f->store), ==, audit_before);
  {
    g_autoptr (GDir) parent = g_dir_open (f->dir, 0, NULL);
    const char *name;

    while ((name = g_dir_read_name (parent)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".case 12.attest-"));
  }

  /* An export killed half-way (as Ctrl+C or a power cut would) left a half-written folder and,
   * between its two renames, the previous export moved aside with nothing in its place: the
   * next export puts the previous one back first, then replaces it, and leaves nothing
   * beside it. */
  {
    g_autofree char *half = g_build_filename (f->dir, ".case 12.attest-new-KILLED", NULL);
    g_autofree char *aside = g_build_filename (f->dir, ".case 12.attest-old-KILLED", NULL);
    g_autoptr (AttestExportResult) result = NULL;
    g_autoptr (GDir) parent = NULL;
    const char *name;

    g_assert_cmpint (g_mkdir (half, 0700), ==, 0);
    write_source (half, "matches.csv", "half");
    g_assert_cmpint (g_rename (out, aside), ==, 0);
    result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (count_pngs (out), ==, 3);
    parent = g_dir_open (f->dir, 0, NULL);
    while ((name = g_dir_read_name (parent)) != NULL)
      g_assert_false (g_str_has_prefix (name, ".case 12.attest-"));
  }
}


/* ---- self-verifying exports ---- */

static void
copy_folder (const char *from,
             const char *to)
{
  g_autoptr (GDir) dir = g_dir_open (from, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  g_assert_cmpint (g_mkdir (to, 0700), ==, 0);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *a = g_build_filename (from, name, NULL);
      g_autofree char *b = g_build_filename (to, name, NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      g_assert_true (g_file_get_contents (a, &contents, &length, NULL));
      g_assert_true (g_file_set_contents (b, contents, length, NULL));
    }
}

static void
flip_byte (const char *path,
           gsize       at)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  g_assert_cmpuint (length, >, 0);
  contents[MIN (at, length - 1)] ^= 0x01;
  g_assert_true (g_file_set_contents (path, contents, length, NULL));
}

static AttestExportCheck *
check_folder (Fixture    *f,
              const char *folder)
{
  g_autoptr (GError) error = NULL;
  AttestExportCheck *check = attest_export_check (folder, attest_store_get_key (f->store), &error);

  g_assert_no_error (error);
  g_assert_nonnull (check);
  for (guint i = 0; i < check->problems->len; i++)
    g_test_message ("  problem: %s", (char *) g_ptr_array_index (check->problems, i));
  return check;
}

static gboolean
has_problem (AttestExportCheck *check,
             const char        *text)
{
  for (guint i = 0; i < check->problems->len; i++)
    if (strstr (g_ptr_array_index (check->problems, i), text) != NULL)
      return TRUE;
  return FALSE;
}

/* An export checks itself against its signed manifest; a byte changed in any of its files,
 * a file added or removed, or a manifest re-written to fit an edit is named. */
static void
test_export_self_verifying (Fixture       *f,
                            gconstpointer  data)
{
  g_autofree char *out = g_build_filename (f->dir, "signed", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (AttestExportCheck) check = NULL;
  g_autofree char *report = NULL;
  const char *png = NULL;
  guint n = 0;

  result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
  g_assert_no_error (error);
  check = check_folder (f, out);
  g_assert_true (check->intact);
  g_assert_true (check->this_installation);
  g_assert_cmpstr (check->key_id, ==, attest_key_get_id (attest_store_get_key (f->store)));
  g_assert_cmpuint (check->n_files, ==, result->files->len - 2);
  g_assert_cmpuint (check->n_matches, ==, 3);
  g_assert_cmpuint (check->n_entries, ==, audit_count (f->store) - 1);
  {
    g_autofree char *head = last_audit_entry_before_export_hash (f->store);

    g_assert_cmpstr (check->head, ==, head);
  }
  report = read_text (out, "report.html");
  g_assert_nonnull (strstr (report, check->key_id));
  g_assert_nonnull (strstr (report, check->head));
  g_clear_pointer (&check, attest_export_check_free);

  for (guint i = 0; i < result->files->len; i++)
    if (g_str_has_suffix (g_ptr_array_index (result->files, i), ".png"))
      png = g_ptr_array_index (result->files, i);
  g_assert_nonnull (png);

  {
    const struct { const char *file; gsize at; const char *says; } edits[] = {
      { "matches.csv", 40, "matches.csv differs from the manifest" },
      { "matches.json", 60, "matches.json differs from the manifest" },
      { "report.html", 500, "report.html differs from the manifest" },
      { "audit.jsonl", 30, "audit.jsonl differs from the manifest" },
      { png, 60, "differs from the manifest" },
      { "attest-export.json", 40, "attest-export.json" },
      { "attest-export.sig", 3, "does not match its signature" },
    };

    for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
      {
        g_autofree char *name = g_strdup_printf ("edited-%u", i);
        g_autofree char *copy = g_build_filename (f->dir, name, NULL);
        g_autofree char *path = g_build_filename (copy, edits[i].file, NULL);
        g_autoptr (AttestExportCheck) edited = NULL;

        copy_folder (out, copy);
        flip_byte (path, edits[i].at);
        g_test_message ("a byte of %s changed:", edits[i].file);
        edited = check_folder (f, copy);
        g_assert_false (edited->intact);
        g_assert_true (has_problem (edited, edits[i].says));
        if (i < 5)
          g_assert_true (has_problem (edited, edits[i].file));
        n++;
      }
  }

  /* A file added, a file removed. */
  {
    g_autofree char *copy = g_build_filename (f->dir, "added", NULL);
    g_autoptr (AttestExportCheck) edited = NULL;

    copy_folder (out, copy);
    write_source (copy, "extra.txt", "not from Attest");
    edited = check_folder (f, copy);
    g_assert_false (edited->intact);
    g_assert_true (has_problem (edited, "extra.txt is not part of the export"));
  }
  {
    g_autofree char *copy = g_build_filename (f->dir, "removed", NULL);
    g_autofree char *path = g_build_filename (copy, png, NULL);
    g_autoptr (AttestExportCheck) edited = NULL;

    copy_folder (out, copy);
    g_assert_cmpint (g_unlink (path), ==, 0);
    edited = check_folder (f, copy);
    g_assert_false (edited->intact);
    g_assert_true (has_problem (edited, png));
    g_assert_true (has_problem (edited, "it is missing"));
  }

  /* A careful forger: edits matches.json's score and puts the file's new hash in the manifest.
   * The signature no longer holds, and the match no longer says what its confirmation says. */
  {
    g_autofree char *copy = g_build_filename (f->dir, "forged", NULL);
    g_autofree char *json_path = g_build_filename (copy, "matches.json", NULL);
    g_autofree char *manifest_path = g_build_filename (copy, "attest-export.json", NULL);
    g_autofree char *json = NULL;
    g_autofree char *manifest = NULL;
    g_autofree char *old_sha = NULL;
    g_autofree char *new_sha = NULL;
    g_autoptr (GString) edited_json = NULL;
    g_autoptr (GString) edited_manifest = NULL;
    g_autoptr (AttestExportCheck) edited = NULL;

    copy_folder (out, copy);
    g_assert_true (g_file_get_contents (json_path, &json, NULL, NULL));
    old_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, json, -1);
    edited_json = g_string_new (json);
    g_assert_cmpuint (g_string_replace (edited_json, "\"score\" : 0.62", "\"score\" : 0.99", 1), ==, 1);
    g_assert_true (g_file_set_contents (json_path, edited_json->str, -1, NULL));
    new_sha = g_compute_checksum_for_string (G_CHECKSUM_SHA256, edited_json->str, -1);
    g_assert_true (g_file_get_contents (manifest_path, &manifest, NULL, NULL));
    edited_manifest = g_string_new (manifest);
    g_assert_cmpuint (g_string_replace (edited_manifest, old_sha, new_sha, 1), ==, 1);
    g_assert_true (g_file_set_contents (manifest_path, edited_manifest->str, -1, NULL));
    edited = check_folder (f, copy);
    g_assert_false (edited->intact);
    g_assert_true (has_problem (edited, "does not match its signature"));
    g_assert_true (has_problem (edited, "does not say what its confirmation"));
    g_assert_true (has_problem (edited, "score"));
  }

  /* Made by another installation: it verifies against the key it names, which is not ours. */
  {
    g_autofree char *key_path = g_build_filename (f->dir, "other.key", NULL);
    g_autoptr (AttestKey) other = attest_key_load (key_path, TRUE, &error);
    g_autoptr (AttestExportCheck) theirs = NULL;

    g_assert_no_error (error);
    theirs = attest_export_check (out, other, &error);
    g_assert_no_error (error);
    g_assert_true (theirs->intact);
    g_assert_false (theirs->this_installation);
  }

  /* Not an export at all. */
  {
    g_autoptr (AttestExportCheck) none = attest_export_check (f->dir, NULL, &error);

    g_assert_null (none);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
    g_assert_nonnull (strstr (error->message, "is not an Attest export"));
    g_clear_error (&error);
  }
  g_assert_cmpuint (n, ==, 7);
}

/* One match exported: audit.jsonl shows in full only what it depends on; the other person's
 * enrolment and confirmations are hashes, and the chain still checks from end to end. */
static void
test_export_minimal_disclosure (Fixture       *f,
                                gconstpointer  data)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (GPtrArray) rows = NULL;
  g_autoptr (AttestExportCheck) check = NULL;
  g_autofree char *out = g_build_filename (f->dir, "one", NULL);
  g_autofree char *jsonl = NULL;
  g_autofree char *bo_json = NULL;

  options.actor = ACTOR;
  options.match_ids = &f->match_ids[1];
  options.n_match_ids = 1;
  rows = export_rows (f, "one", &options, &result);
  g_assert_cmpuint (rows->len, ==, 2);
  jsonl = read_text (out, "audit.jsonl");
  /* Ann's name is in JSON as "Ann \"Nan\" O'Neil <b>": neither form is anywhere. */
  g_assert_null (strstr (jsonl, "Nan"));
  g_assert_null (strstr (jsonl, "door camera"));
  g_assert_null (strstr (jsonl, RATIONALE));
  bo_json = g_strdup ("Bo, Jr. & Co");
  g_assert_nonnull (strstr (jsonl, bo_json));
  check = check_folder (f, out);
  g_assert_true (check->intact);
  /* Entries: enrol Ann, enrol Bo, three confirmations; disclosed: Bo's enrolment and his
   * confirmation. */
  g_assert_cmpuint (check->n_entries, ==, 5);
  g_assert_cmpuint (check->n_withheld, ==, 3);
}

/* A rename and a merge after the confirmation: the match still shows the name the reviewer
 * confirmed, says what it is called now, lists both in its decision chain, and verifies. */
static void
test_export_renamed_since (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *out = g_build_filename (f->dir, "renamed", NULL);
  g_autoptr (GFile) dir = g_file_new_for_path (out);
  g_autoptr (AttestExportResult) result = NULL;
  g_autoptr (AttestExportCheck) check = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *json = NULL;
  g_autofree char *html = NULL;
  JsonArray *matches;
  gint64 ann = query_int (f->store, "SELECT id FROM identities WHERE name LIKE 'Ann%'");
  gint64 bo = query_int (f->store, "SELECT id FROM identities WHERE name LIKE 'Bo%'");

  g_assert_true (attest_store_rename_identity (f->store, ann, "Ann Other", "Gail Gallery", &error));
  g_assert_no_error (error);
  g_assert_true (attest_store_merge_identities (f->store, bo, ann, "Gail Gallery",
                                                "same person, two enrolments", &error));
  g_assert_no_error (error);
  problems = attest_store_verify_matches (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);

  result = attest_exporter_export (f->store, dir, NULL, ACTOR, &error);
  g_assert_no_error (error);
  check = check_folder (f, out);
  g_assert_true (check->intact);

  json = read_text (out, "matches.json");
  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  matches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "matches");
  g_assert_cmpuint (json_array_get_length (matches), ==, 3);
  {
    JsonObject *m0 = json_array_get_object_element (matches, 0);
    JsonObject *m1 = json_array_get_object_element (matches, 1);

    g_assert_cmpstr (json_object_get_string_member (m0, "identity"), ==, ANN);
    g_assert_cmpstr (json_object_get_string_member (m0, "identity_now"), ==, "Ann Other");
    g_assert_cmpstr (json_object_get_string_member (m1, "identity"), ==, BO);
    g_assert_cmpstr (json_object_get_string_member (m1, "identity_now"), ==, "Ann Other");
  }
  html = read_text (out, "report.html");
  g_assert_nonnull (strstr (html, "Identity now (renamed or merged since"));
  g_assert_nonnull (strstr (html, "to “Ann Other”"));
  g_assert_nonnull (strstr (html, "merge “Bo, Jr. &amp; Co” into “Ann Other”"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/exporter/all", Fixture, NULL, fixture_set_up, test_export_all, fixture_tear_down);
  g_test_add ("/exporter/csv-formulas", Fixture, NULL, fixture_set_up, test_export_csv_formulas, fixture_tear_down);
  g_test_add ("/exporter/refuses-tampered", Fixture, NULL, fixture_set_up, test_export_refuses_tampered, fixture_tear_down);
  g_test_add ("/exporter/folders", Fixture, NULL, fixture_set_up, test_export_folders, fixture_tear_down);
  g_test_add ("/exporter/self-verifying", Fixture, NULL, fixture_set_up, test_export_self_verifying, fixture_tear_down);
  g_test_add ("/exporter/minimal-disclosure", Fixture, NULL, fixture_set_up, test_export_minimal_disclosure, fixture_tear_down);
  g_test_add ("/exporter/renamed-since", Fixture, NULL, fixture_set_up, test_export_renamed_since, fixture_tear_down);
  g_test_add ("/exporter/one-source", Fixture, NULL, fixture_set_up, test_export_one_source, fixture_tear_down);
  g_test_add ("/exporter/skips-revoked", Fixture, NULL, fixture_set_up, test_export_skips_revoked, fixture_tear_down);
  g_test_add ("/exporter/probe-crop", Fixture, NULL, fixture_set_up, test_export_probe_crop, fixture_tear_down);
  g_test_add ("/exporter/unwritable", Fixture, NULL, fixture_set_up, test_export_unwritable, fixture_tear_down);
  g_test_add ("/exporter/time-range", Fixture, NULL, fixture_set_up, test_export_time_range, fixture_tear_down);
  g_test_add ("/exporter/match-ids", Fixture, NULL, fixture_set_up, test_export_match_ids, fixture_tear_down);
  g_test_add ("/exporter/fields", Fixture, NULL, fixture_set_up, test_export_fields, fixture_tear_down);
  g_test_add ("/exporter/report-images", Fixture, NULL, fixture_set_up, test_export_report_images, fixture_tear_down);
  g_test_add ("/exporter/report-fmr", Fixture, NULL, fixture_set_up, test_export_report_fmr, fixture_tear_down);
  g_test_add ("/exporter/audit-verifiable", Fixture, NULL, fixture_set_up, test_export_audit_verifiable, fixture_tear_down);
  g_test_add ("/exporter/read-only-mount", Fixture, NULL, fixture_set_up, test_export_read_only_mount, fixture_tear_down);
  g_test_add ("/exporter/disk-full", Fixture, NULL, fixture_set_up, test_export_disk_full, fixture_tear_down);
  g_test_add ("/exporter/file-size-limit", Fixture, NULL, fixture_set_up, test_export_file_size_limit, fixture_tear_down);
  g_test_add_func ("/exporter/file-size-limit-child", test_export_file_size_limit_child);
  g_test_add ("/exporter/async", Fixture, NULL, fixture_set_up, test_export_async, fixture_tear_down);
  g_test_add ("/exporter/cli", Fixture, NULL, fixture_set_up, test_cli_export, fixture_tear_down);
  return g_test_run ();
}
