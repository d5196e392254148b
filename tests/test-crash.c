/* test-crash.c: killing Attest (SIGKILL) in the middle of a scan or of a review session loses
 * no committed decision and leaves nothing half-written; the next run resumes.
 *
 * a) `attest-cli scan` on the sample, killed right after it prints its first item: the
 *    database is intact (PRAGMA integrity_check, verify-audit), every item is whole (probe,
 *    embedding, frames), and a second scan resumes and ends with exactly the items of an
 *    uninterrupted scan, none twice.
 * b) A review session (this binary re-run as a child that confirms and rejects the pending
 *    items through the real store API, printing a line after each committed decision) killed
 *    mid-way: every reported decision is there with its audit entry, no match or rejection
 *    lacks its audit entry nor the reverse, the rest of the queue is still pending, and a new
 *    session finishes it.
 * c) The real app, typed into with xdotool under the test's display (a reviewer's name, two
 *    confirmations with their reasons, a rejection), killed while the next reason is being
 *    typed: the three decisions are stored with their audit entries, the rest is pending, and
 *    the next start of the app decides the next face. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "store/attest-review.h"
#include "store/attest-store.h"
#include "test-sample-gallery.h"

#define REVIEWER "Crash Test Reviewer"

static SampleTruth *truth;
static char *tmp_dir;
static char *gallery_db;   /* enrolled, never scanned */
static char *reference_db; /* the gallery after one uninterrupted scan */

/* ---- helpers ---------------------------------------------------------------------- */

static char *
query_text (const char *db_path,
            const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *out = g_string_new (NULL);
  int rc;

  g_assert_cmpint (sqlite3_open_v2 (db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      if (out->len > 0)
        g_string_append_c (out, '\n');
      for (int c = 0; c < sqlite3_column_count (stmt); c++)
        {
          const char *text = (const char *) sqlite3_column_text (stmt, c);

          g_string_append_printf (out, c > 0 ? "|%s" : "%s", text != NULL ? text : "NULL");
        }
    }
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (out, FALSE);
}

static gint64
query_int (const char *db_path,
           const char *sql)
{
  g_autofree char *text = query_text (db_path, sql);

  return g_ascii_strtoll (text, NULL, 10);
}

static char *
copy_db (const char *from_path,
         const char *name)
{
  g_autofree char *file = g_strconcat (name, ".db", NULL);
  char *path = g_build_filename (tmp_dir, file, NULL);
  g_autoptr (GFile) from = g_file_new_for_path (from_path);
  g_autoptr (GFile) to = g_file_new_for_path (path);
  g_autoptr (GError) error = NULL;

  g_file_copy (from, to, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  return path;
}

/* Runs attest-cli to the end; returns its exit status, *out its stdout. */
static int
run_cli (char       **out,
         const char  *first,
         ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *err = NULL;
  const char *arg;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);

  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, &err,
                &wait_status, &error);
  g_assert_no_error (error);
  g_test_message ("attest-cli %s ... -> %d; stderr: %s", first, wait_status, err);
  return WIFEXITED (wait_status) ? WEXITSTATUS (wait_status) : -1;
}

static guint
count_lines (const char *text)
{
  guint n = 0;

  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if (*p == '\n')
      n++;
  return n;
}

/* A child with its stdout piped to us; its lines are read one by one. */
typedef struct
{
  GSubprocess      *process;
  GDataInputStream *lines;
} Child;

static void
child_start (Child              *child,
             const char *const  *argv)
{
  g_autoptr (GError) error = NULL;

  child->process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  g_assert_no_error (error);
  child->lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child->process));
}

