/* attest-export-check.c: see attest-export-check.h. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "review/attest-export-check.h"
#include "store/attest-store.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
/* Larger than any export this version writes for its manifest or its audit log. */
#define MAX_MANIFEST_BYTES (16 * 1024 * 1024)
#define MAX_AUDIT_BYTES (512 * 1024 * 1024)

void
attest_export_check_free (AttestExportCheck *check)
{
  if (check == NULL)
    return;
  g_clear_pointer (&check->problems, g_ptr_array_unref);
  g_free (check->key_id);
  g_free (check->head);
  g_free (check);
}

G_GNUC_PRINTF (2, 3)
static void
problem (AttestExportCheck *check,
         const char        *format,
         ...)
{
  va_list args;

  va_start (args, format);
  g_ptr_array_add (check->problems, g_strdup_vprintf (format, args));
  va_end (args);
}

/* A regular file of the folder (never through a link), read whole up to `limit` bytes. */
static gboolean
read_member (const char  *folder,
             const char  *name,
             gsize        limit,
             char       **contents,
             gsize       *length,
             char       **why)
{
  g_autofree char *path = g_build_filename (folder, name, NULL);
  g_autoptr (GString) data = g_string_new (NULL);
  struct stat st;
  char buffer[65536];
  ssize_t got;
  int fd;

  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0)
    {
      *why = g_strdup (errno == ENOENT ? _("it is missing")
                       : errno == ELOOP ? _("it is a link, not a file") : g_strerror (errno));
      return FALSE;
    }
  if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode))
    {
      close (fd);
      *why = g_strdup (_("it is not a regular file"));
      return FALSE;
    }
  if ((guint64) st.st_size > limit)
    {
      close (fd);
      *why = g_strdup (_("it is larger than any export writes"));
      return FALSE;
    }
  while ((got = read (fd, buffer, sizeof buffer)) > 0 || (got < 0 && errno == EINTR))
    if (got > 0)
      {
        g_string_append_len (data, buffer, got);
        if (data->len > limit)
          break;
      }
  close (fd);
  if (got < 0 || data->len > limit)
    {
      *why = g_strdup (got < 0 ? g_strerror (errno) : _("it is larger than any export writes"));
      return FALSE;
    }
  *length = data->len;
  *contents = g_string_free (g_steal_pointer (&data), FALSE);
  return TRUE;
}

static const char *
member_string (JsonObject *o,
               const char *name)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

static gboolean
member_is_null (JsonObject *o,
                const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  return node == NULL || JSON_NODE_HOLDS_NULL (node);
}

