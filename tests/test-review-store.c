/* test-review-store.c: review items and decisions on real database files in a temporary folder.
 *
 * The product rule under test: nothing becomes a match without a human confirmation. Every
 * test counts the matches table after each step (only a confirmation adds a row, undo keeps it
 * revoked) and ends by checking the audit chain: intact, with exactly the expected actions in
 * order. */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "store/attest-matches.h"
#include "store/attest-review.h"
#include "store/attest-store-private.h"

#define ACTOR "Reviewer Rita"
#define MODEL "test-model@1"
#define SHA_A "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
#define SHA_B "ABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"

typedef struct
{
  char        *dir;
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
exec_sql (AttestStore *store,
          const char  *sql)
{
  sqlite3 *db = _attest_store_lock (store);
  char *msg = NULL;
  int rc = sqlite3_exec (db, sql, NULL, NULL, &msg);

  _attest_store_unlock (store);
  if (rc != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
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
n_matches (Fixture *f)
{
  return query_int (f->store, "SELECT count (*) FROM matches");
}

static char *
item_status (Fixture *f,
             gint64   item_id)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (AttestReviewItem) item = attest_store_get_review_item (f->store, item_id, &error);

  g_assert_no_error (error);
  return g_strdup (item->status);
}

#define assert_status(f, id, expected) \
  G_STMT_START { \
    g_autofree char *status_ = item_status (f, id); \
    g_assert_cmpstr (status_, ==, expected); \
  } G_STMT_END

/* The chain holds, and its actions are exactly `expected` (NULL-terminated) in order. */
static GPtrArray *
assert_audit (Fixture          *f,
              const char *const expected[])
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  guint64 n = 0;
  gint64 bad = -1;
  guint n_expected = g_strv_length ((char **) expected);

  g_assert_true (attest_store_verify_audit (f->store, &n, &bad, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, n_expected);

  entries = attest_store_list_audit (f->store, 0, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (entries->len, ==, n_expected);
  for (guint i = 0; i < n_expected; i++)
    {
      AttestAuditEntry *e = g_ptr_array_index (entries, i);

      g_assert_cmpstr (e->action, ==, expected[i]);
      g_assert_cmpstr (e->actor, ==, ACTOR);
    }
  return g_steal_pointer (&entries);
}

static JsonObject *
details_of (AttestAuditEntry *entry)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, entry->details, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *path = NULL;

  f->dir = g_dir_make_tmp ("attest-review-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (f->dir, "gallery.db", NULL);
  f->store = attest_store_open (path, &error);
  g_assert_no_error (error);

  /* The people; how they were enrolled is test-gallery's business. */
  exec_sql (f->store, "INSERT INTO identities (id, name, created_at, created_by) VALUES"
                      " (1, 'Ann', 1, 'r'), (2, 'Bo', 1, 'r'), (3, 'Cy', 1, 'r'),"
                      " (4, 'Di', 1, 'r')");
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_assert_finalize_object (f->store);
  rm_rf (f->dir);
  g_free (f->dir);
}

static const AttestReviewCandidate candidates[] = {
  { 1, (char *) "Ann", 0.81, -1 },
  { 2, (char *) "Bo", 0.62, -1 },
  { 3, (char *) "Cy", 0.31, -1 },
};

static const float embedding[4] = { 0.5f, -0.5f, 0.5f, -0.5f };

/* An item for track `track` of clip A at best_ms: Ann and Bo above the 0.5 threshold. */
static gint64
add_item (Fixture *f,
          gint64   track,
          gint64   best_ms)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) png = g_bytes_new_static ("\x89PNG fake", 9);
  AttestReviewItemSpec spec = {
    .source_uri = "file:///clips/a.mp4",
    .source_sha256 = SHA_A,
    .track = track,
    .start_ms = best_ms - 400,
    .end_ms = best_ms + 400,
    .best_ms = best_ms,
    .best_frame = best_ms * 25 / 1000,
    .box_x = 10, .box_y = 20, .box_w = 64, .box_h = 80,
    .probe_png = png,
    .probe_embedding = embedding,
    .embedding_dim = G_N_ELEMENTS (embedding),
    .model_id = MODEL,
    .threshold = 0.5,
    .candidates = candidates,
    .n_candidates = G_N_ELEMENTS (candidates),
  };
  gint64 id = -1;

  g_assert_true (attest_store_add_review_item (f->store, &spec, &id, &error));
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* ---- adding and listing ---- */

static void
test_add_and_list (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) pending = NULL;
  g_autoptr (GPtrArray) confirmed = NULL;
  const char *const none[] = { NULL };
  AttestReviewItemSpec bad = { .source_sha256 = "not-a-hash", .model_id = MODEL,
                               .box_w = 1, .box_h = 1, .threshold = 0.5 };
  AttestReviewItem *item;
  gint64 a, b, id = 7;
  gsize len;

  a = add_item (f, 3, 2000);
  b = add_item (f, 4, 6000);
  g_assert_cmpint (b, >, a);

  all = attest_store_list_review_items (f->store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 2);
  pending = attest_store_list_review_items (f->store, "pending", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pending->len, ==, 2);
  confirmed = attest_store_list_review_items (f->store, "confirmed", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (confirmed->len, ==, 0);

  /* Everything the reviewer will be shown comes back as stored. */
  item = g_ptr_array_index (pending, 0);
  g_assert_cmpint (item->id, ==, a);
  g_assert_cmpstr (item->source_uri, ==, "file:///clips/a.mp4");
  g_assert_cmpstr (item->source_sha256, ==, SHA_A);
  g_assert_cmpint (item->track, ==, 3);
  g_assert_cmpint (item->start_ms, ==, 1600);
  g_assert_cmpint (item->end_ms, ==, 2400);
  g_assert_cmpint (item->best_ms, ==, 2000);
  g_assert_cmpint (item->best_frame, ==, 50);
  g_assert_cmpfloat (item->box_w, ==, 64);
  g_assert_cmpfloat (item->box_h, ==, 80);
  g_assert_cmpstr (item->model_id, ==, MODEL);
  g_assert_cmpfloat (item->threshold, ==, 0.5);
  g_assert_cmpstr (item->status, ==, "pending");
  g_assert_cmpint (item->created_at, >, 0);
  g_assert_nonnull (item->probe_png);
  g_assert_cmpmem (g_bytes_get_data (item->probe_png, &len), len, "\x89PNG fake", 9);
  g_assert_cmpmem (g_bytes_get_data (item->probe_embedding, &len), len,
                   embedding, sizeof embedding);
  g_assert_cmpuint (item->n_candidates, ==, 3);
  g_assert_cmpint (item->candidates[1].identity_id, ==, 2);
  g_assert_cmpstr (item->candidates[1].name, ==, "Bo");
  g_assert_cmpfloat_with_epsilon (item->candidates[1].score, 0.62, 1e-9);
  g_assert_cmpint (item->candidates[1].face_id, ==, -1);

  /* Both items share one source row. */
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM sources"), ==, 1);

  /* A bad spec is refused with a message, and nothing is written. */
  g_assert_false (attest_store_add_review_item (f->store, &bad, &id, &error));
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "hash"));
  g_clear_error (&error);
  g_assert_cmpint (id, ==, -1);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM review_items"), ==, 2);

  /* Machine proposals are neither matches nor audited decisions. */
  g_assert_cmpint (n_matches (f), ==, 0);
  g_ptr_array_unref (assert_audit (f, none));
}