/* The next line, or NULL at the end of its output. */
static char *
child_read_line (Child *child)
{
  g_autoptr (GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (child->lines, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

/* SIGKILL: no handler, no clean-up, as when the machine's owner pulls the plug on the app. */
static void
child_kill (Child *child)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_force_exit (child->process);
  g_subprocess_wait (child->process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child->process));
  g_assert_cmpint (g_subprocess_get_term_sig (child->process), ==, SIGKILL);
  g_clear_object (&child->lines);
  g_clear_object (&child->process);
}

/* Intact: SQLite's own check, and the audit chain by `attest-cli verify-audit`. */
static void
assert_intact (const char *db)
{
  g_autofree char *integrity = query_text (db, "PRAGMA integrity_check");
  g_autofree char *out = NULL;

  g_assert_cmpstr (integrity, ==, "ok");
  g_assert_cmpint (run_cli (&out, "--database", db, "verify-audit", NULL), ==, 0);
  g_assert_true (g_str_has_prefix (out, "{\"intact\":true,"));
}

/* Each item whole: its probe crop and embedding and at least one more frame. */
static void
assert_items_whole (const char *db)
{
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE probe_png IS NULL"
                                  " OR length (probe_png) = 0 OR probe_embedding IS NULL"
                                  " OR length (probe_embedding) != 2048"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items r WHERE NOT EXISTS"
                                  " (SELECT 1 FROM review_frames f WHERE f.item_id = r.id)"), ==, 0);
}

/* What makes two scans' items the same: track, span, first candidate, sorted. */
static char *
item_set (const char *db)
{
  return query_text (db, "SELECT track, start_ms, end_ms,"
                         " json_extract (candidates, '$[0].name') FROM review_items"
                         " ORDER BY track");
}

/* ---- a) a scan killed -------------------------------------------------------------- */

static void
test_scan_killed (void)
{
  g_autofree char *db = copy_db (gallery_db, "killed-scan");
  g_autofree char *first = NULL;
  g_autofree char *out = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *got = NULL;
  const char *sample = g_getenv ("ATTEST_SAMPLE_VIDEO");
  const char *argv[] = { g_getenv ("ATTEST_CLI"), "--database", db, "scan", sample, NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gint64 first_item, before_resume;
  Child child = { 0 };

  /* The uninterrupted scan to compare with. */
  reference_db = copy_db (gallery_db, "reference");
  g_assert_cmpint (run_cli (&out, "--database", reference_db, "scan", sample, NULL), ==, 0);
  expected = item_set (reference_db);
  g_assert_cmpuint (count_lines (out), >=, 10);
  g_assert_cmpuint (count_lines (out), ==, query_int (reference_db, "SELECT count (*) FROM review_items"));
  g_clear_pointer (&out, g_free);

  child_start (&child, argv);
  first = child_read_line (&child);
  g_assert_nonnull (first);
  child_kill (&child);
  g_test_message ("killed after: %s", first);
  json_parser_load_from_data (parser, first, -1, &error);
  g_assert_no_error (error);
  first_item = json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                           "item");

  assert_intact (db);
  assert_items_whole (db);
  /* The item it reported is stored; the scan is recorded as unfinished. */
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM review_items WHERE id = %"
                                            G_GINT64_FORMAT " AND status = 'pending'", first_item);

    g_assert_cmpint (query_int (db, sql), ==, 1);
  }
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM scans WHERE completed = 0"), ==, 1);
  before_resume = query_int (db, "SELECT count (*) FROM review_items");
  g_test_message ("%" G_GINT64_FORMAT " items stored when killed", before_resume);
  g_assert_cmpint (before_resume, >=, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches"), ==, 0);

  /* Scanned again: it goes on, prints only the new items, and ends where an uninterrupted
   * scan does. */
  g_assert_cmpint (run_cli (&out, "--database", db, "scan", sample, NULL), ==, 0);
  g_assert_cmpint (count_lines (out) + before_resume, ==,
                   query_int (db, "SELECT count (*) FROM review_items"));
  got = item_set (db);
  g_assert_cmpstr (got, ==, expected);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM (SELECT track FROM review_items"
                                  " GROUP BY track HAVING count (*) > 1)"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM scans WHERE completed = 1"), ==, 1);
  assert_intact (db);
  assert_items_whole (db);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches"), ==, 0);
}

/* Ctrl+C (SIGINT) is the clean stop: exit 1 with a line saying so, every printed item
 * stored and nothing else, the scan recorded as unfinished. */
/* Runs attest-cli with `args`, sends Ctrl+C (SIGINT) as soon as its first line is out and
 * reads to the end: the command stops cleanly (exit 1, saying it was interrupted). Returns
 * the number of lines it printed. */
static guint
interrupt_cli (const char * const *args)
{
  g_autofree char *err_text = NULL;
  guint printed = 0;
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GBytes) err = NULL;
  g_autoptr (GSubprocess) process = NULL;
  char *line;

  g_ptr_array_add (argv, (char *) g_getenv ("ATTEST_CLI"));
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  process = g_subprocess_newv ((const char * const *) argv->pdata,
                               G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                               &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      if (printed++ == 0)
        g_subprocess_send_signal (process, SIGINT);
      g_free (line);
    }
  g_assert_no_error (error);
  {
    g_autoptr (GOutputStream) all = g_memory_output_stream_new_resizable ();

    g_output_stream_splice (all, g_subprocess_get_stderr_pipe (process),
                            G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
    g_assert_no_error (error);
    err = g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (all));
  }
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  err_text = g_strndup (g_bytes_get_data (err, NULL), g_bytes_get_size (err));
  g_test_message ("after Ctrl+C: %u lines; stderr: %s", printed, err_text);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_nonnull (strstr (err_text, "interrupted"));
  return printed;
}