static gboolean
member_int (JsonObject *o,
            const char *name,
            gint64     *value)
{
  JsonNode *node = o != NULL ? json_object_get_member (o, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

static double
member_double (JsonObject *o,
               const char *name)
{
  JsonNode *node = json_object_get_member (o, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NAN;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (double) json_node_get_int (node);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return json_node_get_double (node);
  return NAN;
}

static gboolean
is_plain_name (const char *name)
{
  return name != NULL && *name != '\0' && *name != '.' && strchr (name, '/') == NULL &&
         g_utf8_validate (name, -1, NULL);
}

/* ---- the manifest and its signature ---- */

static JsonObject *
check_manifest (AttestExportCheck *check,
                const char        *folder,
                AttestKey         *key,
                JsonParser        *parser,
                GError           **error)
{
  g_autofree char *display = g_filename_display_name (folder);
  g_autofree char *manifest = NULL;
  g_autofree char *signature = NULL;
  g_autofree char *why = NULL;
  g_autofree char *computed_id = NULL;
  gsize manifest_len = 0;
  gsize signature_len = 0;
  JsonObject *root;
  JsonObject *key_object;
  const char *public_key;
  gint64 version = 0;

  if (!read_member (folder, ATTEST_EXPORT_MANIFEST_NAME, MAX_MANIFEST_BYTES, &manifest,
                    &manifest_len, &why) ||
      !json_parser_load_from_data (parser, manifest, manifest_len, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      g_strcmp0 (member_string (json_node_get_object (json_parser_get_root (parser)), "format"),
                 ATTEST_EXPORT_MANIFEST_FORMAT) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   _("“%s” is not an Attest export: %s has %s"), display,
                   ATTEST_EXPORT_MANIFEST_NAME,
                   why != NULL ? why : _("no Attest manifest in it"));
      return NULL;
    }
  root = json_node_get_object (json_parser_get_root (parser));
  member_int (root, "version", &version);
  if (version == 1)
    {
      problem (check, _("%s is from an export made before exports were signed (version %"
                        G_GINT64_FORMAT "): only its files’ hashes can be checked"),
               ATTEST_EXPORT_MANIFEST_NAME, version);
      return root;
    }

  if (version != ATTEST_EXPORT_MANIFEST_VERSION)
    problem (check, _("%s has version %" G_GINT64_FORMAT ", which this Attest does not know"),
             ATTEST_EXPORT_MANIFEST_NAME, version);

  key_object = json_object_has_member (root, "key") &&
               JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "key"))
               ? json_object_get_object_member (root, "key") : NULL;
  public_key = member_string (key_object, "public_key");
  computed_id = public_key != NULL ? attest_key_id_for_public_key (public_key) : NULL;
  check->key_id = g_strdup (member_string (key_object, "id"));
  if (computed_id == NULL)
    problem (check, _("%s names no valid public key"), ATTEST_EXPORT_MANIFEST_NAME);
  else if (g_strcmp0 (computed_id, check->key_id) != 0)
    problem (check, _("%s names key id %s, but its public key is key %s"),
             ATTEST_EXPORT_MANIFEST_NAME, check->key_id != NULL ? check->key_id : "?",
             computed_id);

  g_clear_pointer (&why, g_free);
  if (!read_member (folder, ATTEST_EXPORT_SIGNATURE_NAME, 4096, &signature, &signature_len, &why))
    problem (check, _("%s: %s, so the manifest is not signed"), ATTEST_EXPORT_SIGNATURE_NAME, why);
  else if (computed_id != NULL &&
           !attest_key_verify_signature (public_key, manifest, manifest_len,
                                         g_strstrip (signature)))
    problem (check, _("%s does not match its signature (%s) by key %s: the manifest or the "
                      "signature was changed"), ATTEST_EXPORT_MANIFEST_NAME,
             ATTEST_EXPORT_SIGNATURE_NAME, computed_id);

  check->this_installation = key != NULL && computed_id != NULL &&
                             g_strcmp0 (computed_id, attest_key_get_id (key)) == 0;
  return root;
}

/* ---- the files ---- */

static GHashTable *
check_files (AttestExportCheck *check,
             const char        *folder,
             JsonObject        *root)
{
  GHashTable *listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) dir = NULL;
  JsonArray *files = NULL;
  const char *name;

  if (json_object_has_member (root, "files") &&
      JSON_NODE_HOLDS_ARRAY (json_object_get_member (root, "files")))
    files = json_object_get_array_member (root, "files");
  if (files == NULL)
    {
      problem (check, _("%s lists no files"), ATTEST_EXPORT_MANIFEST_NAME);
      return listed;
    }

  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonNode *node = json_array_get_element (files, i);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      const char *file = member_string (o, "name");
      const char *sha = member_string (o, "sha256");
      g_autofree char *contents = NULL;
      g_autofree char *why = NULL;
      g_autofree char *computed = NULL;
      gint64 bytes = -1;
      gsize length = 0;

      if (!is_plain_name (file) || sha == NULL || !member_int (o, "bytes", &bytes) ||
          g_str_equal (file, ATTEST_EXPORT_MANIFEST_NAME) ||
          g_str_equal (file, ATTEST_EXPORT_SIGNATURE_NAME))
        {
          problem (check, _("%s: file entry %u is not valid"), ATTEST_EXPORT_MANIFEST_NAME, i + 1);
          continue;
        }
      if (g_hash_table_contains (listed, file))
        {
          problem (check, _("%s lists %s twice"), ATTEST_EXPORT_MANIFEST_NAME, file);
          continue;
        }
      g_hash_table_add (listed, g_strdup (file));
      check->n_files++;
      if (!read_member (folder, file, MAX_AUDIT_BYTES, &contents, &length, &why))
        {
          problem (check, _("%s: %s"), file, why);
          continue;
        }
      computed = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);
      if ((gint64) length != bytes || g_ascii_strcasecmp (computed, sha) != 0)
        problem (check, _("%s differs from the manifest (%" G_GSIZE_FORMAT " bytes with SHA-256 "
                          "%s; the manifest says %" G_GINT64_FORMAT " bytes with %s): it was "
                          "changed"), file, length, computed, bytes, sha);
    }

  dir = g_dir_open (folder, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    if (!g_str_equal (name, ATTEST_EXPORT_MANIFEST_NAME) &&
        !g_str_equal (name, ATTEST_EXPORT_SIGNATURE_NAME) && !g_hash_table_contains (listed, name))
      problem (check, _("%s is not part of the export (the manifest does not list it)"), name);
  return listed;
}

/* ---- audit.jsonl ---- */

