/* attest-exporter.c: evidence export (see attest-exporter.h).
 *
 * Reads the matches with attest_store_list_matches (attest-matches.h), then writes every file
 * into a temporary folder and renames them into place. The audit append comes last, so a failed export is never recorded as done. */
#include "config.h"

#include <errno.h>
#include <unistd.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "review/attest-exporter.h"
#include "review/attest-export-check.h"
#include "analysis/attest-matcher.h"
#include "store/attest-gallery.h"
#include "store/attest-matches.h"

typedef AttestMatchRecord ExportMatch;

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

/* A field of text someone typed or a file named (a name, a rationale, a path): a spreadsheet
 * runs a cell that starts with = + - @ tab or carriage return as a formula, so such a cell
 * starts with ' (shown as text, the rest unchanged; matches.json keeps the exact text).
 * Numbers go through csv_field: a negative score stays a number. */
static void
csv_text (GString    *out,
          const char *value,
          gboolean    last)
{
  g_autofree char *safe = NULL;

  if (value != NULL && strchr ("=+-@\t\r", value[0]) != NULL && value[0] != '\0')
    value = safe = g_strconcat ("'", value, NULL);
  csv_field (out, value, last);
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
      g_autofree char *bx = format_double (m->box_x);
      g_autofree char *by = format_double (m->box_y);
      g_autofree char *bw = format_double (m->box_w);
      g_autofree char *bh = format_double (m->box_h);
      g_autofree char *score = format_double (m->score);
      g_autofree char *threshold = format_double (m->threshold);
      g_autofree char *decided = format_time (m->decided_at);
      g_autofree char *probe = m->probe_png ? png_name (m, "probe") : NULL;
      g_autofree char *gallery = m->gallery_png ? png_name (m, "gallery") : NULL;

      csv_field (out, id, FALSE);
      csv_text (out, m->source_uri, FALSE);
      csv_field (out, m->source_sha256, FALSE);
      csv_field (out, ms, FALSE);
      csv_field (out, frame, FALSE);
      csv_field (out, bx, FALSE);
      csv_field (out, by, FALSE);
      csv_field (out, bw, FALSE);
      csv_field (out, bh, FALSE);
      csv_text (out, m->confirmed_name, FALSE);
      csv_field (out, score, FALSE);
      csv_field (out, threshold, FALSE);
      csv_text (out, m->model_id, FALSE);
      csv_text (out, m->reviewer, FALSE);
      csv_field (out, decided, FALSE);
      csv_text (out, m->rationale, FALSE);
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
      json_member_double (b, "x", m->box_x);
      json_member_double (b, "y", m->box_y);
      json_member_double (b, "w", m->box_w);
      json_member_double (b, "h", m->box_h);
      json_builder_end_object (b);
      json_member_string (b, "identity", m->confirmed_name);
      json_member_string (b, "identity_now", g_strcmp0 (m->confirmed_name, m->identity_name) != 0
                                             ? m->identity_name : NULL);
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
  if (e->key_id != NULL)
    json_member_string (b, "key_id", e->key_id);
  json_builder_end_object (b);
  return builder_to_string (b, FALSE);
}

/* An entry this export does not disclose: where it stands in the chain and, when keyed, the
 * hash of its content, so the chain still checks from one end to the other. */
static char *
withheld_entry_to_json (const AttestAuditEntry *e)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_member_int (b, "id", e->id, TRUE);
  json_builder_set_member_name (b, "withheld");
  json_builder_add_boolean_value (b, TRUE);
  json_member_string (b, "prev_hash", e->prev_hash);
  if (e->key_id != NULL)
    {
      g_autofree char *content = attest_audit_entry_content_hash (e);

      json_member_string (b, "content_sha256", content);
    }
  json_member_string (b, "hash", e->hash);
  if (e->key_id != NULL)
    json_member_string (b, "key_id", e->key_id);
  json_builder_end_object (b);
  return builder_to_string (b, FALSE);
}