static void
test_scan_interrupted (void)
{
  g_autofree char *db = copy_db (gallery_db, "interrupted-scan");
  const char *args[] = { "--database", db, "scan", g_getenv ("ATTEST_SAMPLE_VIDEO"), NULL };
  guint printed = interrupt_cli (args);

  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items"), ==, printed);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM scans WHERE completed = 0"), ==, 1);
  assert_intact (db);
  assert_items_whole (db);
}

/* An import stops between images: each image printed was dealt with, and nothing else. */
static void
test_import_interrupted (void)
{
  g_autofree char *db = g_build_filename (tmp_dir, "interrupted-import.db", NULL);
  g_autofree char *people = g_build_filename (tmp_dir, "people", NULL);
  const char *args[] = { "--database", db, "import", "--basis", "dlib examples, by folder",
                         "--reviewer", REVIEWER, people, NULL };
  guint printed = interrupt_cli (args);

  g_assert_cmpint (printed, <, query_int (gallery_db, "SELECT count (*) FROM faces"));
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM faces"), <=, printed);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit WHERE action = 'import'"), ==,
                   query_int (db, "SELECT count (*) FROM faces"));
  assert_intact (db);
}

/* Ctrl+C stops a command that has no clean-stop of its own (detect reading every frame of the
 * sample) at once: it ends, by SIGINT, long before the video would have. */
static void
test_detect_interrupted (void)
{
  g_autofree char *db = copy_db (gallery_db, "interrupted-detect");
  const char *argv[] = { g_getenv ("ATTEST_CLI"), "--database", db, "detect",
                         g_getenv ("ATTEST_SAMPLE_VIDEO"), NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  guint printed = 0;
  char *line;

  process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL)
    {
      if (printed++ == 0)
        g_subprocess_send_signal (process, SIGINT);
      g_free (line);
    }
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("detect after Ctrl+C: %u lines", printed);
  g_assert_true (g_subprocess_get_if_signaled (process) ||
                 (g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) != 0));
  /* The sample has hundreds of frames; the lines already in the pipe are all that came. */
  g_assert_cmpuint (printed, <, 100);
}

/* ---- b) a review session killed ------------------------------------------------------ */

/* The child: decides every pending item, oldest first (even positions confirmed, odd ones
 * rejected: each candidate at or above the threshold), printing one line after each
 * committed decision. A reviewer takes a moment between decisions; the kill falls between
 * or inside one. */
