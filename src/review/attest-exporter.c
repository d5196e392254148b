/* attest-exporter.c: evidence export (see attest-exporter.h).
 *
 * Reads the matches straight from the store's tables under its lock (the columns of schema v1,
 * plus review_item_id / revoked_at / review_items.probe_png when a later schema has them, found
 * with PRAGMA table_info), then writes every file into a temporary folder and renames them into
 * place. The audit append comes last, so a failed export is never recorded as done. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "review/attest-exporter.h"
#include "store/attest-store-private.h"

typedef struct
{
  gint64  id;
  char   *source_uri;
  char   *source_sha256;
  gint64  source_ms;
  gint64  frame;            /* -1: unknown */
  double  box[4];
  char   *identity;
  double  score;
  double  threshold;
  char   *model_id;
  char   *reviewer;
  gint64  decided_at;       /* UTC microseconds */
  char   *rationale;
  gint64  audit_id;         /* -1: none */
  gint64  review_item_id;   /* -1: none */
  GBytes *probe_png;
  GBytes *gallery_png;
} ExportMatch;

static void
export_match_free (ExportMatch *m)
{
  g_free (m->source_uri);
  g_free (m->source_sha256);
  g_free (m->identity);
  g_free (m->model_id);
  g_free (m->reviewer);
  g_free (m->rationale);
  g_clear_pointer (&m->probe_png, g_bytes_unref);
  g_clear_pointer (&m->gallery_png, g_bytes_unref);
  g_free (m);
}

void
attest_export_result_free (AttestExportResult *result)
{
  if (result == NULL)
    return;
  g_free (result->folder);
  g_clear_pointer (&result->files, g_ptr_array_unref);
  g_free (result->csv_sha256);
  g_free (result);
}

/* ---- reading ---- */

static gboolean
has_column (sqlite3    *db,
            const char *table,
            const char *column)
{
  g_autofree char *sql = g_strdup_printf ("PRAGMA table_info (%s)", table);
  sqlite3_stmt *stmt = NULL;
  gboolean found = FALSE;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK)
    return FALSE;
  while (!found && sqlite3_step (stmt) == SQLITE_ROW)
    found = g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), column) == 0;
  sqlite3_finalize (stmt);
  return found;
}

static char *
column_strdup (sqlite3_stmt *stmt,
               int           i)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, i));
}

static GBytes *
column_bytes (sqlite3_stmt *stmt,
              int           i)
{
  if (sqlite3_column_type (stmt, i) != SQLITE_BLOB)
    return NULL;
  return g_bytes_new (sqlite3_column_blob (stmt, i), sqlite3_column_bytes (stmt, i));
}

static gint64
column_id (sqlite3_stmt *stmt,
           int           i)
{
  return sqlite3_column_type (stmt, i) == SQLITE_NULL ? -1 : sqlite3_column_int64 (stmt, i);
}