static char *
build_audit_jsonl (GPtrArray  *audit,
                   GHashTable *disclosed,
                   guint      *n_withheld)
{
  GString *out = g_string_new (NULL);

  *n_withheld = 0;
  for (guint i = 0; i < audit->len; i++)
    {
      AttestAuditEntry *e = g_ptr_array_index (audit, i);
      g_autofree char *line = NULL;

      if (g_hash_table_contains (disclosed, &e->id))
        line = audit_entry_to_json (e);
      else
        {
          line = withheld_entry_to_json (e);
          (*n_withheld)++;
        }
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

static gint64
details_int (const AttestAuditEntry *e,
             const char             *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *o;

  if (e->details == NULL || !json_parser_load_from_data (parser, e->details, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return -1;
  o = json_node_get_object (json_parser_get_root (parser));
  if (!json_object_has_member (o, member) ||
      json_node_get_value_type (json_object_get_member (o, member)) != G_TYPE_INT64)
    return -1;
  return json_object_get_int_member (o, member);
}

/* The audit entries a match's evidence depends on, oldest first (borrowed from `audit`): its
 * confirmation and every entry about the match or its review item (an undo), the entries
 * about the gallery face it was matched with (who enrolled it, on what basis), and the
 * renames and merges of the confirmed identity since the confirmation. */
static GPtrArray *
match_chain (GPtrArray         *audit,
             const ExportMatch *m)
{
  GPtrArray *chain = g_ptr_array_new ();
  g_autofree char *face_subject = m->face_id >= 0
    ? g_strdup_printf ("face:%" G_GINT64_FORMAT, m->face_id) : NULL;
  gint64 identity = m->confirmed_identity_id;
  gint64 merged_from = -1;   /* the identity the last merge followed came from */

  for (guint i = 0; i < audit->len; i++)
    {
      AttestAuditEntry *e = g_ptr_array_index (audit, i);
      gboolean take = entry_concerns (e, m);

      if (!take && face_subject != NULL && g_strcmp0 (e->subject, face_subject) == 0 &&
          (m->audit_id < 0 || e->id < m->audit_id))
        take = TRUE;
      if (!take && m->audit_id >= 0 && e->id > m->audit_id)
        {
          g_autofree char *identity_subject = g_strdup_printf ("identity:%" G_GINT64_FORMAT,
                                                               identity);

          if (g_strcmp0 (e->action, "rename") == 0 &&
              g_strcmp0 (e->subject, identity_subject) == 0)
            take = TRUE;
          else if (g_strcmp0 (e->action, "merge") == 0 && details_int (e, "from_id") == identity)
            {
              take = TRUE;
              merged_from = identity;
              identity = details_int (e, "into_id");
            }
          /* The undo of the merge the match went through brings it back. */
          else if (g_strcmp0 (e->action, "unmerge") == 0 && merged_from >= 0 &&
                   details_int (e, "into_id") == identity &&
                   details_int (e, "from_id") == merged_from)
            {
              take = TRUE;
              identity = merged_from;
              merged_from = -1;
            }
        }
      if (take)
        g_ptr_array_add (chain, e);
    }
  return chain;
}

/* Entry ids that audit.jsonl shows in full: the chains of every match named in the export,
 * and the seals (which say only how many entries came before keys). */
static GHashTable *
disclosed_entries (GPtrArray *audit,
                   GPtrArray *matches,
                   GPtrArray *revoked)
{
  GHashTable *ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  GPtrArray *lists[2] = { matches, revoked };

  for (guint l = 0; l < 2; l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        g_autoptr (GPtrArray) chain = match_chain (audit, g_ptr_array_index (lists[l], i));

        for (guint j = 0; j < chain->len; j++)
          g_hash_table_add (ids, g_memdup2 (&((AttestAuditEntry *) chain->pdata[j])->id,
                                            sizeof (gint64)));
      }
  for (guint i = 0; i < audit->len; i++)
    {
      AttestAuditEntry *e = g_ptr_array_index (audit, i);

      if (g_strcmp0 (e->action, "seal") == 0)
        g_hash_table_add (ids, g_memdup2 (&e->id, sizeof (gint64)));
    }
  return ids;
}

static void
html_text (GString    *out,
           const char *text)
{
  g_autofree char *escaped = g_markup_escape_text (text != NULL ? text : "", -1);

  g_string_append (out, escaped);
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

/* ---- what a score means ---- */

typedef struct
{
  AttestMatcher *matcher;
} LoadData;

static void
load_face (gint64       face_id,
           gint64       identity_id,
           const float *embedding,
           gpointer     user_data)
{
  LoadData *data = user_data;

  /* An unusable embedding is left out of the estimate, as the app's index leaves it out. */
  attest_matcher_add (data->matcher, face_id, identity_id, embedding, NULL);
}

/* "What the threshold means on this gallery" per (model, threshold) of the exported matches,
 * measured now on the gallery as it is (the same estimate the app shows beside a score).
 * Keys "model\nthreshold" -> text. Failures leave a key out: the report then says so. */
static GHashTable *
estimate_fmr (AttestStore *store,
              GPtrArray   *matches)
{
  GHashTable *texts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) matchers = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                                           (GDestroyNotify) attest_matcher_unref);

  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *key = g_strdup_printf ("%s\n%.17g", m->model_id, m->threshold);
      AttestImpostorStats stats;
      AttestMatcher *matcher;
      double upper;

      if (g_hash_table_contains (texts, key) || m->model_id == NULL)
        continue;
      matcher = g_hash_table_lookup (matchers, m->model_id);
      if (matcher == NULL)
        {
          LoadData data = { attest_matcher_new (ATTEST_GALLERY_EMBEDDING_DIM) };

          if (attest_store_foreach_embedding (store, m->model_id, load_face, &data, NULL) < 0)
            {
              attest_matcher_unref (data.matcher);
              continue;
            }
          matcher = data.matcher;
          g_hash_table_insert (matchers, m->model_id, matcher);
        }
      if (!attest_matcher_impostor_stats (matcher, m->threshold, &stats) || stats.n_probes == 0)
        {
          g_hash_table_insert (texts, g_steal_pointer (&key),
                               g_strdup (_("The gallery is too small to estimate how often a "
                                           "different person reaches this threshold (needs 2 "
                                           "people and 10 faces).")));
          continue;
        }
      upper = ceil (stats.gallery_fmr_upper95 * 1000.0) / 10.0;
      g_hash_table_insert (texts, g_steal_pointer (&key),
                           g_strdup_printf (_("On the gallery at export time (%u faces of %u "
                                              "people), %u of %u faces searched as if their person "
                                              "were not enrolled reached %.2f with someone else: "
                                              "estimated false-match rate %.1f%%, at most %.1f%% "
                                              "(95%% bound)."),
                                            stats.n_faces, stats.n_identities,
                                            stats.n_probes_matched, stats.n_probes, m->threshold,
                                            stats.gallery_fmr * 100.0, upper));
    }
  return texts;
}

/* ---- report.html ---- */

static void
html_text_row (GString    *out,
               const char *label,
               const char *value,
               const char *css_class)
{
  g_string_append (out, "<tr><th>");
  html_text (out, label);
  if (css_class != NULL)
    g_string_append_printf (out, "</th><td class=\"%s\">", css_class);
  else
    g_string_append (out, "</th><td>");
  html_text (out, value);
  g_string_append (out, "</td></tr>\n");
}

static char *
format_media_time (gint64 ms)
{
  gint64 s = ms / 1000;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d.%03d", s / 3600, (int) (s / 60 % 60),
                            (int) (s % 60), (int) (ms % 1000));
  return g_strdup_printf ("%d:%02d.%03d", (int) (s / 60), (int) (s % 60), (int) (ms % 1000));
}

static char *
source_display_name (const ExportMatch *m)
{
  g_autofree char *path = m->source_uri != NULL ? g_filename_from_uri (m->source_uri, NULL, NULL) : NULL;

  if (path != NULL)
    return g_path_get_basename (path);
  if (m->source_uri != NULL)
    return g_strdup (m->source_uri);
  return g_strdup (_("(unnamed source)"));
}

static const char report_css[] =
  "body{font-family:Cantarell,'Noto Sans',sans-serif;margin:2em auto;max-width:60em;color:#222;"
  "line-height:1.4}"
  "h1{margin-bottom:.2em}h2{margin:0 0 .5em}"
  ".lead{color:#555;margin-top:0}"
  ".note{background:#f6f5f4;border-left:4px solid #3584e4;padding:.6em 1em;margin:1em 0}"
  "section.match{border-top:1px solid #999;padding-top:1em;margin-top:2em}"
  ".faces{display:flex;gap:2em;margin:1em 0}"
  "figure{margin:0;text-align:center;max-width:220px}"
  "figure img,.missing{width:200px;height:200px;object-fit:contain;border:1px solid #ccc;"
  "background:#fafafa}"
  ".missing{display:flex;align-items:center;justify-content:center;color:#777}"
  "figcaption{font-size:.9em;color:#444;margin-top:.3em}"
  ".decision{font-size:1.1em;margin:.5em 0}"
  ".score{font-size:1.1em;font-weight:bold}"
  "table{border-collapse:collapse;margin:1em 0;width:100%}"
  "th,td{text-align:left;padding:3px 8px;border-bottom:1px solid #eee;vertical-align:top}"
  "th{width:13em;font-weight:600;color:#444}"
  ".hash,.mono{font-family:monospace;font-size:.85em;word-break:break-all}"
  "table.chain th,table.chain td{width:auto;font-size:.9em}"
  "table.chain thead th{border-bottom:2px solid #ccc}"
  "table.toc td,table.toc th{width:auto}"
  /* Printed: one match per page (faces, decision, details and chain kept together). */
  "@media print{body{margin:0;max-width:none;font-size:9.5pt;line-height:1.3}"
  "section.match{break-before:page;page-break-before:always;border:none;margin:0;padding:0}"
  ".note,.chain-block,tr,figure{break-inside:avoid}"
  "figure img,.missing{width:150px;height:150px}.faces{margin:.5em 0}"
  "th,td{padding:1px 6px}h3{margin:.6em 0 .3em}p{margin:.4em 0}}";

/* "confirm John_Salley (item:3)", "undo of entry 10 (confirm)": what the entry decided,
 * from its details, so the chain reads without audit.jsonl at hand. */
static char *
describe_decision (const AttestAuditEntry *e)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  const char *subject = e->subject != NULL ? e->subject : "";
  JsonObject *details = NULL;

  if (e->details != NULL && json_parser_load_from_data (parser, e->details, -1, NULL) &&
      JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    details = json_node_get_object (json_parser_get_root (parser));
  if (details != NULL && json_object_has_member (details, "undone_audit_id"))
    {
      const char *name = json_object_get_string_member_with_default (details, "undone_name", NULL);

      return g_strdup_printf (_("%s of entry %" G_GINT64_FORMAT " (%s%s%s)"), e->action,
                              json_object_get_int_member (details, "undone_audit_id"),
                              json_object_get_string_member_with_default (details, "undone_action", "?"),
                              name != NULL ? " " : "", name != NULL ? name : "");
    }
  if (details != NULL && g_strcmp0 (e->action, "rename") == 0)
    return g_strdup_printf (_("rename “%s” to “%s” (%s)"),
                            json_object_get_string_member_with_default (details, "from", "?"),
                            json_object_get_string_member_with_default (details, "to", "?"),
                            subject);
  if (details != NULL && g_strcmp0 (e->action, "merge") == 0)
    return g_strdup_printf (_("merge “%s” into “%s” (%s)"),
                            json_object_get_string_member_with_default (details, "from_name", "?"),
                            json_object_get_string_member_with_default (details, "into_name", "?"),
                            subject);
  if (details != NULL && g_strcmp0 (e->action, "unmerge") == 0)
    return g_strdup_printf (_("undo the merge of “%s” into “%s” (%s)"),
                            json_object_get_string_member_with_default (details, "from_name", "?"),
                            json_object_get_string_member_with_default (details, "into_name", "?"),
                            subject);
  if (details != NULL && json_object_has_member (details, "name") &&
      JSON_NODE_HOLDS_VALUE (json_object_get_member (details, "name")))
    return g_strdup_printf ("%s %s (%s)", e->action,
                            json_object_get_string_member (details, "name"), subject);
  return g_strdup_printf ("%s (%s)", e->action, subject);
}

static char *
format_time_words (gint64 us)
{
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (us / G_USEC_PER_SEC);

  if (t == NULL)
    return g_strdup ("—");
  return g_date_time_format (t, _("%Y-%m-%d at %H:%M:%S UTC"));
}

static void
html_chain (GString           *out,
            GPtrArray         *audit,
            const ExportMatch *m)
{
  g_autoptr (GPtrArray) chain = match_chain (audit, m);
  guint n = 0;

  g_string_append (out, "<div class=\"chain-block\"><h3>");
  html_text (out, _("Decision chain"));
  g_string_append (out, "</h3>\n<p>");
  html_text (out, _("Every audit entry this match depends on, oldest first: the enrolment of "
                    "the gallery face, the confirmation, anything undone since, and later "
                    "renames or merges of the person. Each hash covers the entry and the hash "
                    "before it; audit.jsonl in this folder holds them in full and the chain "
                    "around them as hashes."));
  g_string_append (out, "</p>\n<table class=\"chain\"><thead><tr><th>#</th><th>");
  html_text (out, _("When (UTC)"));
  g_string_append (out, "</th><th>");
  html_text (out, _("Action"));
  g_string_append (out, "</th><th>");
  html_text (out, _("By"));
  g_string_append (out, "</th><th>");
  html_text (out, _("Score / threshold"));
  g_string_append (out, "</th><th>");
  html_text (out, _("Rationale"));
  g_string_append (out, "</th><th>");
  html_text (out, _("Entry hash"));
  g_string_append (out, "</th></tr></thead><tbody>\n");
  for (guint j = 0; j < chain->len; j++)
    {
      AttestAuditEntry *e = g_ptr_array_index (chain, j);
      g_autofree char *at = NULL;
      g_autofree char *id = NULL;
      g_autofree char *score = NULL;
      g_autofree char *what = NULL;

      n++;
      {
        g_autoptr (GDateTime) t = g_date_time_new_from_unix_utc (e->at_us / G_USEC_PER_SEC);

        at = t != NULL ? g_date_time_format (t, "%Y-%m-%d %H:%M:%S") : g_strdup ("—");
      }
      id = g_strdup_printf ("%" G_GINT64_FORMAT, e->id);
      if (!isnan (e->score) && !isnan (e->threshold))
        score = g_strdup_printf ("%.2f / %.2f", e->score, e->threshold);
      what = describe_decision (e);
      g_string_append (out, "<tr><td>");
      html_text (out, id);
      g_string_append (out, "</td><td>");
      html_text (out, at);
      g_string_append (out, "</td><td>");
      html_text (out, what);
      g_string_append (out, "</td><td>");
      html_text (out, e->actor);
      g_string_append (out, "</td><td>");
      html_text (out, score != NULL ? score : "—");
      g_string_append (out, "</td><td>");
      html_text (out, e->rationale != NULL ? e->rationale : "—");
      g_string_append (out, "</td><td class=\"hash\">");
      html_text (out, e->hash);
      g_string_append (out, "</td></tr>\n");
    }
  if (n == 0)
    {
      g_string_append (out, "<tr><td colspan=\"7\">");
      html_text (out, _("No audit entry names this match: its confirmation cannot be checked."));
      g_string_append (out, "</td></tr>\n");
    }
  g_string_append (out, "</tbody></table></div>\n");
}

/* What the export says of the audit log it was made from. */
typedef struct
{
  const char *key_id;
  const char *head;
  guint       n_entries;
  guint       n_withheld;
} AuditInfo;

static char *
build_html (GPtrArray                 *matches,
            GPtrArray                 *revoked,
            GPtrArray                 *audit,
            const AuditInfo           *info,
            GHashTable                *fmr_texts,
            const AttestExportOptions *options,
            const char                *selection)
{
  GString *out = g_string_new (NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *now_text = g_date_time_format_iso8601 (now);
  g_autofree char *count = g_strdup_printf ("%u", matches->len);
  g_autofree char *n_audit = g_strdup_printf (_("%u (%u shown in full, the others as hashes "
                                                "only)"), info->n_entries,
                                              info->n_entries - info->n_withheld);

  g_string_append_printf (out, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                          "<title>%s</title><style>%s</style></head><body>\n",
                          _("Attest evidence report"), report_css);
  g_string_append (out, "<h1>");
  html_text (out, _("Attest evidence report"));
  g_string_append (out, "</h1>\n<p class=\"lead\">");
  html_text (out, _("Face matches confirmed by a human reviewer. The software only suggested "
                    "candidates; each match below exists because the named reviewer looked at "
                    "both faces and confirmed it, with the reason given."));
  g_string_append (out, "</p>\n<table>\n");
  html_text_row (out, _("Exported by"), options->actor, NULL);
  html_text_row (out, _("Exported at (UTC)"), now_text, NULL);
  html_text_row (out, _("Selection"), selection, NULL);
  html_text_row (out, _("Confirmed matches"), count, NULL);
  html_text_row (out, _("Audit entries included"), n_audit, NULL);
  if (info->n_entries > 0)
    html_text_row (out, _("Audit head (hash of the last entry covered)"), info->head, "hash");
  html_text_row (out, _("Signed with installation key"), info->key_id, "mono");
  g_string_append (out, "</table>\n<div class=\"note\"><p>");
  html_text (out, _("About the scores: a score is the cosine similarity of the two faces’ "
                    "embeddings made by the named model, from −1 to 1; higher means more alike. "
                    "It is not a probability. A candidate is suggested only at or above the "
                    "threshold; what that threshold means on this gallery is given with each "
                    "match."));
  g_string_append (out, "</p><p>");
  html_text (out, _("To verify: run “attest-cli verify-export” on this folder. It checks every "
                    "file against attest-export.json, that file’s signature (attest-export.sig) "
                    "against the installation key named above, and the audit chain in "
                    "audit.jsonl: one JSON object per line, the entries these matches depend on "
                    "in full and the others as hashes only, ending at the audit head above. "
                    "The recipe is in Attest’s README (“What the audit log guarantees”)."));
  g_string_append (out, "</p></div>\n");

  if (matches->len > 0)
    {
      g_string_append (out, "<h2>");
      html_text (out, _("Contents"));
      g_string_append (out, "</h2>\n<table class=\"toc\"><tbody>\n");
      for (guint i = 0; i < matches->len; i++)
        {
          ExportMatch *m = g_ptr_array_index (matches, i);
          g_autofree char *name = source_display_name (m);
          g_autofree char *when = format_media_time (m->source_ms);
          g_autofree char *line = g_strdup_printf (_("Match %" G_GINT64_FORMAT), m->id);
          g_autofree char *where = g_strdup_printf (_("%s at %s"), name, when);

          g_string_append (out, "<tr><td>");
          html_text (out, line);
          g_string_append (out, "</td><td>");
          html_text (out, m->confirmed_name);
          g_string_append (out, "</td><td>");
          html_text (out, where);
          g_string_append (out, "</td></tr>\n");
        }
      g_string_append (out, "</tbody></table>\n");
    }
  else
    {
      g_string_append (out, "<p>");
      html_text (out, _("No confirmed match is in this selection."));
      g_string_append (out, "</p>\n");
    }
  if (revoked->len > 0)
    {
      g_string_append (out, "<h3>");
      html_text (out, _("Not included: confirmations that were undone"));
      g_string_append (out, "</h3>\n<ul>\n");
      for (guint i = 0; i < revoked->len; i++)
        {
          ExportMatch *m = g_ptr_array_index (revoked, i);
          g_autofree char *name = source_display_name (m);
          g_autofree char *when = format_media_time (m->source_ms);
          g_autofree char *undone = format_time_words (m->revoked_at);
          g_autofree char *line = m->revoked_audit_id >= 0
            ? g_strdup_printf (_("Match %" G_GINT64_FORMAT " (%s, %s at %s), confirmed by %s, was undone "
                                 "on %s by audit entry %" G_GINT64_FORMAT "."),
                               m->id, m->confirmed_name, name, when, m->reviewer, undone, m->revoked_audit_id)
            : g_strdup_printf (_("Match %" G_GINT64_FORMAT " (%s, %s at %s), confirmed by %s, was undone "
                                 "on %s."),
                               m->id, m->confirmed_name, name, when, m->reviewer, undone);

          g_string_append (out, "<li>");
          html_text (out, line);
          g_string_append (out, "</li>\n");
        }
      g_string_append (out, "</ul>\n");
    }

  for (guint i = 0; i < matches->len; i++)
    {
      ExportMatch *m = g_ptr_array_index (matches, i);
      g_autofree char *heading = g_strdup_printf (_("Match %" G_GINT64_FORMAT ": %s"), m->id, m->confirmed_name);
      g_autofree char *name = source_display_name (m);
      g_autofree char *when = format_media_time (m->source_ms);
      g_autofree char *ms = g_strdup_printf ("%" G_GINT64_FORMAT " ms (%s)", m->source_ms, when);
      g_autofree char *frame = m->frame >= 0 ? g_strdup_printf ("%" G_GINT64_FORMAT, m->frame) : g_strdup ("—");
      g_autofree char *box = g_strdup_printf ("x %.1f, y %.1f, w %.1f, h %.1f",
                                              m->box_x, m->box_y, m->box_w, m->box_h);
      g_autofree char *decided = format_time (m->decided_at);
      g_autofree char *probe_caption = g_strdup_printf (_("Probe: %s at %s"), name, when);
      g_autofree char *gallery_caption = m->face_id >= 0
        ? g_strdup_printf (_("Gallery: %s (face %" G_GINT64_FORMAT ")"), m->confirmed_name, m->face_id)
        : g_strdup_printf (_("Gallery: %s"), m->confirmed_name);
      g_autofree char *decided_words = format_time_words (m->decided_at);
      g_autofree char *decision = g_strdup_printf (_("Confirmed by %s on %s."), m->reviewer, decided_words);
      g_autofree char *score = g_strdup_printf (_("Score %.2f (threshold %.2f): %s"), m->score, m->threshold,
                                                m->score >= m->threshold
                                                  ? _("at or above the threshold")
                                                  : _("below the threshold; sent to review by hand"));
      g_autofree char *key = g_strdup_printf ("%s\n%.17g", m->model_id, m->threshold);
      const char *fmr = g_hash_table_lookup (fmr_texts, key);
      g_autofree char *score_exact = format_double (m->score);
      g_autofree char *threshold_exact = format_double (m->threshold);

      g_string_append_printf (out, "<section class=\"match\" id=\"match-%" G_GINT64_FORMAT "\">\n<h2>",
                              m->id);
      html_text (out, heading);
      g_string_append (out, "</h2>\n<div class=\"faces\">");
      html_face (out, m->probe_png, probe_caption);
      html_face (out, m->gallery_png, gallery_caption);
      g_string_append (out, "</div>\n<p class=\"decision\">");
      html_text (out, decision);
      g_string_append (out, "</p>\n<p class=\"score\">");
      html_text (out, score);
      g_string_append (out, "</p>\n<p>");
      html_text (out, fmr != NULL ? fmr : _("The false-match rate at this threshold could not be "
                                            "estimated at export time."));
      g_string_append (out, "</p>\n<table>\n");
      html_text_row (out, _("Identity (as confirmed)"), m->confirmed_name, NULL);
      if (g_strcmp0 (m->confirmed_name, m->identity_name) != 0)
        html_text_row (out, _("Identity now (renamed or merged since: see the decision chain)"),
                       m->identity_name, NULL);
      html_text_row (out, _("Source"), m->source_uri, "mono");
      html_text_row (out, _("Source SHA-256"), m->source_sha256, "hash");
      html_text_row (out, _("Time in the source"), ms, NULL);
      html_text_row (out, _("Frame"), frame, NULL);
      html_text_row (out, _("Box (pixels of the frame)"), box, NULL);
      html_text_row (out, _("Score (cosine similarity, −1 to 1)"), score_exact, NULL);
      html_text_row (out, _("Threshold"), threshold_exact, NULL);
      html_text_row (out, _("Model"), m->model_id, "mono");
      html_text_row (out, _("Reviewer"), m->reviewer, NULL);
      html_text_row (out, _("Decided at (UTC)"), decided, NULL);
      html_text_row (out, _("Rationale"), m->rationale != NULL ? m->rationale : _("(none given)"), NULL);
      g_string_append (out, "</table>\n");
      html_chain (out, audit, m);
      g_string_append (out, "</section>\n");
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
  g_autoptr (GError) local = NULL;

  /* Written aside and renamed, removed when the write fails; readable by the user alone, as
   * the gallery is. */
  if (!g_file_set_contents_full (path, data, size, G_FILE_SET_CONTENTS_CONSISTENT, 0600, &local))
    {
      GIOErrorEnum code = local->domain == G_FILE_ERROR
                            ? g_io_error_from_file_error (local->code) : G_IO_ERROR_FAILED;

      if (code == G_IO_ERROR_NO_SPACE)
        g_set_error (error, G_IO_ERROR, code, _("the disk is full (writing %s)"), name);
      else
        g_set_error (error, G_IO_ERROR, code, "%s: %s", name, local->message);
      return FALSE;
    }
  g_ptr_array_add (files, g_strdup (name));
  return TRUE;
}

/* The reason in words a reader acts on; the library's own message repeats the path. */
static const char *
reason_for (const GError *cause)
{
  if (cause == NULL || cause->domain != G_IO_ERROR)
    return NULL;
  switch (cause->code)
    {
    case G_IO_ERROR_NOT_DIRECTORY:
      return _("part of that path is a file, not a folder");
    case G_IO_ERROR_READ_ONLY:
      return _("it is on a read-only disk");
    case G_IO_ERROR_PERMISSION_DENIED:
      return _("you may not write there");
    case G_IO_ERROR_NOT_FOUND:
      return _("part of that path does not exist and cannot be created");
    case G_IO_ERROR_BUSY:
      return _("it is a mount point: choose a folder inside it");
    default:
      return NULL;
    }
}

static void
fail_in_folder (GError     **error,
                GError      *cause,
                const char  *folder)
{
  const char *reason = reason_for (cause);

  g_set_error (error, G_IO_ERROR,
               cause != NULL && cause->domain == G_IO_ERROR ? cause->code : G_IO_ERROR_FAILED,
               _("Could not export to the folder “%s”: %s"), folder,
               reason != NULL ? reason : cause != NULL ? cause->message : g_strerror (errno));
}

/* ---- the folder ---- */

#define MANIFEST_NAME ATTEST_EXPORT_MANIFEST_NAME
#define SIGNATURE_NAME ATTEST_EXPORT_SIGNATURE_NAME
#define MANIFEST_FORMAT ATTEST_EXPORT_MANIFEST_FORMAT

/* The manifest: every file of the export with its size and SHA-256 (so that a later export
 * can tell a previous Attest export, replaced as a whole, from someone's other files), the
 * audit head the export ends at and the installation's public key. attest-export.sig holds
 * the Ed25519 signature of the manifest's exact bytes (attest-export-check.h). */
static char *
build_manifest (const char      *tmp,
                GPtrArray       *files,
                AttestKey       *key,
                const AuditInfo *info)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "format");
  json_builder_add_string_value (b, MANIFEST_FORMAT);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, ATTEST_EXPORT_MANIFEST_VERSION);
  json_builder_set_member_name (b, "key");
  json_builder_begin_object (b);
  json_member_string (b, "id", attest_key_get_id (key));
  json_member_string (b, "public_key", attest_key_get_public_key (key));
  json_member_string (b, "algorithm", "ed25519");
  json_builder_end_object (b);
  json_builder_set_member_name (b, "audit");
  json_builder_begin_object (b);
  json_member_int (b, "entries", info->n_entries, TRUE);
  json_member_string (b, "head", info->head);
  json_member_int (b, "withheld", info->n_withheld, TRUE);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (guint i = 0; i < files->len; i++)
    {
      const char *name = g_ptr_array_index (files, i);
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      g_autofree char *contents = NULL;
      g_autofree char *sha = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        return NULL;
      sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "bytes");
      json_builder_add_int_value (b, (gint64) length);
      json_builder_set_member_name (b, "sha256");
      json_builder_add_string_value (b, sha);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  return json_generator_to_data (gen, NULL);
}