static int
review_child (const char *db)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestStore) store = attest_store_open (db, &error);
  g_autoptr (GPtrArray) items = NULL;

  if (store == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 3;
    }
  items = attest_store_list_review_items (store, "pending", &error);
  if (items == NULL)
    return 3;
  for (guint i = 0; i < items->len; i++)
    {
      AttestReviewItem *item = g_ptr_array_index (items, i);

      if (item->id % 2 == 0)
        {
          gint64 match = attest_store_confirm_review_item (store, item->id,
                                                           item->candidates[0].identity_id,
                                                           REVIEWER, "same face and ears",
                                                           &error);
          if (match < 0)
            return 1;
          printf ("confirm %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", item->id, match);
          fflush (stdout);
        }
      else
        for (guint c = 0; c < item->n_candidates; c++)
          {
            if (!(item->candidates[c].score >= item->threshold))
              continue;
            if (!attest_store_reject_review_item (store, item->id,
                                                  item->candidates[c].identity_id, REVIEWER,
                                                  "another person", &error))
              return 1;
            printf ("reject %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n", item->id,
                    item->candidates[c].identity_id);
            fflush (stdout);
          }
      g_usleep (30 * 1000);
    }
  return 0;
}

/* Decisions and their audit entries go together, in both directions. */
static void
assert_decisions_audited (const char *db)
{
  /* Each match and rejection points at its own confirm / reject entry about its item. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches m WHERE NOT EXISTS"
                                  " (SELECT 1 FROM audit a WHERE a.id = m.audit_id"
                                  "  AND a.action = 'confirm'"
                                  "  AND a.subject = 'item:' || m.review_item_id)"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM rejections j WHERE NOT EXISTS"
                                  " (SELECT 1 FROM audit a WHERE a.id = j.audit_id"
                                  "  AND a.action = 'reject'"
                                  "  AND a.subject = 'item:' || j.review_item_id)"), ==, 0);
  /* Each confirm / reject entry has its row. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit a WHERE a.action = 'confirm'"
                                  " AND NOT EXISTS (SELECT 1 FROM matches m"
                                  "  WHERE m.audit_id = a.id)"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit a WHERE a.action = 'reject'"
                                  " AND NOT EXISTS (SELECT 1 FROM rejections j"
                                  "  WHERE j.audit_id = a.id)"), ==, 0);
  /* An item is confirmed exactly when it has a standing match. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items r WHERE"
                                  " (r.status = 'confirmed') != EXISTS (SELECT 1 FROM matches m"
                                  "  WHERE m.review_item_id = r.id AND m.revoked_at IS NULL)"),
                   ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches WHERE review_item_id IS NULL"),
                   ==, 0);
}

static void
test_review_killed (void)
{
  g_autofree char *db = NULL;
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr (GPtrArray) reported = g_ptr_array_new_with_free_func (g_free);
  const char *argv[] = { self_exe, "--review-child", NULL, NULL };
  gint64 n_items, pending_after;
  Child child = { 0 };
  char *line;

  if (reference_db == NULL)
    {
      g_test_skip ("needs /crash/scan");
      return;
    }
  db = copy_db (reference_db, "killed-review");
  argv[2] = db;
  n_items = query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'");
  g_assert_cmpint (n_items, >=, 6);

  /* Killed after its third decision. */
  child_start (&child, argv);
  while (reported->len < 3 && (line = child_read_line (&child)) != NULL)
    g_ptr_array_add (reported, line);
  g_assert_cmpuint (reported->len, ==, 3);
  child_kill (&child);

  assert_intact (db);
  assert_decisions_audited (db);
  /* Every decision the child reported is stored. */
  for (guint i = 0; i < reported->len; i++)
    {
      g_auto (GStrv) words = g_strsplit (g_ptr_array_index (reported, i), " ", -1);
      g_autofree char *sql = NULL;

      g_test_message ("reported: %s", (char *) g_ptr_array_index (reported, i));
      if (g_str_equal (words[0], "confirm"))
        sql = g_strdup_printf ("SELECT count (*) FROM matches m JOIN review_items r"
                               " ON r.id = m.review_item_id WHERE m.id = %s AND r.id = %s"
                               " AND r.status = 'confirmed' AND m.revoked_at IS NULL"
                               " AND m.reviewer = '" REVIEWER "'", words[2], words[1]);
      else
        sql = g_strdup_printf ("SELECT count (*) FROM rejections WHERE review_item_id = %s"
                               " AND identity_id = %s AND revoked_at IS NULL", words[1],
                               words[2]);
      g_assert_cmpint (query_int (db, sql), ==, 1);
    }
  /* At most the decision being made when killed went in unreported; the rest is pending. */
  pending_after = query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'");
  g_test_message ("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " items still pending",
                  pending_after, n_items);
  g_assert_cmpint (pending_after, >=, 1);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit WHERE action IN"
                                  " ('confirm', 'reject')"), <=, (gint64) reported->len + 1);
  g_assert_cmpint (n_items - pending_after, >=, reported->len);

  /* The queue resumes: a new session decides the rest, from where the first one stopped. */
  child_start (&child, argv);
  while ((line = child_read_line (&child)) != NULL)
    g_free (line);
  {
    g_autoptr (GError) error = NULL;

    g_subprocess_wait_check (child.process, NULL, &error);
    g_assert_no_error (error);
  }
  g_clear_object (&child.lines);
  g_clear_object (&child.process);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'"),
                   ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches"), ==,
                   query_int (db, "SELECT count (*) FROM review_items WHERE status = 'confirmed'"));
  /* Each item decided once, as the sessions decided it: even ids confirmed, odd rejected. */
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE"
                                  " status != CASE WHEN id % 2 = 0 THEN 'confirmed'"
                                  " ELSE 'rejected' END"), ==, 0);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM audit WHERE action = 'confirm'"), ==,
                   query_int (db, "SELECT count (*) FROM review_items WHERE id % 2 = 0"));
  assert_intact (db);
  assert_decisions_audited (db);
}