static AttestAuditEntry *
entry_from_json (JsonObject *o)
{
  AttestAuditEntry *e = g_new0 (AttestAuditEntry, 1);

#define STR(name) (member_string (o, name) != NULL ? g_strdup (member_string (o, name)) : NULL)
  member_int (o, "id", &e->id);
  member_int (o, "at_us", &e->at_us);
  e->actor = STR ("actor");
  e->action = STR ("action");
  e->subject = STR ("subject");
  e->source_sha256 = STR ("source_sha256");
  if (!member_int (o, "source_ms", &e->source_ms))
    e->source_ms = -1;
  e->score = member_double (o, "score");
  e->threshold = member_double (o, "threshold");
  e->model_id = STR ("model_id");
  e->rationale = STR ("rationale");
  e->details = STR ("details");
  e->prev_hash = STR ("prev_hash");
  e->hash = STR ("hash");
  e->key_id = STR ("key_id");
#undef STR
  return e;
}

/* Entries shown in full, by id (for the matches' confirmations). */
static GHashTable *
check_audit (AttestExportCheck *check,
             const char        *folder,
             JsonObject        *root,
             GHashTable        *listed)
{
  GHashTable *full = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free,
                                            (GDestroyNotify) attest_audit_entry_free);
  g_autofree char *contents = NULL;
  g_autofree char *why = NULL;
  g_autofree char *prev = g_strdup (ZERO_HASH);
  g_auto (GStrv) lines = NULL;
  JsonObject *audit = NULL;
  const char *head;
  gint64 entries = -1;
  gsize length = 0;
  gint64 expected = 1;

  if (json_object_has_member (root, "audit") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "audit")))
    audit = json_object_get_object_member (root, "audit");
  head = member_string (audit, "head");
  check->head = g_strdup (head);
  if (!g_hash_table_contains (listed, "audit.jsonl"))
    {
      problem (check, _("audit.jsonl is not listed in the manifest"));
      return full;
    }
  if (!read_member (folder, "audit.jsonl", MAX_AUDIT_BYTES, &contents, &length, &why))
    return full;  /* already a problem of the files */
  if (memchr (contents, '\0', length) != NULL || !g_utf8_validate (contents, length, NULL))
    {
      problem (check, _("audit.jsonl is not text"));
      return full;
    }

  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      g_autoptr (AttestAuditEntry) e = NULL;
      g_autofree char *computed = NULL;
      JsonObject *o;
      gboolean withheld;

      if (lines[i][0] == '\0')
        {
          if (lines[i + 1] == NULL)
            break;
          problem (check, _("audit.jsonl: line %u is empty"), i + 1);
          return full;
        }
      if (!json_parser_load_from_data (parser, lines[i], -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          problem (check, _("audit.jsonl: line %u is not a JSON object"), i + 1);
          return full;
        }
      o = json_node_get_object (json_parser_get_root (parser));
      e = entry_from_json (o);
      withheld = json_object_has_member (o, "withheld");
      if (e->id != expected)
        {
          problem (check, _("audit.jsonl: line %u should be entry %" G_GINT64_FORMAT ": entries "
                            "were removed, added or reordered"), i + 1, expected);
          return full;
        }
      if (g_strcmp0 (e->prev_hash, prev) != 0)
        {
          problem (check, _("audit.jsonl: entry %" G_GINT64_FORMAT " does not follow the entry "
                            "before it: the log was changed"), e->id);
          return full;
        }
      if (withheld)
        {
          const char *content = member_string (o, "content_sha256");

          check->n_withheld++;
          if (content != NULL)
            computed = attest_audit_link_hash (e->prev_hash, content);
          else if (e->key_id == NULL)
            computed = g_strdup (e->hash);  /* an entry from before keys: only its hash */
        }
      else
        computed = attest_audit_entry_compute_hash (e);
      if (computed == NULL || e->hash == NULL || g_strcmp0 (computed, e->hash) != 0)
        {
          problem (check, _("audit.jsonl: entry %" G_GINT64_FORMAT " does not match its hash: "
                            "the log was changed"), e->id);
          return full;
        }
      g_free (prev);
      prev = g_strdup (e->hash);
      expected++;
      check->n_entries++;
      if (!withheld)
        {
          gint64 id = e->id;

          g_hash_table_insert (full, g_memdup2 (&id, sizeof id), g_steal_pointer (&e));
        }
    }

  if (audit == NULL || !member_int (audit, "entries", &entries) || head == NULL)
    problem (check, _("%s does not name the audit head"), ATTEST_EXPORT_MANIFEST_NAME);
  else if (entries != (gint64) check->n_entries || g_strcmp0 (head, prev) != 0)
    problem (check, _("audit.jsonl ends at entry %u with hash %s, but the manifest’s audit head "
                      "is entry %" G_GINT64_FORMAT " with hash %s: entries were removed or "
                      "added"), check->n_entries, prev, entries, head);
  return full;
}