/* Whether `folder` holds a previous Attest export and nothing else: its manifest lists every
 * file there. */
static gboolean
is_previous_export (const char *folder)
{
  g_autofree char *manifest = g_build_filename (folder, MANIFEST_NAME, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GDir) dir = NULL;
  JsonObject *root;
  JsonArray *files;
  const char *name;

  if (!json_parser_load_from_file (parser, manifest, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return FALSE;
  root = json_node_get_object (json_parser_get_root (parser));
  if (g_strcmp0 (json_object_get_string_member_with_default (root, "format", NULL),
                 MANIFEST_FORMAT) != 0 ||
      !json_object_has_member (root, "files") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "files")))
    return FALSE;
  files = json_object_get_array_member (root, "files");
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);

      if (!JSON_NODE_HOLDS_OBJECT (node))
        return FALSE;
      g_hash_table_add (listed, (gpointer) json_object_get_string_member_with_default (
                                  json_node_get_object (node), "name", ""));
    }
  dir = g_dir_open (folder, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, MANIFEST_NAME) && !g_str_equal (name, SIGNATURE_NAME) &&
        !g_hash_table_contains (listed, name))
      return FALSE;
  return dir != NULL;
}

/* Where an export may go: a new folder, an empty one, or a previous Attest export. */
static gboolean
check_target (const char  *folder,
              gboolean    *exists,
              GError     **error)
{
  g_autoptr (GDir) dir = NULL;

  *exists = g_file_test (folder, G_FILE_TEST_EXISTS);
  if (!*exists)
    return TRUE;
  if (!g_file_test (folder, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_DIRECTORY,
                   _("Could not export to the folder “%s”: it is a file, not a folder"), folder);
      return FALSE;
    }
  /* It is replaced, so it must be ours to change (a read-only disk is said as such). */
  if (access (folder, W_OK) != 0)
    {
      int saved = errno;

      g_autoptr (GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved),
                                                      g_strerror (saved));

      fail_in_folder (error, cause, folder);
      return FALSE;
    }
  dir = g_dir_open (folder, 0, NULL);
  if (dir != NULL && g_dir_read_name (dir) == NULL)
    return TRUE;
  if (is_previous_export (folder))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
               _("Could not export to the folder “%s”: it holds other files. Choose a new or "
                 "empty folder, or a previous Attest export to replace."), folder);
  return FALSE;
}