static GPtrArray *
read_matches (AttestStore  *store,
              const char   *source_sha256,
              GError      **error)
{
  g_autoptr (GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) export_match_free);
  g_autofree char *sql = NULL;
  sqlite3 *db = _attest_store_lock (store);
  sqlite3_stmt *stmt = NULL;
  gboolean has_item = has_column (db, "matches", "review_item_id");
  gboolean has_revoked = has_column (db, "matches", "revoked_at");
  gboolean has_probe = has_item && has_column (db, "review_items", "probe_png");
  int rc;

  sql = g_strdup_printf (
    "SELECT m.id, s.uri, s.sha256, m.source_ms, m.frame, m.box_x, m.box_y, m.box_w, m.box_h,"
    "  i.name, m.score, m.threshold, m.model_id, m.reviewer, m.decided_at, m.rationale,"
    "  m.audit_id, %s, %s,"
    /* The matched face's thumbnail, else the identity's first face that has one. */
    "  coalesce ((SELECT f.thumbnail_png FROM faces f"
    "             WHERE f.id = m.face_id AND f.thumbnail_png IS NOT NULL),"
    "            (SELECT f.thumbnail_png FROM faces f"
    "             WHERE f.identity_id = m.identity_id AND f.thumbnail_png IS NOT NULL"
    "             ORDER BY f.id LIMIT 1))"
    " FROM matches m JOIN sources s ON s.id = m.source_id"
    "  JOIN identities i ON i.id = m.identity_id"
    " WHERE (?1 IS NULL OR s.sha256 = ?1) %s"
    " ORDER BY m.id",
    has_item ? "m.review_item_id" : "NULL",
    has_probe ? "(SELECT r.probe_png FROM review_items r WHERE r.id = m.review_item_id)" : "NULL",
    has_revoked ? "AND m.revoked_at IS NULL" : "");

  rc = sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL);
  if (rc == SQLITE_OK)
    {
      if (source_sha256 != NULL)
        sqlite3_bind_text (stmt, 1, source_sha256, -1, SQLITE_TRANSIENT);
      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        {
          ExportMatch *m = g_new0 (ExportMatch, 1);

          m->id = sqlite3_column_int64 (stmt, 0);
          m->source_uri = column_strdup (stmt, 1);
          m->source_sha256 = column_strdup (stmt, 2);
          m->source_ms = sqlite3_column_int64 (stmt, 3);
          m->frame = column_id (stmt, 4);
          for (int b = 0; b < 4; b++)
            m->box[b] = sqlite3_column_double (stmt, 5 + b);
          m->identity = column_strdup (stmt, 9);
          m->score = sqlite3_column_double (stmt, 10);
          m->threshold = sqlite3_column_double (stmt, 11);
          m->model_id = column_strdup (stmt, 12);
          m->reviewer = column_strdup (stmt, 13);
          m->decided_at = sqlite3_column_int64 (stmt, 14);
          m->rationale = column_strdup (stmt, 15);
          m->audit_id = column_id (stmt, 16);
          m->review_item_id = column_id (stmt, 17);
          m->probe_png = column_bytes (stmt, 18);
          m->gallery_png = column_bytes (stmt, 19);
          g_ptr_array_add (matches, m);
        }
    }
  if (rc != SQLITE_DONE)
    _attest_store_set_sqlite_error (error, db, rc, _("Could not read the confirmed matches"));
  sqlite3_finalize (stmt);
  _attest_store_unlock (store);
  return rc == SQLITE_DONE ? g_steal_pointer (&matches) : NULL;
}

/* ---- formatting ---- */

static char *
format_time (gint64 us)
{
  g_autoptr (GDateTime) seconds = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);
  g_autoptr (GDateTime) exact = NULL;

  if (seconds == NULL)
    return g_strdup ("");
  exact = g_date_time_add (seconds, us % G_USEC_PER_SEC);
  return g_date_time_format_iso8601 (exact);
}

static char *
format_double (double value)
{
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  return g_strdup (g_ascii_formatd (buffer, sizeof buffer, "%.6g", value));
}

static char *
png_name (const ExportMatch *m,
          const char        *which)
{
  return g_strdup_printf ("match-%" G_GINT64_FORMAT "-%s.png", m->id, which);
}

/* RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
static void
csv_field (GString    *out,
           const char *value,
           gboolean    last)
{
  if (value == NULL)
    value = "";
  if (strpbrk (value, ",\"\r\n") != NULL)
    {
      g_string_append_c (out, '"');
      for (const char *p = value; *p != '\0'; p++)
        {
          if (*p == '"')
            g_string_append_c (out, '"');
          g_string_append_c (out, *p);
        }
      g_string_append_c (out, '"');
    }
  else
    g_string_append (out, value);
  g_string_append (out, last ? "\r\n" : ",");
}

static const char *const csv_header[] = {
  "match_id", "source_uri", "source_sha256", "time_ms", "frame", "box_x", "box_y", "box_w",
  "box_h", "identity", "score", "threshold", "model_id", "reviewer", "decided_at", "rationale",
  "probe_png", "gallery_png",
};

static char *
build_csv (GPtrArray *matches)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < G_N_ELEMENTS (csv_header); i++)
    csv_field (out, csv_header[i], i + 1 == G_N_ELEMENTS (csv_header));
  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, m->id);
      g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT, m->source_ms);
      g_autofree char *frame = m->frame >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, m->frame) : NULL;
      g_autofree char *bx = format_double (m->box[0]);
      g_autofree char *by = format_double (m->box[1]);
      g_autofree char *bw = format_double (m->box[2]);
      g_autofree char *bh = format_double (m->box[3]);
      g_autofree char *score = format_double (m->score);
      g_autofree char *threshold = format_double (m->threshold);
      g_autofree char *decided = format_time (m->decided_at);
      g_autofree char *probe = m->probe_png ? png_name (m, "probe") : NULL;
      g_autofree char *gallery = m->gallery_png ? png_name (m, "gallery") : NULL;

      csv_field (out, id, FALSE);
      csv_field (out, m->source_uri, FALSE);
      csv_field (out, m->source_sha256, FALSE);
      csv_field (out, ms, FALSE);
      csv_field (out, frame, FALSE);
      csv_field (out, bx, FALSE);
      csv_field (out, by, FALSE);
      csv_field (out, bw, FALSE);
      csv_field (out, bh, FALSE);
      csv_field (out, m->identity, FALSE);
      csv_field (out, score, FALSE);
      csv_field (out, threshold, FALSE);
      csv_field (out, m->model_id, FALSE);
      csv_field (out, m->reviewer, FALSE);
      csv_field (out, decided, FALSE);
      csv_field (out, m->rationale, FALSE);
      csv_field (out, probe, FALSE);
      csv_field (out, gallery, TRUE);
    }
  return g_string_free (out, FALSE);
}

static void
json_member_string (JsonBuilder *b,
                    const char  *name,
                    const char  *value)
{
  json_builder_set_member_name (b, name);
  if (value != NULL)
    json_builder_add_string_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
json_member_int (JsonBuilder *b,
                 const char  *name,
                 gint64       value,
                 gboolean     valid)
{
  json_builder_set_member_name (b, name);
  if (valid)
    json_builder_add_int_value (b, value);
  else
    json_builder_add_null_value (b);
}

static void
json_member_double (JsonBuilder *b,
                    const char  *name,
                    double       value)
{
  json_builder_set_member_name (b, name);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
}

static char *
builder_to_string (JsonBuilder *b,
                   gboolean     pretty)
{
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (b);

  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, pretty);
  return json_generator_to_data (generator, NULL);
}

static char *
build_json (GPtrArray  *matches,
            const char *source_sha256,
            const char *actor)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_member_string (b, "format", "attest-export/1");
  json_member_string (b, "exported_by", actor);
  json_member_string (b, "source_sha256", source_sha256);
  json_builder_set_member_name (b, "matches");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *decided = format_time (m->decided_at);
      g_autofree char *probe = m->probe_png ? png_name (m, "probe") : NULL;
      g_autofree char *gallery = m->gallery_png ? png_name (m, "gallery") : NULL;

      json_builder_begin_object (b);
      json_member_int (b, "match_id", m->id, TRUE);
      json_member_string (b, "source_uri", m->source_uri);
      json_member_string (b, "source_sha256", m->source_sha256);
      json_member_int (b, "time_ms", m->source_ms, TRUE);
      json_member_int (b, "frame", m->frame, m->frame >= 0);
      json_builder_set_member_name (b, "box");
      json_builder_begin_object (b);
      json_member_double (b, "x", m->box[0]);
      json_member_double (b, "y", m->box[1]);
      json_member_double (b, "w", m->box[2]);
      json_member_double (b, "h", m->box[3]);
      json_builder_end_object (b);
      json_member_string (b, "identity", m->identity);
      json_member_double (b, "score", m->score);
      json_member_double (b, "threshold", m->threshold);
      json_member_string (b, "model_id", m->model_id);
      json_member_string (b, "reviewer", m->reviewer);
      json_member_string (b, "decided_at", decided);
      json_member_string (b, "rationale", m->rationale);
      json_member_int (b, "audit_id", m->audit_id, m->audit_id >= 0);
      json_member_string (b, "probe_png", probe);
      json_member_string (b, "gallery_png", gallery);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b, TRUE);
}

static char *
audit_entry_to_json (const AttestAuditEntry *e)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_member_int (b, "id", e->id, TRUE);
  json_member_int (b, "at_us", e->at_us, TRUE);
  json_member_string (b, "actor", e->actor);
  json_member_string (b, "action", e->action);
  json_member_string (b, "subject", e->subject);
  json_member_string (b, "source_sha256", e->source_sha256);
  json_member_int (b, "source_ms", e->source_ms, e->source_ms >= 0);
  json_member_double (b, "score", e->score);
  json_member_double (b, "threshold", e->threshold);
  json_member_string (b, "model_id", e->model_id);
  json_member_string (b, "rationale", e->rationale);
  json_member_string (b, "details", e->details);
  json_member_string (b, "prev_hash", e->prev_hash);
  json_member_string (b, "hash", e->hash);
  json_builder_end_object (b);
  return builder_to_string (b, FALSE);
}

static char *
build_audit_jsonl (GPtrArray *audit)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < audit->len; i++)
    {
      g_autofree char *line = audit_entry_to_json (g_ptr_array_index (audit, i));

      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

/* The entries that decided this match: its own audit row and any about the match or its item. */
static gboolean
entry_concerns (const AttestAuditEntry *e,
                const ExportMatch      *m)
{
  g_autofree char *match_subject = g_strdup_printf ("match:%" G_GINT64_FORMAT, m->id);
  g_autofree char *item_subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, m->review_item_id);

  return (m->audit_id >= 0 && e->id == m->audit_id) ||
         g_strcmp0 (e->subject, match_subject) == 0 ||
         (m->review_item_id >= 0 && g_strcmp0 (e->subject, item_subject) == 0);
}