static char *
details_string (const AttestAuditEntry *e,
                const char             *member)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (e->details == NULL || !json_parser_load_from_data (parser, e->details, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return NULL;
  return g_strdup (member_string (json_node_get_object (json_parser_get_root (parser)), member));
}

static gboolean
same_number (double a,
             double b)
{
  return (isnan (a) && isnan (b)) || a == b;
}

static void
check_matches (AttestExportCheck *check,
               const char        *folder,
               GHashTable        *listed,
               GHashTable        *full)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *contents = NULL;
  g_autofree char *why = NULL;
  JsonArray *matches = NULL;
  gsize length = 0;

  if (!g_hash_table_contains (listed, "matches.json"))
    {
      problem (check, _("matches.json is not listed in the manifest"));
      return;
    }
  if (!read_member (folder, "matches.json", MAX_AUDIT_BYTES, &contents, &length, &why))
    return;
  if (!json_parser_load_from_data (parser, contents, length, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)) ||
      !json_object_has_member (json_node_get_object (json_parser_get_root (parser)), "matches") ||
      !JSON_NODE_HOLDS_ARRAY (json_object_get_member (
        json_node_get_object (json_parser_get_root (parser)), "matches")))
    {
      problem (check, _("matches.json is not an Attest list of matches"));
      return;
    }
  matches = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "matches");
  for (guint i = 0; i < json_array_get_length (matches); i++)
    {
      JsonNode *node = json_array_get_element (matches, i);
      JsonObject *m = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      g_autoptr (GString) differs = g_string_new (NULL);
      g_autofree char *name = NULL;
      AttestAuditEntry *confirm;
      gint64 match_id = -1;
      gint64 audit_id = -1;

      check->n_matches++;
      member_int (m, "match_id", &match_id);
      if (m == NULL || !member_int (m, "audit_id", &audit_id) ||
          (confirm = g_hash_table_lookup (full, &audit_id)) == NULL ||
          g_strcmp0 (confirm->action, "confirm") != 0)
        {
          problem (check, _("matches.json: match %" G_GINT64_FORMAT " has no confirmation in "
                            "audit.jsonl"), match_id);
          continue;
        }
      name = details_string (confirm, "name");
      if (g_strcmp0 (member_string (m, "reviewer"), confirm->actor) != 0)
        g_string_append (differs, "reviewer, ");
      if (name != NULL && g_strcmp0 (member_string (m, "identity"), name) != 0)
        g_string_append (differs, "identity, ");
      if (!same_number (member_double (m, "score"), confirm->score))
        g_string_append (differs, "score, ");
      if (!same_number (member_double (m, "threshold"), confirm->threshold))
        g_string_append (differs, "threshold, ");
      if (g_strcmp0 (member_is_null (m, "rationale") ? NULL : member_string (m, "rationale"),
                     confirm->rationale) != 0)
        g_string_append (differs, "rationale, ");
      if (g_strcmp0 (member_string (m, "source_sha256"), confirm->source_sha256) != 0)
        g_string_append (differs, "source, ");
      if (g_strcmp0 (member_string (m, "model_id"), confirm->model_id) != 0)
        g_string_append (differs, "model, ");
      if (differs->len > 0)
        {
          g_string_truncate (differs, differs->len - 2);
          problem (check, _("matches.json: match %" G_GINT64_FORMAT " does not say what its "
                            "confirmation (audit entry %" G_GINT64_FORMAT ") says: %s"),
                   match_id, audit_id, differs->str);
        }
    }
}

AttestExportCheck *
attest_export_check (const char  *folder,
                     AttestKey   *key,
                     GError     **error)
{
  g_autoptr (AttestExportCheck) check = g_new0 (AttestExportCheck, 1);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GHashTable) listed = NULL;
  g_autoptr (GHashTable) full = NULL;
  JsonObject *root;

  g_return_val_if_fail (folder != NULL, NULL);
  g_return_val_if_fail (key == NULL || ATTEST_IS_KEY (key), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  check->problems = g_ptr_array_new_with_free_func (g_free);
  root = check_manifest (check, folder, key, parser, error);
  if (root == NULL)
    return NULL;
  listed = check_files (check, folder, root);
  full = check_audit (check, folder, root, listed);
  check_matches (check, folder, listed, full);
  check->intact = check->problems->len == 0;
  return g_steal_pointer (&check);
}