/* A name beside `folder` that nothing has (for moving the previous export aside). */
static char *
aside_name (const char *parent,
            const char *base,
            const char *what)
{
  g_autofree char *name = g_strdup_printf (".%s.attest-%s-XXXXXX", base, what);
  char *path = g_build_filename (parent, name, NULL);

  if (g_mkdtemp_full (path, 0700) == NULL)
    {
      g_free (path);
      return NULL;
    }
  g_rmdir (path);
  return path;
}

/* What an export killed half-way (Ctrl+C, a crash, a power cut) left beside `folder`: a
 * half-written ".NAME.attest-new-*" is removed; a previous export moved aside as
 * ".NAME.attest-old-*" goes back when nothing took its place, and is removed when the new one
 * did. */
static void
recover_interrupted (const char *folder)
{
  g_autofree char *parent = g_path_get_dirname (folder);
  g_autofree char *base = g_path_get_basename (folder);
  g_autofree char *new_prefix = g_strdup_printf (".%s.attest-new-", base);
  g_autofree char *old_prefix = g_strdup_printf (".%s.attest-old-", base);
  g_autoptr (GDir) dir = g_dir_open (parent, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (g_str_has_prefix (name, new_prefix) || g_str_has_prefix (name, old_prefix))
      g_ptr_array_add (names, g_strdup (name));
  for (guint i = 0; i < names->len; i++)
    {
      const char *leftover = g_ptr_array_index (names, i);
      g_autofree char *path = g_build_filename (parent, leftover, NULL);

      if (g_str_has_prefix (leftover, old_prefix) && !g_file_test (folder, G_FILE_TEST_EXISTS))
        g_rename (path, folder);
      else
        remove_folder (path);
    }
}

/* Words for the selection, for the report and the export's audit entry. */
static char *
describe_selection (const AttestExportOptions *o)
{
  GString *out = g_string_new (NULL);

  if (o->match_ids != NULL)
    g_string_append_printf (out, g_dngettext (GETTEXT_PACKAGE, "%u chosen match", "%u chosen matches",
                                              o->n_match_ids), o->n_match_ids);
  else
    g_string_append (out, _("All confirmed matches"));
  if (o->source_sha256 != NULL)
    g_string_append_printf (out, _(" of the source with SHA-256 %s"), o->source_sha256);
  else
    g_string_append (out, _(" of every source"));
  if (o->from_ms >= 0 && o->to_ms >= 0)
    g_string_append_printf (out, _(", from %" G_GINT64_FORMAT " ms to %" G_GINT64_FORMAT " ms"),
                            o->from_ms, o->to_ms);
  else if (o->from_ms >= 0)
    g_string_append_printf (out, _(", from %" G_GINT64_FORMAT " ms on"), o->from_ms);
  else if (o->to_ms >= 0)
    g_string_append_printf (out, _(", up to %" G_GINT64_FORMAT " ms"), o->to_ms);
  return g_string_free (out, FALSE);
}

static char *
build_details (const char                *folder,
               const AttestExportOptions *o,
               GPtrArray                 *matches,
               const char                *csv_sha256,
               const char                *description)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();

  json_builder_begin_object (b);
  json_member_string (b, "folder", folder);
  json_member_int (b, "count", matches->len, TRUE);
  json_member_string (b, "matches_csv_sha256", csv_sha256);
  json_member_string (b, "description", description);
  json_builder_set_member_name (b, "selection");
  json_builder_begin_object (b);
  json_member_string (b, "source_sha256", o->source_sha256);
  json_member_int (b, "from_ms", o->from_ms, o->from_ms >= 0);
  json_member_int (b, "to_ms", o->to_ms, o->to_ms >= 0);
  json_builder_set_member_name (b, "match_ids");
  if (o->match_ids != NULL)
    {
      json_builder_begin_array (b);
      for (guint i = 0; i < o->n_match_ids; i++)
        json_builder_add_int_value (b, o->match_ids[i]);
      json_builder_end_array (b);
    }
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  /* The matches exported, so the entry alone says what left the gallery. */
  json_builder_set_member_name (b, "exported_match_ids");
  json_builder_begin_array (b);
  for (guint i = 0; i < matches->len; i++)
    json_builder_add_int_value (b, ((ExportMatch *) g_ptr_array_index (matches, i))->id);
  json_builder_end_array (b);
  json_builder_end_object (b);
  return builder_to_string (b, FALSE);
}