static void
html_text (GString    *out,
           const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
}

static void
html_row (GString    *out,
          const char *label,
          const char *value)
{
  g_string_append (out, "<tr><th>");
  html_text (out, label);
  g_string_append (out, "</th><td>");
  html_text (out, value);
  g_string_append (out, "</td></tr>\n");
}

static void
html_face (GString    *out,
           GBytes     *png,
           const char *caption)
{
  g_string_append (out, "<figure>");
  if (png != NULL)
    {
      gsize size;
      const guchar *data = g_bytes_get_data (png, &size);
      g_autofree char *base64 = g_base64_encode (data, size);

      g_string_append_printf (out, "<img alt=\"\" src=\"data:image/png;base64,%s\">", base64);
    }
  else
    {
      g_string_append (out, "<div class=\"missing\">");
      html_text (out, _("No image stored"));
      g_string_append (out, "</div>");
    }
  g_string_append (out, "<figcaption>");
  html_text (out, caption);
  g_string_append (out, "</figcaption></figure>");
}

static const char report_css[] =
  "body{font-family:sans-serif;margin:2em;color:#222}"
  "section.match{border-top:1px solid #999;padding-top:1em;margin-top:2em}"
  ".faces{display:flex;gap:2em}"
  "figure{margin:0;text-align:center}"
  "figure img,.missing{width:160px;height:160px;object-fit:contain;border:1px solid #ccc}"
  ".missing{display:flex;align-items:center;justify-content:center;color:#777}"
  "table{border-collapse:collapse;margin:1em 0}"
  "th,td{text-align:left;padding:2px 8px;border-bottom:1px solid #eee;vertical-align:top}"
  "td{word-break:break-all}"
  "@media print{body{margin:0}section.match{page-break-before:always;break-before:page;"
  "border:none;margin:0}}";