/* ---- the app itself, killed mid-session ---------------------------------------------- */

#define APP_REVIEWER "Kim Keyboard"
#define APP_WAIT_SECONDS 60

static void
xdotool (const char *first,
         ...)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  const char *arg;
  va_list ap;
  int wait_status = 0;

  g_ptr_array_add (argv, (char *) "xdotool");
  va_start (ap, first);
  for (arg = first; arg != NULL; arg = va_arg (ap, const char *))
    g_ptr_array_add (argv, (char *) arg);
  va_end (ap);
  g_ptr_array_add (argv, NULL);
  g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH |
                G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL,
                NULL, &wait_status, &error);
  g_assert_no_error (error);
  /* Let the app handle the keys before the next ones. */
  g_usleep (300000);
}

/* Polls the database (read-only, beside the app) until `sql` gives `want`. */
static gboolean
wait_for_count (const char *db,
                const char *sql,
                gint64      want)
{
  gint64 end = g_get_monotonic_time () + APP_WAIT_SECONDS * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < end)
    {
      if (query_int (db, sql) == want)
        return TRUE;
      g_usleep (200000);
    }
  return FALSE;
}

/* The real app on `db`, its window on screen and the Review page shown. */
static GSubprocess *
start_app (const char *db)
{
  g_autofree char *dir = g_path_get_dirname (g_getenv ("ATTEST_CLI"));
  g_autofree char *app = g_build_filename (dir, "attest", NULL);
  g_autofree char *pid_text = NULL;
  g_autoptr (GError) error = NULL;
  GSubprocess *process;
  gint64 end = g_get_monotonic_time () + APP_WAIT_SECONDS * G_USEC_PER_SEC;
  gboolean shown = FALSE;

  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                              G_SUBPROCESS_FLAGS_STDERR_SILENCE, &error,
                              app, "--database", db, NULL);
  g_assert_no_error (error);
  pid_text = g_strdup (g_subprocess_get_identifier (process));
  while (!shown && g_get_monotonic_time () < end)
    {
      g_autofree char *out = NULL;
      const char *argv[] = { "xdotool", "search", "--onlyvisible", "--pid", pid_text, NULL };

      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH |
                    G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL, NULL, NULL);
      shown = out != NULL && out[0] != '\0';
      if (!shown)
        g_usleep (200000);
    }
  g_assert_true (shown);
  /* The gallery and the queue load off the main thread. */
  g_usleep (2 * G_USEC_PER_SEC);
  xdotool ("key", "alt+3", NULL);
  return process;
}

static void
kill_app (GSubprocess *process)
{
  g_autoptr (GError) error = NULL;

  g_subprocess_force_exit (process);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGKILL);
  g_object_unref (process);
}