G_DEFINE_QUARK (attest-exporter-error-quark, attest_exporter_error)

/* Evidence only from an intact record: the chain verifies and every match is what its
 * confirmation says. */
static gboolean
check_record (AttestStore  *store,
              const char   *folder,
              GError      **error)
{
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) local = NULL;
  gint64 first_bad = -1;

  if (!attest_store_verify_audit (store, NULL, &first_bad, &local))
    {
      if (local->domain != ATTEST_STORE_ERROR || first_bad < 0)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      g_set_error (error, ATTEST_EXPORTER_ERROR, ATTEST_EXPORTER_ERROR_TAMPERED,
                   _("Nothing was exported to “%s”: the audit log does not verify (%s). "
                     "Evidence is exported only from an intact log."), folder, local->message);
      return FALSE;
    }
  problems = attest_store_verify_matches (store, NULL, error);
  if (problems == NULL)
    return FALSE;
  if (problems->len > 0)
    {
      g_autoptr (GString) text = g_string_new (NULL);

      for (guint i = 0; i < problems->len; i++)
        g_string_append_printf (text, "%s%s", i > 0 ? "; " : "",
                                ((AttestMatchProblem *) g_ptr_array_index (problems, i))->message);
      g_set_error (error, ATTEST_EXPORTER_ERROR, ATTEST_EXPORTER_ERROR_TAMPERED,
                   _("Nothing was exported to “%s”: %s. A match that differs from its "
                     "confirmation is not evidence."), folder, text->str);
      return FALSE;
    }
  return TRUE;
}

