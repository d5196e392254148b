/* attest-file-hash.c: see attest-file-hash.h. */
#include "config.h"

#include "attest-file-hash.h"
#include "attest-store.h"

typedef struct
{
  guint64  size;
  guint64  mtime;
  char    *sha256;
} HashEntry;

static GMutex hash_lock;
static GHashTable *hash_cache;  /* uri -> HashEntry */

static void
hash_entry_free (gpointer data)
{
  HashEntry *entry = data;

  g_free (entry->sha256);
  g_free (entry);
}

char *
attest_file_sha256_cached (const char    *uri,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInfo) info = NULL;
  HashEntry *entry;
  guint64 size, mtime;
  char *sha256;

  g_return_val_if_fail (uri != NULL, NULL);

  file = g_file_new_for_uri (uri);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_TIME_MODIFIED,
                            G_FILE_QUERY_INFO_NONE, cancellable, error);
  if (info == NULL)
    return NULL;
  size = g_file_info_get_size (info);
  mtime = g_file_info_get_attribute_uint64 (info, G_FILE_ATTRIBUTE_TIME_MODIFIED);

  g_mutex_lock (&hash_lock);
  if (hash_cache == NULL)
    hash_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, hash_entry_free);
  entry = g_hash_table_lookup (hash_cache, uri);
  sha256 = entry != NULL && entry->size == size && entry->mtime == mtime
           ? g_strdup (entry->sha256) : NULL;
  g_mutex_unlock (&hash_lock);

  if (sha256 != NULL)
    return sha256;

  sha256 = attest_file_sha256 (file, cancellable, error);
  if (sha256 == NULL)
    return NULL;

  entry = g_new0 (HashEntry, 1);
  entry->size = size;
  entry->mtime = mtime;
  entry->sha256 = g_strdup (sha256);
  g_mutex_lock (&hash_lock);
  g_hash_table_replace (hash_cache, g_strdup (uri), entry);
  g_mutex_unlock (&hash_lock);

  return sha256;
}