static void
test_app_killed (void)
{
  g_autofree char *db = NULL;
  g_autofree char *xdotool_path = g_find_program_in_path ("xdotool");
  GSubprocess *app;
  gint64 n_items;

  if (reference_db == NULL)
    {
      g_test_skip ("needs /crash/scan");
      return;
    }
  if (g_getenv ("DISPLAY") == NULL || xdotool_path == NULL)
    {
      g_test_skip ("needs a display (xvfb-run) and xdotool to type into the app");
      return;
    }
  db = copy_db (reference_db, "killed-app");
  n_items = query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'");
  g_assert_cmpint (n_items, >=, 4);

  /* A reviewer at the keyboard: name once, two confirmations with reasons, one rejection,
   * then half-way through typing the next reason the app is killed. */
  app = start_app (db);
  xdotool ("type", "--delay", "10", APP_REVIEWER, NULL);
  xdotool ("key", "Return", NULL);
  xdotool ("type", "--delay", "10", "Same ears and hairline as the gallery photos", NULL);
  xdotool ("key", "ctrl+Return", NULL);
  g_assert_true (wait_for_count (db, "SELECT count (*) FROM matches", 1));
  xdotool ("type", "--delay", "10", "Same nose and jaw line", NULL);
  xdotool ("key", "ctrl+Return", NULL);
  g_assert_true (wait_for_count (db, "SELECT count (*) FROM matches", 2));
  xdotool ("key", "alt+r", NULL);
  g_assert_true (wait_for_count (db, "SELECT count (*) FROM rejections", 1));
  xdotool ("type", "--delay", "10", "Same", NULL);
  kill_app (app);

  /* Nothing lost, nothing half-written. */
  assert_intact (db);
  assert_decisions_audited (db);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM matches WHERE reviewer = '"
                                  APP_REVIEWER "' AND rationale IN ('Same ears and hairline as"
                                  " the gallery photos', 'Same nose and jaw line')"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'"),
                   ==, n_items - 3);

  /* The next start resumes the queue: the next face is decided there. */
  app = start_app (db);
  xdotool ("type", "--delay", "10", APP_REVIEWER, NULL);
  xdotool ("key", "Return", NULL);
  xdotool ("type", "--delay", "10", "Same smile lines", NULL);
  xdotool ("key", "ctrl+Return", NULL);
  g_assert_true (wait_for_count (db, "SELECT count (*) FROM matches", 3));
  kill_app (app);
  g_assert_cmpint (query_int (db, "SELECT count (*) FROM review_items WHERE status = 'pending'"),
                   ==, n_items - 4);
  assert_intact (db);
  assert_decisions_audited (db);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr (GError) error = NULL;
  g_autofree char *people = NULL;
  g_autofree char *out = NULL;
  int status;

  if (argc == 3 && g_str_equal (argv[1], "--review-child"))
    return review_child (argv[2]);

  g_test_init (&argc, &argv, NULL);

  truth = sample_truth_load ();
  tmp_dir = g_dir_make_tmp ("attest-crash-XXXXXX", &error);
  g_assert_no_error (error);
  people = g_build_filename (tmp_dir, "people", NULL);
  gallery_db = g_build_filename (tmp_dir, "gallery.db", NULL);
  g_assert_cmpuint (sample_gallery_folder (truth, people, NULL), >=, 10);
  g_assert_cmpint (run_cli (&out, "--database", gallery_db, "import", "--basis",
                            "dlib examples, by folder", "--reviewer", REVIEWER, people, NULL),
                   ==, 0);

  g_test_add_func ("/crash/scan", test_scan_killed);
  g_test_add_func ("/crash/review", test_review_killed);
  g_test_add_func ("/crash/app-review", test_app_killed);
  g_test_add_func ("/crash/scan-interrupted", test_scan_interrupted);
  g_test_add_func ("/crash/import-interrupted", test_import_interrupted);
  g_test_add_func ("/crash/detect-interrupted", test_detect_interrupted);
  status = g_test_run ();

  sample_rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (gallery_db);
  g_free (reference_db);
  sample_truth_free (truth);
  return status;
}