/* ---- confirm ---- */

static void
test_confirm (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  g_autoptr (JsonObject) details = NULL;
  g_autofree char *subject = NULL;
  const char *const expected[] = { "confirm", NULL };
  AttestAuditEntry *e;
  gint64 item, match_id;

  item = add_item (f, 3, 2000);

  /* No rationale (missing or blank), no actor: refused, nothing written. */
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, ACTOR, NULL, &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "rationale"));
  g_clear_error (&error);
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, ACTOR, " \t ", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, "  ", "why", &error),
                   ==, -1);
  g_assert_nonnull (error);
  g_clear_error (&error);
  /* Di was never suggested for this face; 99 is no item at all. */
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 4, ACTOR, "why", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (attest_store_confirm_review_item (f->store, 99, 1, ACTOR, "why", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_cmpint (n_matches (f), ==, 0);
  assert_status (f, item, "pending");

  match_id = attest_store_confirm_review_item (f->store, item, 1, ACTOR,
                                               "  Same scar on the left brow ", &error);
  g_assert_no_error (error);
  g_assert_cmpint (match_id, >, 0);
  assert_status (f, item, "confirmed");
  g_assert_cmpint (n_matches (f), ==, 1);

  /* The match row carries the evidence copied from the item. */
  g_assert_cmpint (query_int (f->store,
                              "SELECT count (*) FROM matches WHERE identity_id = 1"
                              " AND source_ms = 2000 AND frame = 50 AND track = 3"
                              " AND box_x = 10 AND box_y = 20 AND box_w = 64 AND box_h = 80"
                              " AND abs (score - 0.81) < 1e-9 AND threshold = 0.5"
                              " AND model_id = '" MODEL "' AND reviewer = '" ACTOR "'"
                              " AND rationale = 'Same scar on the left brow'"
                              " AND decided_at > 0 AND revoked_at IS NULL"
                              " AND audit_id = (SELECT max (id) FROM audit)"),
                   ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT review_item_id FROM matches"), ==, item);

  /* The audit entry names the frame, the score and the person. */
  entries = assert_audit (f, expected);
  e = g_ptr_array_index (entries, 0);
  subject = g_strdup_printf ("item:%" G_GINT64_FORMAT, item);
  g_assert_cmpstr (e->subject, ==, subject);
  g_assert_cmpstr (e->source_sha256, ==, SHA_A);
  g_assert_cmpint (e->source_ms, ==, 2000);
  g_assert_cmpfloat_with_epsilon (e->score, 0.81, 1e-9);
  g_assert_cmpfloat (e->threshold, ==, 0.5);
  g_assert_cmpstr (e->model_id, ==, MODEL);
  g_assert_cmpstr (e->rationale, ==, "Same scar on the left brow");
  details = details_of (e);
  g_assert_cmpint (json_object_get_int_member (details, "identity_id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (details, "name"), ==, "Ann");

  /* Twice is refused: still one match, one entry. */
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 2, ACTOR, "why", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_ALREADY_DECIDED);
  g_assert_nonnull (strstr (error->message, "already confirmed"));
  g_clear_error (&error);
  g_assert_cmpint (n_matches (f), ==, 1);
  g_ptr_array_unref (assert_audit (f, expected));
}

/* A match edited in the database file (as anyone holding it can, with the sqlite3 tool) no
 * longer says what its confirmation in the audit log says: every field is caught. */
static void
test_match_bound (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  gint64 item = add_item (f, 3, 2000);
  gint64 match_id;
  guint checked = 0;
  sqlite3 *db = NULL;
  const struct { const char *sql; const char *differs; } attacks[] = {
    { "UPDATE matches SET identity_id = 2", "identity" },
    { "UPDATE matches SET reviewer = 'Alice Trusted'", "reviewer" },
    { "UPDATE matches SET rationale = 'clear match'", "rationale" },
    { "UPDATE matches SET score = 0.99", "score" },
    { "UPDATE matches SET threshold = 0.2", "threshold" },
    { "UPDATE matches SET model_id = 'other'", "model" },
    { "UPDATE matches SET source_ms = 9999", "position" },
    { "UPDATE matches SET decided_at = decided_at + 1", "time" },
    { "INSERT INTO sources (uri, sha256, first_seen_at) VALUES (NULL, lower ('" SHA_B "'), 1);"
      " UPDATE matches SET source_id = (SELECT max (id) FROM sources)", "source" },
    { "UPDATE matches SET audit_id = NULL", "no confirmation" },
  };

  match_id = attest_store_confirm_review_item (f->store, item, 1, ACTOR, "the scar", &error);
  g_assert_no_error (error);
  problems = attest_store_verify_matches (f->store, &checked, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (problems->len, ==, 0);
  g_assert_cmpuint (checked, ==, 1);

  g_assert_cmpint (sqlite3_open (attest_store_get_path (f->store), &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TEMP TABLE saved AS SELECT * FROM main.matches",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (attacks); i++)
    {
      AttestMatchProblem *p;

      if (attacks[i].differs == NULL)
        continue;
      g_assert_cmpint (sqlite3_exec (db, attacks[i].sql, NULL, NULL, NULL), ==, SQLITE_OK);
      g_clear_pointer (&problems, g_ptr_array_unref);
      problems = attest_store_verify_matches (f->store, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (problems->len, ==, 1);
      p = g_ptr_array_index (problems, 0);
      g_assert_cmpint (p->match_id, ==, match_id);
      g_assert_cmpstr (p->differs, ==, attacks[i].differs);
      g_test_message ("%s: %s", attacks[i].sql, p->message);
      if (p->audit_id > 0)
        g_assert_nonnull (strstr (p->message, "does not say what its confirmation"));

      /* Put it back as it was: each attack alone. */
      g_assert_cmpint (sqlite3_exec (db, "DELETE FROM main.matches;"
                                         " INSERT INTO main.matches SELECT * FROM temp.saved",
                                     NULL, NULL, NULL), ==, SQLITE_OK);
    }
  /* Several at once: all named. */
  g_assert_cmpint (sqlite3_exec (db, "UPDATE matches SET identity_id = 2, reviewer = 'Alice"
                                     " Trusted', rationale = 'clear match', score = 0.99",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_clear_pointer (&problems, g_ptr_array_unref);
  problems = attest_store_verify_matches (f->store, NULL, &error);
  g_assert_cmpuint (problems->len, ==, 1);
  g_assert_cmpstr (((AttestMatchProblem *) g_ptr_array_index (problems, 0))->differs, ==,
                   "identity, reviewer, rationale, score");
  sqlite3_close (db);
}

/* ---- reject, skip, unsure ---- */

static void
test_reject (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  const char *const expected[] = { "reject", "reject", "skip", "unsure", NULL };
  gint64 item, same_track, other_track;

  item = add_item (f, 3, 2000);
  same_track = add_item (f, 3, 2800);
  other_track = add_item (f, 4, 2000);

  g_assert_false (attest_store_is_rejected (f->store, item, 1, &error));
  g_assert_no_error (error);

  /* Ann is not the person; Bo, also above the threshold, is still to be decided. */
  g_assert_true (attest_store_reject_review_item (f->store, item, 1, ACTOR, NULL, &error));
  g_assert_no_error (error);
  assert_status (f, item, "pending");
  g_assert_true (attest_store_is_rejected (f->store, item, 1, &error));
  g_assert_true (attest_store_is_rejected (f->store, same_track, 1, &error));
  g_assert_false (attest_store_is_rejected (f->store, other_track, 1, &error));
  g_assert_false (attest_store_is_rejected (f->store, item, 2, &error));
  g_assert_no_error (error);

  /* Rejecting Ann again for the same face is refused. */
  g_assert_false (attest_store_reject_review_item (f->store, item, 1, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_ALREADY_DECIDED);
  g_clear_error (&error);

  /* With Bo rejected too no strong suggestion is left: the item is settled. */
  g_assert_true (attest_store_reject_review_item (f->store, item, 2, ACTOR, "different ears",
                                                  &error));
  g_assert_no_error (error);
  assert_status (f, item, "rejected");
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM rejections WHERE review_item_id"
                                        " IS NOT NULL AND revoked_at IS NULL"), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM rejections WHERE identity_id = 2"
                                        " AND rationale = 'different ears'"
                                        " AND abs (score - 0.62) < 1e-9"
                                        " AND audit_id = (SELECT max (id) FROM audit)"), ==, 1);

  /* A settled item takes no further decision. */
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, ACTOR, "why", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_ALREADY_DECIDED);
  g_clear_error (&error);

  g_assert_true (attest_store_skip_review_item (f->store, same_track, ACTOR, &error));
  g_assert_no_error (error);
  assert_status (f, same_track, "skipped");
  g_assert_true (attest_store_mark_review_item_unsure (f->store, other_track, ACTOR, &error));
  g_assert_no_error (error);
  assert_status (f, other_track, "unsure");

  /* None of it made a match. */
  g_assert_cmpint (n_matches (f), ==, 0);
  g_ptr_array_unref (assert_audit (f, expected));
}

/* ---- undo ---- */

static void
test_undo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = NULL;
  const char *const expected[] = {
    "skip", "unsure", "confirm", "undo", "undo", "reject", "undo", "undo", "confirm", NULL,
  };
  gint64 item, undone_item = -1, first_match, second_match;
  gint64 confirm_id, undo_id;

  item = add_item (f, 3, 2000);

  g_assert_false (attest_store_undo_last_decision (f->store, ACTOR, &undone_item, &error));
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOTHING_TO_UNDO);
  g_clear_error (&error);

  /* Skipped, then unsure, then confirmed: an open item can still be decided. */
  g_assert_true (attest_store_skip_review_item (f->store, item, ACTOR, &error));
  g_assert_true (attest_store_mark_review_item_unsure (f->store, item, ACTOR, &error));
  first_match = attest_store_confirm_review_item (f->store, item, 2, ACTOR, "the hat", &error);
  g_assert_no_error (error);
  g_assert_cmpint (first_match, >, 0);
  confirm_id = query_int (f->store, "SELECT max (id) FROM audit");

  /* Undo the confirmation: the match stays, revoked by the undo entry; back to unsure. */
  g_assert_true (attest_store_undo_last_decision (f->store, ACTOR, &undone_item, &error));
  g_assert_no_error (error);
  g_assert_cmpint (undone_item, ==, item);
  undo_id = query_int (f->store, "SELECT max (id) FROM audit");
  assert_status (f, item, "unsure");
  g_assert_cmpint (n_matches (f), ==, 1);
  {
    g_autofree char *sql = g_strdup_printf ("SELECT count (*) FROM matches WHERE id = %"
                                            G_GINT64_FORMAT " AND revoked_at > 0"
                                            " AND revoked_audit_id = %" G_GINT64_FORMAT,
                                            first_match, undo_id);
    g_assert_cmpint (query_int (f->store, sql), ==, 1);
  }

  /* Then the "unsure": back to skipped. */
  g_assert_true (attest_store_undo_last_decision (f->store, ACTOR, NULL, &error));
  g_assert_no_error (error);
  assert_status (f, item, "skipped");

  /* A rejection undone: kept, revoked, no longer counted against Ann. */
  g_assert_true (attest_store_reject_review_item (f->store, item, 1, ACTOR, NULL, &error));
  g_assert_true (attest_store_is_rejected (f->store, item, 1, &error));
  g_assert_true (attest_store_undo_last_decision (f->store, ACTOR, NULL, &error));
  g_assert_no_error (error);
  g_assert_false (attest_store_is_rejected (f->store, item, 1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM rejections"
                                        " WHERE revoked_audit_id = (SELECT max (id) FROM audit)"),
                   ==, 1);
  assert_status (f, item, "skipped");

  /* Then the skip: back to pending; nothing older is left. */
  g_assert_true (attest_store_undo_last_decision (f->store, ACTOR, NULL, &error));
  assert_status (f, item, "pending");
  g_assert_false (attest_store_undo_last_decision (f->store, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_REVIEW_ERROR, ATTEST_REVIEW_ERROR_NOTHING_TO_UNDO);
  g_clear_error (&error);

  /* Decided again: a second row; the revoked one is still there. */
  second_match = attest_store_confirm_review_item (f->store, item, 1, ACTOR, "voice", &error);
  g_assert_no_error (error);
  g_assert_cmpint (second_match, >, first_match);
  g_assert_cmpint (n_matches (f), ==, 2);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM matches WHERE revoked_at IS NULL"),
                   ==, 1);

  /* Each undo names the entry it took back, and whom that decision was about. */
  entries = assert_audit (f, expected);
  {
    g_autoptr (JsonObject) details = details_of (g_ptr_array_index (entries, 3));

    g_assert_cmpint (json_object_get_int_member (details, "undone_audit_id"), ==, confirm_id);
    g_assert_cmpstr (json_object_get_string_member (details, "undone_action"), ==, "confirm");
    g_assert_cmpstr (json_object_get_string_member (details, "undone_name"), ==, "Bo");
    g_assert_cmpint (json_object_get_int_member (details, "undone_identity_id"), ==, 2);
  }
}

/* ---- failure half-way ---- */

static void
test_forced_failure (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr (GError) error = NULL;
  const char *const expected[] = { "confirm", NULL };
  gint64 item, other;

  item = add_item (f, 3, 2000);
  other = add_item (f, 5, 9000);
  g_assert_cmpint (attest_store_confirm_review_item (f->store, other, 1, ACTOR, "hat", &error),
                   >, 0);
  g_assert_no_error (error);

  /* The audit write, the step after the checks, fails: nothing of any decision remains. */
  exec_sql (f->store, "CREATE TEMP TRIGGER test_audit_fails BEFORE INSERT ON main.audit"
                      " BEGIN SELECT RAISE (ABORT, 'the disk is full (test)'); END;");

  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, ACTOR, "why", &error),
                   ==, -1);
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "the disk is full (test)"));
  g_clear_error (&error);
  g_assert_false (attest_store_reject_review_item (f->store, item, 1, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (attest_store_skip_review_item (f->store, item, ACTOR, &error));
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);
  g_assert_false (attest_store_undo_last_decision (f->store, ACTOR, NULL, &error));
  g_assert_error (error, ATTEST_STORE_ERROR, ATTEST_STORE_ERROR_FAILED);
  g_clear_error (&error);

  exec_sql (f->store, "DROP TRIGGER temp.test_audit_fails");

  g_assert_cmpint (n_matches (f), ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM matches WHERE revoked_at IS NULL"),
                   ==, 1);
  g_assert_cmpint (query_int (f->store, "SELECT count (*) FROM rejections"), ==, 0);
  assert_status (f, item, "pending");
  assert_status (f, other, "confirmed");
  g_ptr_array_unref (assert_audit (f, expected));

  /* And once the disk is fine again the same confirmation goes through. */
  g_assert_cmpint (attest_store_confirm_review_item (f->store, item, 1, ACTOR, "why", &error),
                   >, 0);
  g_assert_no_error (error);
  g_assert_cmpint (n_matches (f), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/review-store/add-and-list", Fixture, NULL, fixture_set_up, test_add_and_list,
              fixture_tear_down);
  g_test_add ("/review-store/match-bound", Fixture, NULL, fixture_set_up, test_match_bound,
              fixture_tear_down);
  g_test_add ("/review-store/confirm", Fixture, NULL, fixture_set_up, test_confirm,
              fixture_tear_down);
  g_test_add ("/review-store/reject-skip-unsure", Fixture, NULL, fixture_set_up, test_reject,
              fixture_tear_down);
  g_test_add ("/review-store/undo", Fixture, NULL, fixture_set_up, test_undo,
              fixture_tear_down);
  g_test_add ("/review-store/forced-failure", Fixture, NULL, fixture_set_up,
              test_forced_failure, fixture_tear_down);

  return g_test_run ();
}