AttestExportResult *
attest_exporter_export_full (AttestStore               *store,
                             GFile                     *dir,
                             const AttestExportOptions *options,
                             GError                   **error)
{
  AttestMatchFilter filter = ATTEST_MATCH_FILTER_INIT;
  g_autoptr (GPtrArray) matches = NULL;
  g_autoptr (GPtrArray) revoked = NULL;
  g_autoptr (GPtrArray) audit = NULL;
  g_autoptr (GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *parent = NULL;
  g_autofree char *base = NULL;
  g_autofree char *old = NULL;
  gboolean target_exists = FALSE;
  g_autoptr (GHashTable) fmr_texts = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree char *folder = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *csv = NULL;
  g_autofree char *json = NULL;
  g_autofree char *html = NULL;
  g_autofree char *jsonl = NULL;
  g_autofree char *csv_sha256 = NULL;
  g_autofree char *details = NULL;
  g_autofree char *selection = NULL;
  g_autoptr (GHashTable) disclosed = NULL;
  AttestAuditEntry entry = { 0 };
  AttestExportResult *result;
  AuditInfo info = { 0 };
  AttestKey *key = attest_store_get_key (store);
  gint64 audit_id;

  g_return_val_if_fail (ATTEST_IS_STORE (store), NULL);
  g_return_val_if_fail (G_IS_FILE (dir), NULL);
  g_return_val_if_fail (options != NULL, NULL);
  g_return_val_if_fail (options->actor != NULL && *options->actor != '\0', NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  folder = g_file_get_path (dir);
  if (folder == NULL)
    {
      g_autofree char *uri = g_file_get_uri (dir);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("Could not export to “%s”: only local folders are supported"), uri);
      return NULL;
    }
  if (options->from_ms >= 0 && options->to_ms >= 0 && options->from_ms > options->to_ms)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   _("Could not export to the folder “%s”: the time range ends (%" G_GINT64_FORMAT
                     " ms) before it starts (%" G_GINT64_FORMAT " ms)"),
                   folder, options->to_ms, options->from_ms);
      return NULL;
    }

  /* Matches first, then the audit: every exported match's confirmation is in the copy. */
  filter.source_sha256 = options->source_sha256;
  filter.from_ms = options->from_ms;
  filter.to_ms = options->to_ms;
  filter.match_ids = options->match_ids;
  filter.n_match_ids = options->n_match_ids;
  matches = attest_store_list_matches (store, &filter, error);
  if (matches == NULL)
    return NULL;
  /* The undone ones of the same selection, named in the report so none goes unexplained. */
  filter.include_revoked = TRUE;
  revoked = attest_store_list_matches (store, &filter, error);
  if (revoked == NULL)
    return NULL;
  for (guint i = revoked->len; i > 0; i--)
    if (((ExportMatch *) g_ptr_array_index (revoked, i - 1))->revoked_at == 0)
      g_ptr_array_remove_index (revoked, i - 1);
  audit = attest_store_list_audit (store, 0, 0, error);
  if (audit == NULL)
    return NULL;
  if (!check_record (store, folder, error))
    return NULL;
  fmr_texts = estimate_fmr (store, matches);
  selection = describe_selection (options);
  disclosed = disclosed_entries (audit, matches, revoked);
  jsonl = build_audit_jsonl (audit, disclosed, &info.n_withheld);
  info.key_id = attest_key_get_id (key);
  info.n_entries = audit->len;
  info.head = audit->len > 0 ? ((AttestAuditEntry *) g_ptr_array_index (audit, audit->len - 1))->hash
                             : "0000000000000000000000000000000000000000000000000000000000000000";

  /* A new or empty folder, or a previous Attest export replaced as a whole: everything is
   * written beside it and swapped in when complete, so a failure leaves what was there. */
  recover_interrupted (folder);
  if (!check_target (folder, &target_exists, error))
    return NULL;
  parent = g_path_get_dirname (folder);
  base = g_path_get_basename (folder);
  if (g_mkdir_with_parents (parent, 0700) != 0)
    {
      int saved = errno;

      local = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
      fail_in_folder (error, local, folder);
      return NULL;
    }
  {
    g_autofree char *name = g_strdup_printf (".%s.attest-new-XXXXXX", base);

    tmp = g_build_filename (parent, name, NULL);
  }
  if (g_mkdtemp_full (tmp, 0700) == NULL)
    {
      int saved = errno;

      g_autoptr (GError) cause = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved),
                                                      saved == ENOSPC ? _("the disk is full")
                                                                      : g_strerror (saved));

      fail_in_folder (error, cause, folder);
      return NULL;
    }

  csv = build_csv (matches);
  json = build_json (matches, options->source_sha256, options->actor);
  html = build_html (matches, revoked, audit, &info, fmr_texts, options, selection);
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

  /* Every file is complete: the manifest, then the swap (renames in one folder: atomic, no
   * new space needed). */
  {
    g_autofree char *manifest = build_manifest (tmp, files, key, &info);
    g_autofree char *signature = NULL;
    g_autofree char *signature_line = NULL;

    if (manifest == NULL)
      {
        local = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, _("could not read back what was written"));
        goto fail;
      }
    signature = attest_key_sign (key, manifest, strlen (manifest));
    signature_line = g_strconcat (signature, "\n", NULL);
    if (!write_file (tmp, MANIFEST_NAME, manifest, strlen (manifest), files, &local) ||
        !write_file (tmp, SIGNATURE_NAME, signature_line, strlen (signature_line), files, &local))
      goto fail;
  }
  if (target_exists)
    {
      old = aside_name (parent, base, "old");
      if (old == NULL || g_rename (folder, old) != 0)
        {
          int saved = errno;

          g_clear_pointer (&old, g_free);
          local = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
          goto fail;
        }
    }
  if (g_rename (tmp, folder) != 0)
    {
      int saved = errno;

      local = g_error_new_literal (G_IO_ERROR, g_io_error_from_errno (saved), g_strerror (saved));
      goto fail;
    }
  g_clear_pointer (&tmp, g_free);

  details = build_details (folder, options, matches, csv_sha256, selection);
  entry.actor = (char *) options->actor;
  entry.action = (char *) "export";
  entry.subject = (char *) "export";
  entry.source_sha256 = (char *) options->source_sha256;
  entry.source_ms = -1;
  entry.score = NAN;
  entry.threshold = NAN;
  entry.details = details;
  audit_id = attest_store_append_audit (store, &entry, error);
  if (audit_id < 0)
    {
      /* Not recorded, so not exported: what was there before comes back. */
      remove_folder (folder);
      if (old != NULL)
        g_rename (old, folder);
      return NULL;
    }
  if (old != NULL)
    remove_folder (old);

  result = g_new0 (AttestExportResult, 1);
  result->folder = g_steal_pointer (&folder);
  result->n_matches = matches->len;
  result->files = g_steal_pointer (&files);
  result->csv_sha256 = g_steal_pointer (&csv_sha256);
  result->audit_id = audit_id;
  return result;

