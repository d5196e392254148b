/* attest-bench-startup.c: how long the app takes from opening a gallery database of N faces
 * to being ready to search it (attest_store_open + attest_matcher_load_from_store), with the
 * first search. Figures, not pass/fail.
 *
 * The gallery is written straight into a temporary database in one transaction (enrolling
 * 100k faces one by one would measure fsync, not start-up): random unit embeddings, one
 * identity per 20 faces, no thumbnails. The file stays in the page cache, so this is the
 * warm start; a cold start adds reading the file (~2.2 KB per face) from disk.
 *
 * Usage: attest-bench-startup [N ...]   (default: 10000 100000) */
#include <glib.h>
#include <glib/gstdio.h>
#include <math.h>
#include <stdio.h>

#include "analysis/attest-matcher.h"
#include "review/attest-search.h"
#include "store/attest-store-private.h"
#include "vision/attest-vision.h"

#define MODEL_ID "bench-512"
#define FACES_PER_IDENTITY 20

static void
random_unit (GRand *rand,
             float *v)
{
  double norm = 0;

  for (guint i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    {
      v[i] = (float) g_rand_double_range (rand, -1.0, 1.0);
      norm += (double) v[i] * v[i];
    }
  for (guint i = 0; i < ATTEST_EMBEDDING_DIM; i++)
    v[i] = (float) (v[i] / sqrt (norm));
}

static void
fill_gallery (AttestStore *store,
              guint        n_faces,
              GRand       *rand)
{
  g_autoptr (GError) error = NULL;
  sqlite3 *db = _attest_store_lock (store);
  sqlite3_stmt *identity = NULL, *face = NULL;
  float embedding[ATTEST_EMBEDDING_DIM];
  gint64 now = g_get_real_time ();

  if (!_attest_store_begin (store, &error))
    g_error ("begin: %s", error->message);
  sqlite3_prepare_v2 (db, "INSERT INTO identities (id, name, created_at, created_by) VALUES (?, ?, ?, 'bench')",
                      -1, &identity, NULL);
  sqlite3_prepare_v2 (db, "INSERT INTO faces (identity_id, embedding, embedding_dim, model_id, enrolled_by, enrolled_at, basis)"
                          " VALUES (?, ?, ?, '" MODEL_ID "', 'bench', ?, 'benchmark')",
                      -1, &face, NULL);
  for (guint i = 0; i < n_faces; i++)
    {
      gint64 identity_id = i / FACES_PER_IDENTITY + 1;

      if (i % FACES_PER_IDENTITY == 0)
        {
          g_autofree char *name = g_strdup_printf ("Person %" G_GINT64_FORMAT, identity_id);

          sqlite3_bind_int64 (identity, 1, identity_id);
          sqlite3_bind_text (identity, 2, name, -1, SQLITE_TRANSIENT);
          sqlite3_bind_int64 (identity, 3, now);
          if (sqlite3_step (identity) != SQLITE_DONE)
            g_error ("identity: %s", sqlite3_errmsg (db));
          sqlite3_reset (identity);
        }
      random_unit (rand, embedding);
      sqlite3_bind_int64 (face, 1, identity_id);
      sqlite3_bind_blob (face, 2, embedding, sizeof embedding, SQLITE_TRANSIENT);
      sqlite3_bind_int (face, 3, ATTEST_EMBEDDING_DIM);
      sqlite3_bind_int64 (face, 4, now);
      if (sqlite3_step (face) != SQLITE_DONE)
        g_error ("face: %s", sqlite3_errmsg (db));
      sqlite3_reset (face);
    }
  sqlite3_finalize (identity);
  sqlite3_finalize (face);
  if (!_attest_store_commit (store, &error))
    g_error ("commit: %s", error->message);
  _attest_store_unlock (store);
}

static double
ms_since (gint64 start)
{
  return (g_get_monotonic_time () - start) / 1000.0;
}

static void
bench (guint n_faces)
{
  g_autofree char *dir = g_dir_make_tmp ("attest-bench-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "gallery.db", NULL);
  g_autoptr (GRand) rand = g_rand_new_with_seed (n_faces);
  g_autoptr (GError) error = NULL;
  float probe[ATTEST_EMBEDDING_DIM];
  AttestCandidate found[5];
  double open_ms, load_ms, search_ms;
  GStatBuf st;
  gint64 start, loaded;

  {
    g_autoptr (AttestStore) store = attest_store_open (path, &error);

    g_assert_no_error (error);
    start = g_get_monotonic_time ();
    fill_gallery (store, n_faces, rand);
    printf ("%u faces: written in %.0f ms", n_faces, ms_since (start));
  }
  g_stat (path, &st);
  printf (", database %.0f MB\n", st.st_size / 1e6);

  /* What the app does at start-up, in order. */
  start = g_get_monotonic_time ();
  {
    g_autoptr (AttestStore) store = attest_store_open (path, &error);
    g_autoptr (AttestMatcher) matcher = NULL;

    g_assert_no_error (error);
    open_ms = ms_since (start);
    start = g_get_monotonic_time ();
    matcher = attest_matcher_new (ATTEST_EMBEDDING_DIM);
    loaded = attest_matcher_load_from_store (matcher, store, MODEL_ID, &error);
    g_assert_no_error (error);
    g_assert_cmpint (loaded, ==, n_faces);
    load_ms = ms_since (start);
    random_unit (rand, probe);
    start = g_get_monotonic_time ();
    attest_matcher_search (matcher, probe, 5, NULL, 0, found);
    search_ms = ms_since (start);
  }
  printf ("  open the database: %.1f ms; load %u faces into the index: %.0f ms (%.1f us per face);"
          " first search: %.1f ms\n", open_ms, n_faces, load_ms, load_ms * 1000.0 / n_faces, search_ms);
  printf ("  ready to search %.0f ms after opening; loading is %.1fx the first search\n",
          open_ms + load_ms, load_ms / MAX (search_ms, 0.001));

  g_remove (path);
  {
    g_autofree char *wal = g_strconcat (path, "-wal", NULL);
    g_autofree char *shm = g_strconcat (path, "-shm", NULL);
    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  if (argc > 1)
    for (int i = 1; i < argc; i++)
      bench ((guint) g_ascii_strtoull (argv[i], NULL, 10));
  else
    {
      bench (10000);
      bench (100000);
    }
  return 0;
}