static char *
build_html (GPtrArray  *matches,
            GPtrArray  *audit,
            const char *actor,
            const char *source_sha256)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format_iso8601 (now);
  g_autofree char *count = g_strdup_printf ("%u", matches->len);

  g_string_append_printf (out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>%s</title><style>%s</style></head><body>\n",
                          _("Attest evidence report"), report_css);
  g_string_append (out, "<h1>");
  html_text (out, _("Attest evidence report"));
  g_string_append (out, "</h1>\n<table>\n");
  html_row (out, _("Exported by"), actor);
  html_row (out, _("Exported at"), now_text);
  html_row (out, _("Source"), source_sha256 != NULL ? source_sha256 : _("All sources"));
  html_row (out, _("Confirmed matches"), count);
  if (audit->len > 0)
    html_row (out, _("Audit head (hash of the last entry covered)"),
              ((AttestAuditEntry *) g_ptr_array_index (audit, audit->len - 1))->hash);
  g_string_append (out, "</table>\n");

  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *heading = g_strdup_printf (_("Match %" G_GINT64_FORMAT ": %s"), m->id, m->identity);
      g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT, m->source_ms);
      g_autofree char *frame = m->frame >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, m->frame) : g_strdup ("—");
      g_autofree char *box = g_strdup_printf ("x %.1f, y %.1f, w %.1f, h %.1f",
                                              m->box[0], m->box[1], m->box[2], m->box[3]);
      g_autofree char *score = format_double (m->score);
      g_autofree char *threshold = format_double (m->threshold);
      g_autofree char *decided = format_time (m->decided_at);

      g_string_append_printf (out, "<section class=\"match\" id=\"match-%" G_GINT64_FORMAT "\">\n<h2>",
                              m->id);
      html_text (out, heading);
      g_string_append (out, "</h2>\n<div class=\"faces\">");
      html_face (out, m->probe_png, _("Probe (from the source)"));
      html_face (out, m->gallery_png, _("Gallery face"));
      g_string_append (out, "</div>\n<table>\n");
      html_row (out, _("Identity"), m->identity);
      html_row (out, _("Source"), m->source_uri);
      html_row (out, _("Source SHA-256"), m->source_sha256);
      html_row (out, _("Time (ms)"), ms);
      html_row (out, _("Frame"), frame);
      html_row (out, _("Box (pixels)"), box);
      html_row (out, _("Score"), score);
      html_row (out, _("Threshold"), threshold);
      html_row (out, _("Model"), m->model_id);
      html_row (out, _("Reviewer"), m->reviewer);
      html_row (out, _("Decided at (UTC)"), decided);
      html_row (out, _("Rationale"), m->rationale);
      g_string_append (out, "</table>\n<h3>");
      html_text (out, _("Decision chain"));
      g_string_append (out, "</h3>\n<ol class=\"chain\">\n");
      for (guint j = 0; j < audit->len; j++)
        {
          AttestAuditEntry *e = g_ptr_array_index (audit, j);
          g_autofree char *at = NULL;
          g_autofree char *line = NULL;

          if (!entry_concerns (e, m))
            continue;
          at = format_time (e->at_us);
          line = g_strdup_printf ("#%" G_GINT64_FORMAT " %s — %s by %s (%s)%s%s — hash %s",
                                  e->id, at, e->action, e->actor,
                                  e->subject != NULL ? e->subject : "",
                                  e->rationale != NULL ? ": " : "",
                                  e->rationale != NULL ? e->rationale : "", e->hash);
          g_string_append (out, "<li>");
          html_text (out, line);
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ol>\n</section>\n");
    }
  g_string_append (out, "</body></html>\n");
  return g_string_free (out, FALSE);
}

/* ---- writing ---- */

static void
remove_folder (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}

static gboolean
write_file (const char  *tmp,
            const char  *name,
            const char  *data,
            gsize        size,
            GPtrArray   *files,
            GError     **error)
{
  g_autofree char *path = g_build_filename (tmp, name, NULL);

  if (!g_file_set_contents (path, data, size, error))
    return FALSE;
  g_ptr_array_add (files, g_strdup (name));
  return TRUE;
}

static void
fail_in_folder (GError     **error,
                GError      *cause,
                const char  *folder)
{
  g_set_error (error, G_IO_ERROR, cause != NULL ? cause->code : G_IO_ERROR_FAILED,
               _("Could not export to the folder “%s”: %s"), folder,
               cause != NULL ? cause->message : g_strerror (errno));
}