fail:
  if (tmp != NULL)
    remove_folder (tmp);
  if (old != NULL)
    g_rename (old, folder);
  fail_in_folder (error, local, folder);
  return NULL;
}

AttestExportResult *
attest_exporter_export (AttestStore  *store,
                        GFile        *dir,
                        const char   *source_sha256,
                        const char   *actor,
                        GError      **error)
{
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;

  options.actor = actor;
  options.source_sha256 = source_sha256;
  return attest_exporter_export_full (store, dir, &options, error);
}

/* ---- async ---- */

typedef struct
{
  AttestStore         *store;
  GFile               *dir;
  AttestExportOptions  options;   /* owns its strings and ids */
} ExportData;

static void
export_data_free (ExportData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->dir);
  g_free ((char *) data->options.actor);
  g_free ((char *) data->options.source_sha256);
  g_free ((gint64 *) data->options.match_ids);
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
  AttestExportResult *result;

  if (g_task_return_error_if_cancelled (task))
    return;
  result = attest_exporter_export_full (data->store, data->dir, &data->options, &error);
  if (result != NULL)
    g_task_return_pointer (task, result, (GDestroyNotify) attest_export_result_free);
  else
    g_task_return_error (task, error);
}

void
attest_exporter_export_full_async (AttestStore               *store,
                                   GFile                     *dir,
                                   const AttestExportOptions *options,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr (GTask) task = NULL;
  ExportData *data;

  g_return_if_fail (ATTEST_IS_STORE (store));
  g_return_if_fail (G_IS_FILE (dir));
  g_return_if_fail (options != NULL);
  g_return_if_fail (options->actor != NULL && *options->actor != '\0');

  data = g_new0 (ExportData, 1);
  data->store = g_object_ref (store);
  data->dir = g_object_ref (dir);
  data->options = *options;
  data->options.actor = g_strdup (options->actor);
  data->options.source_sha256 = g_strdup (options->source_sha256);
  /* An empty set stays a set (non-NULL): it selects nothing, not everything. */
  if (options->match_ids != NULL)
    {
      gint64 *ids = g_new0 (gint64, MAX (options->n_match_ids, 1));

      memcpy (ids, options->match_ids, sizeof (gint64) * options->n_match_ids);
      data->options.match_ids = ids;
    }
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, attest_exporter_export_async);
  g_task_set_task_data (task, data, (GDestroyNotify) export_data_free);
  g_task_run_in_thread (task, export_thread);
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
  AttestExportOptions options = ATTEST_EXPORT_OPTIONS_INIT;

  options.actor = actor;
  options.source_sha256 = source_sha256;
  attest_exporter_export_full_async (store, dir, &options, cancellable, callback, user_data);
}

AttestExportResult *
attest_exporter_export_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