AttestExportResult *
attest_exporter_export (AttestStore  *store,
                        GFile        *dir,
                        const char   *source_sha256,
                        const char   *actor,
                        GError      **error)
{
  g_autoptr (GPtrArray) matches = NULL;
  g_autoptr (GPtrArray) audit = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *html = NULL;
  g_autofree char *jsonl = NULL;
  g_autofree char *csv_sha256 = NULL;
  g_autofree char *details = NULL;
  AttestAuditEntry entry = { 0 };
  AttestExportResult *result;
  gint64 audit_id;

  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (dir), NULL);
  g_return_val_if_fail (actor != NULL && *actor != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  folder = g_file_get_path (dir);
  if (folder == NULL)
    {
      g_autofree char *uri = g_file_get_uri (dir);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Could not export to “%s”: only local folders are supported"), uri);
      return NULL;
    }

  /* Matches first, then the audit: every exported match's confirmation is in the copy. */
  matches = read_matches (store, source_sha256, error);
  if (matches == NULL)
    return NULL;
  audit = attest_store_list_audit (store, 0, 0, error);
  if (audit == NULL)
    return NULL;

  if (!g_file_make_directory_with_parents (dir, NULL, &local) &&
      !g_error_matches (local, G_IO_ERROR, G_IO_ERROR_EXISTS))
    {
      fail_in_folder (error, local, folder);
      return NULL;
    }
  g_clear_error (&local);

  tmp = g_build_filename (folder, ".attest-export-XXXXXX", NULL);
  if (g_mkdtemp_full (tmp, 0700) == NULL)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   _("Could not export to the folder “%s”: %s"), folder, g_strerror (saved));
      return NULL;
    }

  csv = build_csv (matches);
  json = build_json (matches, source_sha256, actor);
  html = build_html (matches, audit, actor, source_sha256);
  jsonl = build_audit_jsonl (audit);
  csv_sha256 = g_compute_checksum_for_string (G_CHECKSUM_SHA256, csv, -1);

  if (!write_file (tmp, "matches.csv", csv, strlen (csv), files, &local) ||
      !write_file (tmp, "matches.json", json, strlen (json), files, &local) ||
      !write_file (tmp, "report.html", html, strlen (html), files, &local) ||
      !write_file (tmp, "audit.jsonl", jsonl, strlen (jsonl), files, &local))
    goto fail;
  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      const char *which[2] = { "probe", "gallery" };
      GBytes *png[2] = { m->probe_png, m->gallery_png };

      for (int k = 0; k < 2; k++)
        {
          g_autofree char *name = NULL;
          gsize size;
          const char *data;

          if (png[k] == NULL)
            continue;
          name = png_name (m, which[k]);
          data = g_bytes_get_data (png[k], &size);
          if (!write_file (tmp, name, data, size, files, &local))
            goto fail;
        }
    }

  /* Every file is complete: move them into place. */
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = g_ptr_array_index (files, i);
      g_autofree char *from = g_build_filename (tmp, name, NULL);
      g_autofree char *to = g_build_filename (folder, name, NULL);

      if (g_rename (from, to) != 0)
        {
          int saved = errno;

          local = g_error_new (G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s",
                               name, g_strerror (saved));
          goto fail;
        }
    }
  remove_folder (tmp);

  {
    g_autoptr (JsonBuilder) b = json_builder_new ();

    json_builder_begin_object (b);
    json_member_string (b, "folder", folder);
    json_member_int (b, "count", matches->len, TRUE);
    json_member_string (b, "matches_csv_sha256", csv_sha256);
    json_builder_end_object (b);
    details = builder_to_string (b, FALSE);
  }
  entry.actor = (char *) actor;
  entry.action = (char *) "export";
  entry.subject = (char *) "export";
  entry.source_sha256 = (char *) source_sha256;
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;
  entry.details = details;
  audit_id = attest_store_append_audit (store, &entry, error);
  if (audit_id < 0)
    return NULL;

  result = g_new0 (AttestExportResult, 1);
  result->folder = g_steal_pointer (&folder);
  result->n_matches = matches->len;
  result->files = g_steal_pointer (&files);
  result->csv_sha256 = g_steal_pointer (&csv_sha256);
  result->audit_id = audit_id;
  return result;

fail:
  remove_folder (tmp);
  fail_in_folder (error, local, folder);
  return NULL;
}

/* ---- async ---- */

typedef struct
{
  AttestStore *store;
  GFile       *dir;
  char        *source_sha256;
  char        *actor;
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->dir);
  g_free (data->source_sha256);
  g_free (data->actor);
  g_free (data);
}

static void
export_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  ExportData *data = task_data;
  GError *error = NULL;
  AttestExportResult *result = attest_exporter_export (data->store, data->dir, data->source_sha256,
                                                       data->actor, &error);

  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) attest_export_result_free);
  else
    g_task_return_error (task, error);
}

void
attest_exporter_export_async (AttestStore         *store,
                              GFile               *dir,
                              const char          *source_sha256,
                              const char          *actor,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr (GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (ATTEST_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (dir));
  g_return_if_fail (actor != NULL && *actor != '\0');

  data = g_new0 (ExportData, 1);
  data->store = g_object_ref (store);
  data->dir = g_object_ref (dir);
  data->source_sha256 = g_strdup (source_sha256);
  data->actor = g_strdup (actor);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_exporter_export_async);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
}

AttestExportResult *
attest_exporter_export_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
